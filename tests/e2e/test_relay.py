"""The anonymous relay: text and media both ways, reply routing, edits, held messages."""

from __future__ import annotations

import json

import pytest

from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program

MEDIA = [
    "photo",
    "voice",
    "video",
    "document",
    "sticker",
    "location",
    "audio",
    "video_note",
    "animation",
]


async def test_text_goes_both_ways_as_copies(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    before = emu.last_message_id(alex.id)
    emu.user_sends(sam, "rough day, glad you're there")
    got = await emu.wait_for_bot_message(alex.id, "rough day", after=before)
    assert got["reply_markup"]["inline_keyboard"][0][0]["text"] == "💬 Sam"

    before = emu.last_message_id(sam.id)
    emu.user_sends(alex, "I'm here. Want to talk tonight?")
    back = await emu.wait_for_bot_message(sam.id, "Want to talk", after=before)
    assert "reply_markup" not in back  # a mentee has one mentor: no label needed
    methods = [method for method, _ in emu.calls]
    assert methods.count("copyMessage") == 2
    assert "forwardMessage" not in methods


@pytest.mark.parametrize("kind", MEDIA)
async def test_media_goes_both_ways(
    paired: Program, sam: FakeUser, alex: FakeUser, kind: str
) -> None:
    emu = paired.emu
    sent = emu.user_sends(sam, kind=kind, caption="look" if kind == "photo" else None)
    copy = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(alex.id) if kind in m), None),
        what=f"the {kind} at the mentor",
    )
    assert copy[kind] == sent[kind]
    if kind == "photo":
        assert copy["caption"] == "look"
    answer = emu.user_sends(alex, kind=kind)
    back = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if kind in m), None),
        what=f"the {kind} at the mentee",
    )
    assert back[kind] == answer[kind]


async def test_nothing_received_reveals_the_other_side(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    emu.user_sends(sam, "hi")
    emu.user_sends(sam, kind="photo", caption="my view")
    emu.user_sends(alex, "hello Sam")
    emu.user_sends(alex, kind="voice")
    await emu.wait_for(lambda: len(emu.bot_messages(alex.id)) >= 5, what="copies at Alex")
    await emu.wait_for(
        lambda: any("voice" in m for m in emu.bot_messages(sam.id)), what="voice at Sam"
    )
    for receiver, other in ((alex, sam), (sam, alex)):
        received = json.dumps(emu.bot_messages(receiver.id), ensure_ascii=False)
        for secret in other.identity_strings():
            assert secret not in received, (receiver.first_name, secret)
    assert not any(method == "forwardMessage" for method, _ in emu.calls)


async def test_mentor_with_several_mentees_routes_replies_and_asks_whom(
    paired: Program, sam: FakeUser, alex: FakeUser, jo: FakeUser
) -> None:
    emu = paired.emu
    await paired.join(jo, "mentee", "Jo")
    assert "Paired" in await paired.pair("Jo", "Alex")

    from_sam = emu.user_sends(sam, "craving is bad today")
    from_jo = emu.user_sends(jo, "got my 30 day chip!")
    sam_copy = await emu.wait_for_bot_message(alex.id, "craving is bad")
    jo_copy = await emu.wait_for_bot_message(alex.id, "30 day chip")
    assert jo_copy["reply_markup"]["inline_keyboard"][0][0]["text"] == "💬 Jo"
    assert sam_copy["reply_markup"]["inline_keyboard"][0][0]["text"] == "💬 Sam"
    await paired.settle()

    # Replying to Jo's copy answers Jo, threaded under Jo's own message.
    emu.user_sends(alex, "so proud of you", reply_to=jo_copy["message_id"])
    to_jo = await emu.wait_for_bot_message(jo.id, "so proud")
    assert to_jo["reply_to_message"]["message_id"] == from_jo["message_id"]
    assert not any("so proud" in (m.get("text") or "") for m in emu.bot_messages(sam.id))

    emu.user_sends(alex, "call me if it gets worse", reply_to=sam_copy["message_id"])
    to_sam = await emu.wait_for_bot_message(sam.id, "call me")
    await paired.settle()
    assert to_sam["reply_to_message"]["message_id"] == from_sam["message_id"]

    # The mentee's reply to that answer is threaded under the mentor's original message.
    emu.user_sends(sam, "will do", reply_to=to_sam["message_id"])
    back = await emu.wait_for_bot_message(alex.id, "will do")
    assert back["reply_to_message"]["text"] == "call me if it gets worse"

    # A plain message is held until the mentor says whom it is for.
    emu.user_sends(alex, "group meeting moved to 7pm")
    question = await emu.wait_for_bot_message(alex.id, "Whom is this message for?")
    assert not any("7pm" in (m.get("text") or "") for m in emu.bot_messages(jo.id))
    to_jo_data = emu.button_data(question, "Jo")
    answer = await paired.scenario.press(alex, question, to_jo_data)
    assert answer == "Sent to Jo."
    await emu.wait_for_bot_message(jo.id, "moved to 7pm")
    await emu.wait_for(
        lambda: (
            "Sent to Jo"
            in emu.bot_messages(alex.id)[
                [m["message_id"] for m in emu.bot_messages(alex.id)].index(question["message_id"])
            ]["text"]
        ),
        what="the question edited to say where it went",
    )
    assert not any("7pm" in (m.get("text") or "") for m in emu.bot_messages(sam.id))
    # The same button a second time does not send it twice.
    stale = emu.press_raw(alex, question, to_jo_data)
    await emu.wait_for(lambda: emu.answer_of(stale) is not None, what="stale answer")
    assert emu.answer_of(stale) == "That choice is no longer available."
    assert len([m for m in emu.bot_messages(jo.id) if "7pm" in (m.get("text") or "")]) == 1


async def test_edits_are_mirrored_on_text_copies(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    original = emu.user_sends(sam, "meet at 5")
    copy = await emu.wait_for_bot_message(alex.id, "meet at 5")
    emu.user_edits(sam, original["message_id"], "meet at 6")
    await emu.wait_for(
        lambda: emu.chats[alex.id].messages[copy["message_id"]]["text"] == "meet at 6",
        what="the edit at the mentor",
    )
    edited = emu.chats[alex.id].messages[copy["message_id"]]
    assert edited["reply_markup"]["inline_keyboard"][0][0]["text"] == "💬 Sam"

    photo = emu.user_sends(sam, kind="photo")
    await emu.wait_for(
        lambda: any("photo" in m for m in emu.bot_messages(alex.id)), what="the photo"
    )
    emu.chats[sam.id].messages[photo["message_id"]]["caption"] = "edited caption"
    emu.user_edits(sam, photo["message_id"], "now text?")
    await emu.wait_for_bot_message(sam.id, "Only edits of text messages")


async def test_unpaired_mentee_messages_wait_for_their_mentor(
    program: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam")
    await program.join(alex, "mentor", "Alex")
    emu.user_sends(sam, "is anyone there?")
    await emu.wait_for_bot_message(sam.id, "A coordinator is finding you a mentor")
    emu.user_sends(sam, kind="photo")
    members = await program.scenario.say(program.coordinator, "/members")
    assert members is not None and "2 messages kept" in members["text"]

    assert "Paired" in await program.pair("Sam", "Alex")
    note = await emu.wait_for_bot_message(alex.id, "wrote while waiting")
    first = await emu.wait_for_bot_message(alex.id, "is anyone there?", after=note["message_id"])
    await emu.wait_for(
        lambda: any(
            "photo" in m and m["message_id"] > first["message_id"]
            for m in emu.bot_messages(alex.id)
        ),
        what="the held photo",
    )


async def test_mentor_without_mentees_is_told(
    program: Program, emu: BotApiEmulator, alex: FakeUser
) -> None:
    await program.join(alex, "mentor", "Alex")
    emu.user_sends(alex, "hello?")
    await emu.wait_for_bot_message(alex.id, "no mentees at the moment")
