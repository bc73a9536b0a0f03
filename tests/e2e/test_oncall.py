"""Program hours and on-call: out of hours the one on call is reminded first, a mentee is
told once per stretch when staff are back, and alarms nobody acknowledged are summarised."""

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
            "program_hours": "mon-fri 09:00-17:00",
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
    return sum("reminder" in m.get("text", "") for m in emu.bot_messages(chat_id))


def away_notices(emu: BotApiEmulator, user: FakeUser) -> int:
    return sum("staff are away" in m.get("text", "") for m in emu.bot_messages(user.id))


async def test_out_of_hours_the_one_on_call_is_reminded_first_then_everyone(
    paired: Program,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    coordinator: FakeUser,
    robin: FakeUser,
) -> None:
    clock.advance(hours=6)  # Monday 18:00: out of hours
    nobody = await paired.scenario.say(coordinator, "/oncall")
    assert nobody is not None and nobody["text"] == "Nobody is on call now."
    set_ = await paired.scenario.say(robin, "/oncall me")
    assert set_ is not None and "Robin" in set_["text"] and "Tue 09:00" in set_["text"]
    shown = await paired.scenario.say(coordinator, "/oncall")
    assert shown is not None and "On call now: Robin (until Tue 09:00)" in shown["text"]

    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")  # alarms still go out
    notice = await emu.wait_for_bot_message(sam.id, "staff are away")
    assert "Tue 09:00" in notice["text"] and "988" in notice["text"]
    await paired.settle()
    clock.advance(minutes=5)
    await paired.settle()  # SKIP LOCKED on PostgreSQL: the cards' receipts first
    assert await paired.runtime.run_escalation_timers() == 1
    await paired.settle()
    assert (reminders(emu, OTHER_COORDINATOR), reminders(emu, COORDINATOR_ID)) == (1, 0)
    clock.advance(minutes=5)
    await paired.settle()  # SKIP LOCKED on PostgreSQL: the cards' receipts first
    assert await paired.runtime.run_escalation_timers() == 1
    await paired.settle()
    assert (reminders(emu, OTHER_COORDINATOR), reminders(emu, COORDINATOR_ID)) == (2, 1)


async def test_a_shift_for_someone_else_and_in_hours_everyone_is_reminded(
    paired: Program,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    coordinator: FakeUser,
    robin: FakeUser,
) -> None:
    bad = await paired.scenario.say(coordinator, "/oncall 4242 18:00-09:00")
    assert bad is not None and "not a coordinator" in bad["text"]
    set_ = await paired.scenario.say(coordinator, "/oncall 1001 18:00-09:00")
    assert set_ is not None and "from Mon 18:00 to Tue 09:00" in set_["text"]
    # Monday 12:00, in hours: the rota does not matter, everyone is reminded.
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    assert away_notices(emu, sam) == 0
    clock.advance(minutes=5)
    await paired.runtime.run_escalation_timers()
    await paired.settle()
    assert (reminders(emu, OTHER_COORDINATOR), reminders(emu, COORDINATOR_ID)) == (1, 1)


async def test_a_mentee_writing_out_of_hours_is_told_once_per_stretch(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser, alex: FakeUser
) -> None:
    clock.advance(hours=6)  # Monday 18:00
    emu.user_sends(sam, "hey, rough evening")
    notice = await emu.wait_for_bot_message(sam.id, "staff are away")
    assert "Tue 09:00" in notice["text"]
    await emu.wait_for_bot_message(alex.id, "rough evening")  # still relayed
    emu.user_sends(sam, "still here")
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await paired.settle()
    assert away_notices(emu, sam) == 1
    clock.advance(hours=16)  # Tuesday 10:00: staff are in
    emu.user_sends(sam, "morning")
    await paired.settle()
    assert away_notices(emu, sam) == 1
    clock.advance(hours=8)  # Tuesday 18:00: a new stretch
    emu.user_sends(sam, "evening again")
    await paired.settle()
    assert away_notices(emu, sam) == 2
    # Mentors are not told staff hours.
    assert away_notices(emu, alex) == 0


async def test_alarms_nobody_acknowledged_are_summarised_daily(
    paired: Program,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    robin: FakeUser,
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    # Each tick after the last one's cards are recorded: on PostgreSQL a timer skips an
    # escalation whose row another transaction holds (SKIP LOCKED) until its next tick.
    for _ in range(2):
        clock.advance(minutes=5)
        await paired.settle()
        await paired.runtime.run_escalation_timers()
    assert await paired.runtime.run_daily_summary() == 0  # before the fallback rounds
    clock.advance(minutes=5)
    await paired.settle()
    await paired.runtime.run_escalation_timers()  # round 3: the fallback chat's
    assert await paired.runtime.run_daily_summary() == 1
    summary = await emu.wait_for_bot_message(STAFF_GROUP, "Daily summary")
    assert "#1 CRITICAL" in summary["text"] and "Sam (M-0001)" in summary["text"]
    clock.advance(hours=12)
    assert await paired.runtime.run_daily_summary() == 0  # once a day
    clock.advance(hours=12)
    assert await paired.runtime.run_daily_summary() == 1
    await paired.settle()
    summaries = [m for m in emu.bot_messages(STAFF_GROUP) if "Daily summary" in m["text"]]
    assert len(summaries) == 2
    # The reminders went on meanwhile (the policy is unchanged).
    clock.advance(minutes=5)
    await paired.settle()  # SKIP LOCKED on PostgreSQL: the cards' receipts first
    assert await paired.runtime.run_escalation_timers() == 1
