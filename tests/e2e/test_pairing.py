"""Coordinators pair, unpair, list and match; both sides hear about it by pseudonym only."""

from __future__ import annotations

import html
import re

from bot import texts
from bot.i18n import tr
from emulator import BotApiEmulator, FakeUser
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program


async def test_pairing_tells_both_sides_by_pseudonym(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    to_sam = await emu.wait_for_bot_message(sam.id, "You now have a mentor")
    to_alex = await emu.wait_for_bot_message(alex.id, "You have a new mentee")
    assert "Alex" in to_sam["text"] and "Alexander" not in to_sam["text"]
    assert "Sam" in to_alex["text"] and "Samantha" not in to_alex["text"]

    pairs = await paired.scenario.say(paired.coordinator, "/pairs")
    assert pairs is not None and "Sam (M-0001) ↔ Alex (M-0002)" in pairs["text"]
    members = await paired.scenario.say(paired.coordinator, "/members")
    assert members is not None
    assert "M-0001 Sam, mentee, Europe/London: paired with Alex" in members["text"]
    assert "M-0002 Alex, mentor, Europe/London: 1/3 mentees" in members["text"]


async def test_pair_refuses_wrong_roles_double_pairing_and_full_mentors(
    program: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, jo: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam")
    await program.join(alex, "mentor", "Alex")
    await program.join(jo, "mentee", "Jo")
    assert "is not a mentor" in await program.pair("Sam", "Jo")
    assert "is not a mentee" in await program.pair("Alex", "Sam")
    assert "can't find a member called" in await program.pair("Nobody", "Alex")
    assert "Usage" in await program.pair("Sam", "")
    assert "Paired" in await program.pair("M-0001", "m-0002")
    assert "already paired with" in await program.pair("Sam", "Alex")

    # Capacity: a mentor with capacity 3 gets no fourth mentee.
    for n, name in enumerate(["Kim", "Lee", "Ash"], start=1):
        await program.join(emu.user(7400000000 + n, f"Person{n}"), "mentee", name)
    assert "Paired" in await program.pair("Jo", "Alex")
    assert "Paired" in await program.pair("Kim", "Alex")
    assert "already has 3 of 3 mentees" in await program.pair("Lee", "Alex")


async def test_unpair_tells_both_sides(paired: Program, sam: FakeUser, alex: FakeUser) -> None:
    reply = await paired.scenario.say(paired.coordinator, "/unpair Sam")
    assert reply is not None and "Ended the pairing" in reply["text"]
    await paired.emu.wait_for_bot_message(
        sam.id, "Your pairing with <b>Alex</b>".replace("<b>", "").replace("</b>", "")
    )
    await paired.emu.wait_for_bot_message(alex.id, "Your pairing with Sam")
    again = await paired.scenario.say(paired.coordinator, "/unpair Sam")
    assert again is not None and "has no mentor" in again["text"]


async def test_match_ranks_mentors_and_pairs_from_a_button(
    program: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await program.join(
        sam, "mentee", "Sam", timezone="America/New_York", language="es", tags=["opioids"]
    )
    await program.join(
        emu.user(7300000011, "A"), "mentor", "Tokyo Tom", timezone="Asia/Tokyo", language="en"
    )
    await program.join(
        emu.user(7300000012, "B"),
        "mentor",
        "Rosa",
        timezone="America/Chicago",
        language="es",
        tags=["opioids"],
    )
    await program.join(
        emu.user(7300000013, "C"), "mentor", "Lena", timezone="America/New_York", language="en"
    )
    await program.join(
        emu.user(7300000014, "D"), "mentor", "Maya", timezone="Europe/Madrid", language="es"
    )
    reply = await program.scenario.say(program.coordinator, "/match Sam")
    assert reply is not None
    lines = reply["text"].splitlines()
    assert lines[1].startswith("1. Rosa") and "speaks Español" in lines[1]
    assert "shares: Opioids" in lines[1] and "1 h apart" in lines[1]
    assert len(lines) == 4 and not any("Tokyo Tom" in line for line in lines)
    answer = await program.scenario.press_label(program.coordinator, reply, "Pair with Rosa")
    assert answer == ""
    confirmation = await emu.wait_for_bot_message(
        COORDINATOR_ID, "Paired mentee", after=reply["message_id"]
    )
    assert "Rosa" in confirmation["text"]
    # Sam chose Spanish: the news reaches them in Spanish.
    told = await emu.wait_for_bot_message(sam.id, "Rosa")
    spanish = re.sub(r"<[^>]+>", "", tr("es", texts.PAIRED_MENTEE, mentor="Rosa"))
    assert told["text"] == html.unescape(spanish)


async def test_coordinator_commands_are_refused_to_members(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    for user in (sam, alex):
        for command in (
            "/invite mentee",
            "/pair Sam Alex",
            "/unpair Sam",
            "/pairs",
            "/members",
            "/match Sam",
            "/health",
        ):
            reply = await paired.scenario.say(user, command)
            assert reply is not None and "for program coordinators" in reply["text"], command


async def test_coordinators_add_and_remove_coordinators_with_an_audit_trail(
    program: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    robin = emu.user(1002, "Robin")
    refused = await program.scenario.say(robin, "/coordinators")
    assert refused is not None and "for program coordinators" in refused["text"]
    added = await program.scenario.say(program.coordinator, "/coordinators add 1002")
    assert added is not None and "1002 is now a coordinator" in added["text"]
    listing = await program.scenario.say(robin, "/coordinators")
    assert listing is not None
    assert "1000, since" in listing["text"] and "from COORDINATOR_IDS" in listing["text"]
    assert "1002, since" in listing["text"] and "added by 1000" in listing["text"]
    kept = await program.scenario.say(robin, "/coordinators remove 1000")
    assert kept is not None and "change the setting" in kept["text"]
    removed = await program.scenario.say(program.coordinator, "/coordinators remove 1002")
    assert removed is not None and "no longer a coordinator" in removed["text"]
    audit = await program.scenario.say(program.coordinator, "/coordinators")
    assert audit is not None
    assert "1000 added 1002" in audit["text"] and "1000 removed 1002" in audit["text"]
    gone = await program.scenario.say(robin, "/pairs")
    assert gone is not None and "for program coordinators" in gone["text"]
    bad = await program.scenario.say(program.coordinator, "/coordinators add someone")
    assert bad is not None and "Usage" in bad["text"]


async def test_an_old_pair_button_does_not_pair_erased_members(
    program: Program, emu: BotApiEmulator, sam: FakeUser, jo: FakeUser
) -> None:
    from sqlalchemy import func, select

    from storage.models import Pairing

    rosa = emu.user(7300000012, "Rosalind")
    lena = emu.user(7300000013, "Helena")
    await program.join(sam, "mentee", "Sam")
    await program.join(jo, "mentee", "Jo")
    await program.join(rosa, "mentor", "Rosa")
    await program.join(lena, "mentor", "Lena")
    for_sam = await program.scenario.say(program.coordinator, "/match Sam")
    for_jo = await program.scenario.say(program.coordinator, "/match Jo")
    assert for_sam is not None and for_jo is not None

    async def erase(user: FakeUser) -> None:
        ask = await program.scenario.say(user, "/deleteme")
        assert ask is not None
        await program.scenario.press_label(user, ask, "Yes, erase")
        await emu.wait_for_bot_message(user.id, "Your data has been erased")
        await program.settle()

    # The mentor left after the suggestion was shown.
    await erase(rosa)
    await program.scenario.press_label(program.coordinator, for_sam, "Pair with Rosa")
    refusal = await emu.wait_for_bot_message(
        COORDINATOR_ID, "no longer in the program", after=for_sam["message_id"]
    )
    assert "M-0003" in refusal["text"]
    # The mentee left after the suggestion was shown.
    await erase(jo)
    await program.scenario.press_label(program.coordinator, for_jo, "Pair with Lena")
    await emu.wait_for_bot_message(
        COORDINATOR_ID, "M-0002 is no longer in the program", after=refusal["message_id"]
    )
    await program.settle()
    async with program.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Pairing)) == 0
    assert not any("You now have a mentor" in m["text"] for m in emu.bot_messages(sam.id))
    assert not any("new mentee" in m["text"] for m in emu.bot_messages(lena.id))
    # Lena's capacity is untouched: she can still take Sam.
    assert "Paired" in await program.pair("Sam", "Lena")
