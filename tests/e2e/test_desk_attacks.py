"""The desk under attack: forged or replayed buttons pressed in the staff forum by someone who
is not a coordinator (or with a tampered id), /reply aimed at nobody, the staff forum gone
while topics are being created, and a coordinator writing in a closed topic."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import EscalationClaim, Invite, OutboxMessage
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program

FORUM = -1007001
FALLBACK = -100900
OTHER_COORDINATOR = 1001
NOT_FOR_YOU = "That button is for program coordinators."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "coordinator_chat_id": FORUM,
            "escalation_fallback_chat_id": FALLBACK,
            "coordinator_ids": (COORDINATOR_ID, OTHER_COORDINATOR),
            "rate_limit_group_per_min": 600,
        }
    )


@pytest.fixture(autouse=True)
def forum(emu: BotApiEmulator) -> None:
    emu.add_forum(FORUM, "Program staff")
    emu.add_group(FALLBACK, "On-call supervisors")
    emu.open_chat(emu.user(OTHER_COORDINATOR, "Robin", username="robin_staff"))


@pytest.fixture
def pat(emu: BotApiEmulator) -> FakeUser:
    """In the staff group (a volunteer, say), but not a coordinator and not enrolled."""
    return emu.user(5005, "Pat", username="pat_volunteer")


async def pressed(emu: BotApiEmulator, user: FakeUser, message: dict[str, Any], data: str) -> str:
    query = emu.press_raw(user, message, data)
    await emu.wait_for(lambda: emu.answer_of(query) is not None, what=f"the answer to {data}")
    return emu.answer_of(query) or ""


def card_in_forum(emu: BotApiEmulator) -> dict[str, Any]:
    return next(m for m in emu.bot_messages(FORUM) if "Escalation #1" in m.get("text", ""))


async def open_invites(program: Program) -> list[int]:
    async with program.runtime.session_factory() as s:
        rows = await s.scalars(
            select(Invite.id).where(Invite.used_at.is_(None), Invite.revoked_at.is_(None))
        )
        return list(rows)


async def test_a_staff_group_member_who_is_not_a_coordinator_cannot_claim_or_revoke(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, pat: FakeUser, coordinator: FakeUser
) -> None:
    await paired.scenario.invite(coordinator, "mentee")
    listing = await paired.scenario.say(coordinator, "/invites")
    assert listing is not None
    revoke = emu.button_data(listing, "Revoke")
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(FORUM, "Escalation #1")
    await paired.settle()
    card = card_in_forum(emu)
    before = await open_invites(paired)
    assert len(before) == 1
    # Pressed on the card in the forum, and replayed from the coordinator's private list.
    for message, data in [
        (card, "esc:1:claim"),
        (card, "esc:1:take"),
        (card, "esc:1:ack"),
        (card, revoke),
        (listing, revoke),
    ]:
        assert await pressed(emu, pat, message, data) == NOT_FOR_YOU
    await paired.settle()
    assert "Claimed" not in card_in_forum(emu)["text"]
    assert await open_invites(paired) == before
    async with paired.runtime.session_factory() as s:
        assert await s.get(EscalationClaim, 1) is None
    # Nor can they write to the person, in the person's topic or with /reply.
    seen = len(emu.bot_messages(sam.id))
    thread = card["message_thread_id"]
    emu.user_sends(pat, "hi sam, it's pat", chat_id=FORUM, thread_id=thread)
    emu.user_sends(pat, "/reply M-0001 hi sam, it's pat", chat_id=FORUM, thread_id=thread)
    await paired.settle()
    assert len(emu.bot_messages(sam.id)) == seen
    assert not [m for m in emu.bot_messages(sam.id) if "Pat" in str(m) or "pat" in str(m)]


async def test_tampered_button_ids_from_a_coordinator_change_nothing(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    await paired.scenario.invite(coordinator, "mentee")
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(FORUM, "Escalation #1")
    await paired.settle()
    card = card_in_forum(emu)
    before = await open_invites(paired)
    assert await pressed(emu, coordinator, card, "esc:999:claim") == "There is no escalation #999."
    assert await pressed(emu, coordinator, card, f"esc:{'9' * 30}:claim") == (
        "This button has expired."
    )
    # An invite id, or a page of the list, pressed on the card: the card is not a list of
    # invites, so it must neither revoke anything nor be turned into one.
    for data in ("iv:r:999", f"iv:r:{before[0]}", "iv:p:0"):
        assert await pressed(emu, coordinator, card, data) == "This button has expired."
    await paired.settle()
    assert await open_invites(paired) == before
    now = emu.chats[FORUM].messages[card["message_id"]]
    assert now["text"] == card["text"] and now["reply_markup"] == card["reply_markup"]


async def test_reply_to_an_erased_member_reaches_nobody(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    ask = await paired.scenario.say(sam, "/deleteme")
    assert ask is not None
    await paired.scenario.press_label(sam, ask, "Yes, erase")
    await emu.wait_for_bot_message(sam.id, "Your data has been erased")
    await paired.settle()
    seen = len(emu.bot_messages(sam.id))
    for ref in ("M-0001", "Sam"):
        answer = await paired.scenario.say(coordinator, f"/reply {ref} are you ok?")
        assert answer is not None and "Nobody enrolled" in answer["text"], answer
    await paired.settle()
    assert len(emu.bot_messages(sam.id)) == seen
    assert not [m for m in emu.bot_messages(FORUM) if "are you ok" in m.get("text", "")]
    assert not emu.topics(FORUM)


@pytest.mark.parametrize("text", ["/reply M-0001", "/reply M-0001    ", "/reply   ", "/reply\n"])
async def test_reply_with_no_words_sends_nothing(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser, text: str
) -> None:
    seen = len(emu.bot_messages(sam.id))
    answer = await paired.scenario.say(coordinator, text)
    assert answer is not None and "Usage: /reply" in answer["text"]
    await paired.settle()
    assert len(emu.bot_messages(sam.id)) == seen


async def test_reply_to_an_unknown_id_says_so_and_sends_nothing(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, coordinator: FakeUser
) -> None:
    seen = {m: len(emu.bot_messages(m)) for m in (sam.id, alex.id)}
    for ref in ("M-0099", "M-0", "M-99999999999999999999", "<b>x</b>"):
        answer = await paired.scenario.say(coordinator, f"/reply {ref} hello")
        assert answer is not None and "Nobody enrolled" in answer["text"]
    await paired.settle()
    assert {m: len(emu.bot_messages(m)) for m in (sam.id, alex.id)} == seen


async def test_a_staff_forum_the_bot_was_removed_from_still_gets_the_alarm_to_a_human(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    emu.kicked.add(FORUM)  # after start-up: the bot still believes the forum has topics
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    for chat_id in (COORDINATOR_ID, OTHER_COORDINATOR, FALLBACK):
        await emu.wait_for_bot_message(chat_id, "Escalation #1")
    await paired.settle()
    async with paired.runtime.session_factory() as s:
        stuck = await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        assert not list(stuck)
    report = await paired.scenario.say(coordinator, "/health")
    assert report is not None and "Staff chat (COORDINATOR_CHAT_ID) is broken" in report["text"]


async def test_a_forum_where_the_bot_lost_its_rights_still_gets_the_card(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    emu.chats[FORUM].bot_manages_topics = False  # demoted after start-up
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(FORUM, "Escalation #1")
    assert "message_thread_id" not in card
    await paired.settle()
    emu.user_sends(sam, "i cant do this anymore, tonight im going to end it all")
    await emu.wait_for(
        lambda: sum("Escalation #1" in m.get("text", "") for m in emu.bot_messages(FORUM)) >= 2,
        what="the card again, in General",
    )


async def test_a_coordinator_writing_in_a_closed_topic_still_reaches_the_member(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(FORUM, "Escalation #1")
    await paired.settle()
    thread = card_in_forum(emu)["message_thread_id"]
    emu.close_topic(FORUM, thread)
    # Admins may still write in a closed topic.
    emu.user_sends(coordinator, "We are here for you.", chat_id=FORUM, thread_id=thread,
                   admin=True)  # fmt: skip
    got = await emu.wait_for_bot_message(sam.id, "We are here for you.")
    assert "Program staff" in got["text"]
    confirm = await emu.wait_for_bot_message(FORUM, "Sent to")
    await paired.settle()
    assert confirm.get("message_thread_id") in (thread, None)
