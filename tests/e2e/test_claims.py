"""Claiming an escalation: the claimer's name on every copy of the card, reminders to the
claimer only, a second claim told who has it, "Take over", and nobody else may claim."""

from __future__ import annotations

import pytest

from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

STAFF_GROUP = -100500
OTHER_COORDINATOR = 1001


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "coordinator_chat_id": STAFF_GROUP,
            "coordinator_ids": (COORDINATOR_ID, OTHER_COORDINATOR),
            "rate_limit_group_per_min": 600,
        }
    )


@pytest.fixture
def robin(emu: BotApiEmulator) -> FakeUser:
    emu.add_group(STAFF_GROUP, "Program staff")
    robin = emu.user(OTHER_COORDINATOR, "Robin", username="robin_staff")
    emu.open_chat(robin)
    return robin


def reminders(emu: BotApiEmulator, chat_id: int) -> int:
    """Copies of the card in a coordinator's private chat: only reminders go there."""
    return sum("Escalation #1" in m.get("text", "") for m in emu.bot_messages(chat_id))


async def test_a_claim_shows_on_every_card_and_reminders_go_to_the_claimer_only(
    paired: Program,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
    robin: FakeUser,
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    clock.advance(minutes=5)  # one round of reminders to both coordinators, unclaimed
    await paired.settle()  # SKIP LOCKED on PostgreSQL: the cards' receipts first
    assert await paired.runtime.run_escalation_timers() == 1
    await paired.settle()
    assert reminders(emu, COORDINATOR_ID) == reminders(emu, OTHER_COORDINATOR) == 1

    toast = await paired.scenario.press_label(robin, card, "Claim")
    assert "yours" in toast
    await paired.settle()
    # Every copy (the staff chat's, each coordinator's reminder) shows who has it.
    copies = [emu.chats[STAFF_GROUP].messages[card["message_id"]]] + [
        m
        for chat in (COORDINATOR_ID, OTHER_COORDINATOR)
        for m in emu.bot_messages(chat)
        if "Escalation #1" in m.get("text", "")
    ]
    assert len(copies) == 3
    for copy in copies:
        assert "Claimed by Robin" in copy["text"], copy["text"]
        labels = [b["text"] for row in copy["reply_markup"]["inline_keyboard"] for b in row]
        assert "Take over" in labels and "Claim" not in labels
    # Nothing of it reaches the mentee or the mentor.
    for member in (sam, alex):
        assert not [m for m in emu.bot_messages(member.id) if "Robin" in str(m)]

    for _ in range(3):
        clock.advance(minutes=5)
        await paired.settle()  # SKIP LOCKED on PostgreSQL: the cards' receipts first
        assert await paired.runtime.run_escalation_timers() == 1
        await paired.settle()
    assert reminders(emu, OTHER_COORDINATOR) == 4
    assert reminders(emu, COORDINATOR_ID) == 1

    # Casey presses the Claim she still had: told who has it; "Take over" makes it hers.
    query = emu.press_raw(coordinator, card, "esc:1:claim")
    await emu.wait_for(lambda: emu.answer_of(query) is not None, what="the answer")
    assert (
        emu.answer_of(query) == "Robin has claimed it. Press “Take over” on the card to take it."
    )
    current = emu.chats[STAFF_GROUP].messages[card["message_id"]]
    toast = await paired.scenario.press_label(coordinator, current, "Take over")
    assert "yours" in toast
    await paired.settle()
    assert "Claimed by Casey" in emu.chats[STAFF_GROUP].messages[card["message_id"]]["text"]
    clock.advance(minutes=5)
    await paired.runtime.run_escalation_timers()
    await paired.settle()
    assert (reminders(emu, COORDINATOR_ID), reminders(emu, OTHER_COORDINATOR)) == (2, 4)


async def test_a_mentor_cannot_claim_even_with_forged_button_data(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    robin: FakeUser,
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    mine = await paired.scenario.say(alex, "/help")
    assert mine is not None
    for where in (card, mine):
        query = emu.press_raw(alex, where, "esc:1:claim")
        await emu.wait_for(lambda q=query: emu.answer_of(q) is not None, what="the answer")
        assert emu.answer_of(query) == "That button is for program coordinators."
    await paired.settle()
    current = emu.chats[STAFF_GROUP].messages[card["message_id"]]
    assert "Claimed" not in current["text"]
