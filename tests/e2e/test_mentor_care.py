"""Care for mentors: the debrief the day after an alarm about their mentee was resolved (once),
the weekly wellbeing question (a low answer reaches the staff gently), and /stats per mentor."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import MentorWellbeing
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

STAFF_GROUP = -100500
DANGER = "i cant do this anymore, tonight im going to end it all"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


@pytest.fixture
def staff(emu: BotApiEmulator) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")


def debriefs(emu: BotApiEmulator, user: FakeUser) -> list[dict[str, Any]]:
    return [m for m in emu.bot_messages(user.id) if "How are you doing?" in (m.get("text") or "")]


def wellbeing_cards(emu: BotApiEmulator) -> list[str]:
    return [
        str(m.get("text"))
        for m in emu.bot_messages(STAFF_GROUP)
        if "wellbeing" in str(m.get("text", ""))
    ]


async def test_the_mentor_is_asked_the_next_morning_how_they_are_once(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    clock: FakeClock,
    settings: Settings,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    emu.user_sends(sam, DANGER)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await emu.wait_for_bot_message(alex.id, "may mean they are in danger")
    done = await paired.scenario.say(coordinator, "/resolve 1 spoke with her, she is safe")
    assert done is not None and "resolved" in done["text"]
    await emu.wait_for_bot_message(alex.id, "have resolved the alert")
    # Not the same day (Monday 2 March, 12:00 London), nor before 10:00 the next morning.
    assert await paired.runtime.run_reminders() == 0
    clock.advance(hours=21, minutes=59)  # Tuesday 09:59
    assert await paired.runtime.run_reminders() == 0
    await paired.settle()
    assert debriefs(emu, alex) == []
    clock.advance(minutes=1)  # Tuesday 10:00 in London
    await paired.runtime.stop()  # due while the bot is down: the next one sends it
    assert settings.telegram_bot_token is not None
    runtime = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await runtime.start()
    try:
        await emu.wait_for(lambda: debriefs(emu, alex), what="the debrief")
        [debrief] = debriefs(emu, alex)
        assert "Sam" in debrief["text"] and "/staff" in debrief["text"]
        assert "What was the hardest part" in debrief["text"]
        ask = await emu.wait_for_bot_message(alex.id, texts.MENTOR_DEBRIEF_ASK)
        for _ in range(3):
            assert await runtime.run_reminders() == 0
        clock.advance(days=2)
        assert await runtime.run_reminders() == 0
        await runtime.wait_until_idle()
        assert len(debriefs(emu, alex)) == 1
        assert not debriefs(emu, sam)  # the mentee is not asked
        toast = await paired.scenario.press_label(alex, ask, "Low")
        assert toast == ""
        await runtime.wait_until_idle()
        edited = emu.chats[alex.id].messages[ask["message_id"]]
        assert "You answered: 😕 Low" in edited["text"] and "/staff" in edited["text"]
        # The debrief's answer is the mentor's own: no card for the staff.
        assert wellbeing_cards(emu) == []
        async with runtime.session_factory() as s:
            [row] = (await s.scalars(select(MentorWellbeing))).all()
            assert (row.kind, row.escalation_id, row.answer) == ("debrief", 1, "low")
    finally:
        await runtime.stop()


async def test_no_debrief_for_an_alarm_about_the_mentor_themself(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    clock: FakeClock,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    await paired.scenario.say(alex, "/sos")
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.scenario.say(coordinator, "/resolve 1 talked it through")
    clock.advance(days=1)
    assert await paired.runtime.run_reminders() == 0
    await paired.settle()
    assert debriefs(emu, alex) == []


async def test_a_low_weekly_wellbeing_answer_reaches_the_staff_and_a_good_one_does_not(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    clock: FakeClock,
    alex: FakeUser,
    jo: FakeUser,
    sam: FakeUser,
    coordinator: FakeUser,
) -> None:
    await paired.join(jo, "mentor", "Jo")
    await paired.runtime.run_checkins()
    clock.advance(days=6, hours=6)  # Sunday 8 March, 18:00 London: the mentors' weekly day
    await paired.runtime.run_checkins()
    await emu.wait_for_bot_message(alex.id, "Weekly check-in")
    alex_asked = await emu.wait_for_bot_message(alex.id, "how are you doing this week")
    jo_asked = await emu.wait_for_bot_message(jo.id, "how are you doing this week")
    assert not any("this week" in (m.get("text") or "") for m in emu.bot_messages(sam.id))
    assert await paired.runtime.run_checkins() == 0  # asked once

    alex_low, jo_low = emu.button_data(alex_asked, "Low"), emu.button_data(jo_asked, "Low")
    assert await paired.scenario.press_label(jo, jo_asked, "Good") == ""
    assert await paired.scenario.press_label(alex, alex_asked, "Struggling") == ""
    card = await emu.wait_for_bot_message(STAFF_GROUP, "wellbeing")
    assert "Mentor Alex (M-0002)" in card["text"] and "😣 Struggling" in card["text"]
    assert "Not an emergency" in card["text"] and "Escalation" not in card["text"]
    # Pressing again records nothing and tells nobody again.
    again = emu.press_raw(alex, alex_asked, alex_low)
    await emu.wait_for(lambda: emu.answer_of(again) is not None, what="the second press")
    assert emu.answer_of(again) == texts.CHECKIN_ALREADY
    # Jo's button pressed by Alex (forged) is refused.
    forged = emu.press_raw(alex, alex_asked, jo_low)
    await emu.wait_for(lambda: emu.answer_of(forged) is not None, what="the forged press")
    assert emu.answer_of(forged) == texts.NOT_YOUR_BUTTON
    await paired.settle()
    assert len(wellbeing_cards(emu)) == 1
    assert "Jo" not in wellbeing_cards(emu)[0]
    assert not any("Escalation #" in (m.get("text") or "") for m in emu.bot_messages(STAFF_GROUP))
    assert not any("wellbeing" in (m.get("text") or "") for m in emu.bot_messages(COORDINATOR_ID))


async def test_stats_show_each_mentors_exposure_load_and_wellbeing(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    alex: FakeUser,
    jo: FakeUser,
    coordinator: FakeUser,
) -> None:
    await paired.join(jo, "mentor", "Jo")
    emu.user_sends(sam, DANGER)  # about Sam, Alex's mentee: counts for Alex
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    await paired.scenario.say(alex, "/sos")  # about Alex himself: not exposure
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #2")
    await paired.settle()
    await paired.runtime.run_checkins()
    clock.advance(days=6, hours=6)
    await paired.runtime.run_checkins()
    alex_asked = await emu.wait_for_bot_message(alex.id, "how are you doing this week")
    await paired.scenario.press_label(alex, alex_asked, "OK")
    await paired.settle()
    report = await paired.scenario.say(coordinator, "/stats")
    assert report is not None
    assert "• Alex (M-0002): 1 · 1 · 🙂 OK" in report["text"], report["text"]
    assert "• Jo (M-0003): 0 · 0 · no answer yet" in report["text"], report["text"]
    # Thirty days on, the alarm about Sam no longer counts.
    clock.advance(days=31)
    later = await paired.scenario.say(coordinator, "/stats")
    assert later is not None and "• Alex (M-0002): 0 · 1 · 🙂 OK" in later["text"]
