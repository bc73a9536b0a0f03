"""Attacks on the escalation fixes of issue 11 (mentor-written escalations, erasure,
assessment of every message)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.services.retention import REDACTED
from emulator import BotApiEmulator, FakeUser
from storage.models import Escalation, EscalationEvent
from tests.e2e.conftest import Program

STAFF_GROUP = -100500
DANGER = "i cant do this anymore, tonight im going to end it all"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


@pytest.fixture
def staff(emu: BotApiEmulator) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")


async def test_a_mentor_erasing_their_data_does_not_redact_a_mentees_open_escalation(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    """Sam's crisis is open and unacknowledged; Alex (the mentor) leaves the program with
    /deleteme. The escalation is about Sam, not Alex: its flagged message and the audit
    trail's details must stay for the staff who still have to act on it. Root cause:
    erasure.erase selects escalations by `mentor_id == member.id` too and redacts them."""
    emu.user_sends(sam, DANGER)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    ask = await paired.scenario.say(alex, "/deleteme")
    assert ask is not None
    await paired.scenario.press_label(alex, ask, "Yes, erase")
    await emu.wait_for_bot_message(sam.id, "Alex has left the program")
    await paired.settle()
    async with paired.runtime.session_factory() as s:
        escalation = await s.get(Escalation, 1)
        assert escalation is not None and escalation.status == "open"
        details = list(
            await s.scalars(
                select(EscalationEvent.detail).where(EscalationEvent.escalation_id == 1)
            )
        )
    assert escalation.flagged_text == DANGER
    assert REDACTED not in details


async def test_a_dangerous_message_typed_after_a_command_is_assessed(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser
) -> None:
    """README: "Every message a member writes (text or caption) ... is assessed once". A
    mentee who starts a message with a slash word ("/help", or any unknown command) gets the
    help text or "unknown command", and the words after it are never assessed: no card,
    no crisis help."""
    emu.user_sends(sam, "/help " + DANGER)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await emu.wait_for_bot_message(sam.id, "988 Suicide")  # the suicide help
