"""/mydata: a member gets a JSON file of what is stored about them, and who saw it."""

from __future__ import annotations

import json

from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program


async def test_mydata_sends_everything_stored_including_disclosures(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, "hello")
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(1000, "Escalation #1")
    await paired.settle()
    await paired.scenario.say(sam, "/mydata", expect_reply=False)
    document = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "document" in m), None),
        what="the export",
    )
    data = json.loads(emu.uploads[(sam.id, document["message_id"])])
    assert data["member"]["pseudonym"] == "Sam" and data["member"]["role"] == "mentee"
    assert data["pairings"][0]["with"] == "Alex"
    assert data["relayed_messages"]["count"] == 1
    # Plain words, no internal codes.
    assert data["escalations_about_you"][0]["category"] == "you pressed /sos"
    assert data["escalations_about_you"][0]["severity"] == "urgent"
    disclosed = data["escalations_about_you"][0]["disclosed_to"]
    assert [d["to"] for d in disclosed] == ["coordinator (private)"] and disclosed[0]["at"]
    assert "1000" not in json.dumps(data)  # no staff Telegram id in what a member sees
    assert "42 CFR Part 2" in data["notice"]
    # Nothing in it identifies the other side on Telegram.
    for secret in alex.identity_strings():
        assert secret not in json.dumps(data)


async def test_strangers_are_told_nothing_is_stored(emu: BotApiEmulator, program: Program) -> None:
    reply = await program.scenario.say(emu.user(4242, "Curious"), "/mydata")
    assert reply is not None and "Nothing about you is stored" in reply["text"]


async def test_deleteme_erases_and_tells_the_other_side(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    from sqlalchemy import func, select

    from storage.models import CheckIn, Escalation, Member, RelayedMessage

    emu.user_sends(sam, "hello")
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(1000, "Escalation #1")
    await paired.settle()
    ask = await paired.scenario.say(sam, "/deleteme")
    assert ask is not None and "cannot be undone" in ask["text"]
    stranger_press = emu.press_raw(alex, ask, emu.button_data(ask, "Yes, erase"))
    await emu.wait_for(lambda: emu.answer_of(stranger_press) is not None, what="answer")
    assert emu.answer_of(stranger_press) == "This button isn't for you."
    await paired.scenario.press_label(sam, ask, "Yes, erase")
    await emu.wait_for_bot_message(sam.id, "Your data has been erased")
    await emu.wait_for_bot_message(alex.id, "Sam has left the program")
    await paired.settle()
    async with paired.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(RelayedMessage)) == 0
        assert await s.scalar(select(func.count()).select_from(CheckIn)) == 0
        erased = await s.get(Member, 1)
        assert erased is not None and erased.erased_at is not None
        assert erased.pseudonym == "erased M-0001" and erased.telegram_user_id != sam.id
        escalation = await s.get(Escalation, 1)
        assert escalation is not None and escalation.status == "open"  # the fact is kept
    members = await paired.scenario.say(paired.coordinator, "/members")
    assert members is not None and "Sam" not in members["text"]
    # Writing again, they are a stranger: nothing about them is known.
    again = await paired.scenario.say(sam, "/mydata")
    assert again is not None and "Nothing about you is stored" in again["text"]


async def test_coordinator_erases_for_a_member_in_person(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    ask = await paired.scenario.say(paired.coordinator, "/erase Sam")
    assert (
        ask is not None
        and "Erase all data about <b>Sam</b>".replace("<b>", "").replace("</b>", "") in ask["text"]
    )
    await paired.scenario.press_label(paired.coordinator, ask, "Yes, erase")
    await emu.wait_for_bot_message(sam.id, "Your data has been erased")
    await emu.wait_for(
        lambda: "has been erased" in emu.chats[1000].messages[ask["message_id"]]["text"],
        what="the confirmation edited",
    )


async def test_mydata_leaves_out_the_mentors_flag_note(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, "my uncle is visiting this weekend")
    copy = await emu.wait_for_bot_message(alex.id, "uncle")
    await paired.settle()
    emu.user_sends(alex, "/flag she sounded scared of him, aardvark", reply_to=copy["message_id"])
    await emu.wait_for_bot_message(1000, "Escalation #1")
    await paired.settle()
    await paired.scenario.say(sam, "/mydata", expect_reply=False)
    document = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "document" in m), None),
        what="the export",
    )
    data = json.loads(emu.uploads[(sam.id, document["message_id"])])
    exported = json.dumps(data)
    assert data["escalations_about_you"][0]["flagged_message"] == (
        "my uncle is visiting this weekend"
    )
    assert "aardvark" not in exported and "1000" not in exported
