"""Attacks on the staff-chat fallback of issue 11 (item 9): what else goes to a broken
COORDINATOR_CHAT_ID besides the card."""

from __future__ import annotations

import pytest

from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program

STAFF_GROUP = -100500
SUPERGROUP = -1001234567890
DANGER = "i cant do this anymore, tonight im going to end it all"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


async def test_an_edit_of_a_flagged_message_reaches_staff_when_the_staff_chat_is_broken(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    """The bot was removed from the staff group. Sam's crisis card correctly falls back to
    the coordinator privately; then Sam edits the flagged message to add that they have the
    pills. The "edited the flagged message" notice goes only to the broken staff chat
    (escalation.note_edit_on_open_escalation targets policy.coordinator_chat_id), is parked
    as dead there, and no human ever reads the new words."""
    emu.add_group(STAFF_GROUP, "Program staff")
    emu.kicked.add(STAFF_GROUP)
    original = emu.user_sends(sam, DANGER)
    await emu.wait_for_bot_message(COORDINATOR_ID, "Escalation #1")
    await paired.settle()
    emu.user_edits(sam, original["message_id"], DANGER + ", i have the pills here")
    await paired.settle()
    await emu.wait_for_bot_message(COORDINATOR_ID, "pills here", timeout=5)


async def test_a_staff_group_upgraded_to_a_supergroup_does_not_delay_the_card(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    """A careless operator's everyday case: the staff group becomes a supergroup (Telegram
    does this when a group gets admins with rights or grows), and COORDINATOR_CHAT_ID still
    names the old group. Telegram answers 400 with `migrate_to_chat_id`: that is not a
    network error to retry for minutes; the card falls back at once and /health says what
    to change."""
    emu.add_group(STAFF_GROUP, "Program staff")
    emu.upgrade_group(STAFF_GROUP, SUPERGROUP)
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    # The kicked case falls back within a second or two; a migrated group must too.
    await emu.wait_for_bot_message(COORDINATOR_ID, "Escalation #1", timeout=10)
    await paired.settle()
    report = await paired.scenario.say(coordinator, "/health")
    assert report is not None and str(SUPERGROUP) in report["text"]
