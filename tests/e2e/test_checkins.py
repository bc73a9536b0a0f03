"""Check-ins end to end: at each person's local time, answered by buttons, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import CheckIn, CheckInSchedule, Member
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import FakeClock


def prompts(emu: BotApiEmulator, user: FakeUser) -> list[dict[str, object]]:
    return [m for m in emu.bot_messages(user.id) if "Daily check-in" in (m.get("text") or "")]


async def checkins_of(runtime: BotRuntime, pseudonym: str) -> list[CheckIn]:
    async with runtime.session_factory() as s:
        member = await s.scalar(select(Member).where(Member.pseudonym == pseudonym))
        assert member is not None
        return list(
            (
                await s.scalars(
                    select(CheckIn).where(CheckIn.member_id == member.id).order_by(CheckIn.id)
                )
            ).all()
        )


async def test_prompts_come_at_each_mentees_own_seven_pm(
    program: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser, jo: FakeUser
) -> None:
    # 2 March 2026, 12:00 UTC: 21:00 in Tokyo, 07:00 in New York.
    await program.join(sam, "mentee", "Sam", timezone="Asia/Tokyo")
    await program.join(jo, "mentee", "Jo", timezone="America/New_York")
    await program.runtime.run_checkins()  # schedules the newcomers
    clock.advance(hours=11, minutes=59)  # 23:59 UTC
    assert await program.runtime.run_checkins() == 0

    clock.advance(minutes=1)  # 00:00 UTC = 19:00 in New York
    await program.runtime.run_checkins()
    await emu.wait_for(lambda: prompts(emu, jo), what="Jo's prompt")
    assert prompts(emu, sam) == []

    clock.advance(hours=10)  # 10:00 UTC = 19:00 in Tokyo
    await program.runtime.run_checkins()
    await emu.wait_for(lambda: prompts(emu, sam), what="Sam's prompt")
    assert len(prompts(emu, jo)) == 1 and len(prompts(emu, sam)) == 1


async def test_mood_and_craving_buttons_carry_words_as_well_as_emoji(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    reply = await paired.scenario.say(sam, "/checkin")
    assert reply is not None

    def labels(message: dict[str, object]) -> list[str]:
        markup = message["reply_markup"]
        assert isinstance(markup, dict)
        return [b["text"] for row in markup["inline_keyboard"] for b in row]

    assert labels(reply) == ["😞 very low", "🙁 low", "😐 okay", "🙂 good", "😄 great"]
    await paired.scenario.press_label(sam, reply, "🙂 good")
    await paired.settle()
    current = emu.chats[sam.id].messages[reply["message_id"]]
    assert labels(current) == ["😌 none", "🙂 low", "😕 medium", "😣 high", "😫 very high"]


async def test_answers_are_recorded_and_a_risky_one_reaches_the_mentor(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    reply = await paired.scenario.say(sam, "/checkin")
    assert reply is not None and "Daily check-in" in reply["text"]
    await paired.settle()
    await paired.scenario.press(sam, reply, paired.emu.button_data(reply, "🙁"))
    await paired.settle()
    current = emu.chats[sam.id].messages[reply["message_id"]]
    assert "Mood: 🙁 low" in current["text"] and "craving" in current["text"]
    # Tapping the old mood button again records nothing more.
    again = emu.press_raw(
        sam, reply, str(reply["reply_markup"]["inline_keyboard"][1][1]["callback_data"])
    )
    await emu.wait_for(lambda: emu.answer_of(again) is not None, what="answer")
    assert emu.answer_of(again) == "Already recorded."
    await paired.scenario.press_label(sam, current, "very high")
    alert = await emu.wait_for_bot_message(alex.id, "check-in needs your attention")
    assert "Sam" in alert["text"] and "Craving: very high" in alert["text"]
    await paired.settle()
    current = emu.chats[sam.id].messages[reply["message_id"]]
    await paired.scenario.press_label(sam, current, "yes")
    await paired.settle()
    current = emu.chats[sam.id].messages[reply["message_id"]]
    assert "Used since last check-in: yes" in current["text"]
    # The note goes with the check-in, not to the mentor.
    emu.user_sends(sam, "rough night, going to a meeting")
    await emu.wait_for_bot_message(sam.id, "Note saved")
    await paired.settle()
    assert not any("meeting" in (m.get("text") or "") for m in emu.bot_messages(alex.id))
    alerts = [m for m in emu.bot_messages(alex.id) if "attention" in (m.get("text") or "")]
    assert len(alerts) == 1  # one alert per check-in
    [checkin] = await checkins_of(paired.runtime, "Sam")
    assert (checkin.status, checkin.mood, checkin.craving, checkin.used, checkin.note) == (
        "answered",
        2,
        4,
        True,
        "rough night, going to a meeting",
    )


@pytest.fixture
async def tokyo(program: Program, sam: FakeUser, clock: FakeClock) -> Program:
    await program.join(sam, "mentee", "Sam", timezone="Asia/Tokyo")
    # Noon in Tokyo, so that lateness is not confused with quiet hours (22:00-08:00).
    reply = await program.scenario.say(sam, "/schedule 12:00")
    assert reply is not None and "12:00" in reply["text"]
    return program


async def _restart(program: Program, settings: Settings, clock: FakeClock) -> BotRuntime:
    await program.runtime.stop()
    assert settings.telegram_bot_token is not None
    runtime = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    return runtime


async def test_a_prompt_due_while_the_bot_was_down_is_sent_once_within_grace(
    tokyo: Program, emu: BotApiEmulator, clock: FakeClock, settings: Settings, sam: FakeUser
) -> None:
    # Down from before noon JST (03:00 UTC, 3 March) until 2 hours after it.
    clock.advance(hours=17)
    runtime = await _restart(tokyo, settings, clock)
    await runtime.start()
    try:
        await emu.wait_for(lambda: prompts(emu, sam), what="the late prompt")
        for _ in range(3):  # overlapping or repeated ticks change nothing
            assert await runtime.run_checkins() == 0
        await runtime.wait_until_idle()
        assert len(prompts(emu, sam)) == 1
    finally:
        await runtime.stop()


async def test_a_prompt_due_long_before_the_restart_is_recorded_as_missed(
    tokyo: Program, emu: BotApiEmulator, clock: FakeClock, settings: Settings, sam: FakeUser
) -> None:
    clock.advance(hours=19)  # 4 hours after noon JST: outside the 3-hour grace window
    runtime = await _restart(tokyo, settings, clock)
    await runtime.start()
    try:
        await runtime.run_checkins()
        await runtime.wait_until_idle()
        assert prompts(emu, sam) == []
        async with runtime.session_factory() as s:
            statuses = [c.status for c in (await s.scalars(select(CheckIn))).all()]
        assert statuses == ["missed"]
    finally:
        await runtime.stop()


async def test_dst_change_day_in_new_york(
    program: Program, emu: BotApiEmulator, clock: FakeClock, jo: FakeUser
) -> None:
    clock.advance(days=6)  # 8 March 2026, 12:00 UTC: the US springs forward at 02:00
    await program.join(jo, "mentee", "Jo", timezone="America/New_York")
    await program.runtime.run_checkins()
    async with program.runtime.session_factory() as s:
        schedule = await s.scalar(select(CheckInSchedule))
    assert schedule is not None
    assert schedule.next_due_at == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)  # 19:00 EDT
    clock.advance(hours=10, minutes=59)
    assert await program.runtime.run_checkins() == 0
    clock.advance(minutes=1)
    assert await program.runtime.run_checkins() == 1
    await emu.wait_for(lambda: prompts(emu, jo), what="the prompt at 19:00 EDT")


async def test_missed_check_ins_nudge_the_mentor_then_tell_coordinators(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, alex: FakeUser
) -> None:
    await paired.runtime.run_checkins()
    clock.advance(hours=7)  # 19:00 in London
    for day in range(5):  # five daily prompts at 19:00, none answered
        if day:
            clock.advance(days=1)
        await paired.runtime.run_checkins()
    nudge = await emu.wait_for_bot_message(alex.id, "hasn't answered the last 2 check-ins")
    assert "Sam" in nudge["text"]
    alert = await emu.wait_for_bot_message(COORDINATOR_ID, "missed 4 check-ins in a row")
    assert "Sam" in alert["text"]
    statuses = [c.status for c in await checkins_of(paired.runtime, "Sam")]
    assert statuses == ["missed"] * 4 + ["sent"]


async def test_progress_chart_arrives_as_a_photo_for_mentee_and_mentor(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser, alex: FakeUser
) -> None:
    for mood in (2, 4):
        reply = await paired.scenario.say(sam, "/checkin")
        assert reply is not None
        for data in (f"m:{mood}", "c:1", "u:0"):
            await paired.settle()
            current = emu.chats[sam.id].messages[reply["message_id"]]
            await paired.scenario.press(
                sam,
                current,
                emu.button_data(
                    current,
                    {f"m:{mood}": "🙁" if mood == 2 else "🙂", "c:1": "low", "u:0": "no"}[data],
                ),
            )
        await paired.settle()
        clock.advance(days=1)
    await paired.scenario.say(sam, "/progress", expect_reply=False)
    photo = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "photo" in m), None),
        what="Sam's chart",
    )
    assert "last 30 days" in photo["caption"]
    # The trend in words: mood 2 then 4, craving low both days.
    assert "Mood went up; craving stayed low." in photo["caption"]
    # The mentee always sees their day count (or how to get one).
    await emu.wait_for_bot_message(sam.id, "recovery start date")
    assert photo["photo"][0]["file_size"] > 5000
    await paired.scenario.say(alex, "/progress", expect_reply=False)
    await emu.wait_for(
        lambda: any(
            "photo" in m and "Sam" in m.get("caption", "") for m in emu.bot_messages(alex.id)
        ),
        what="Alex's chart",
    )


async def test_mentor_weekly_check_in_and_worried_opens_an_escalation(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, alex: FakeUser
) -> None:
    await paired.runtime.run_checkins()
    clock.advance(days=6, hours=6)  # Sunday 8 March, 18:00 London
    await paired.runtime.run_checkins()
    prompt = await emu.wait_for_bot_message(alex.id, "Weekly check-in")
    assert "Sam" in prompt["text"]
    await paired.scenario.press_label(alex, prompt, "Worried")
    card = await emu.wait_for_bot_message(COORDINATOR_ID, "Escalation #")
    assert "worried, needs staff now" in card["text"]
    assert "Sam (M-0001)" in card["text"] and "Alex (M-0002)" in card["text"]


async def test_schedule_quiet_hours_pause_and_resume(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser
) -> None:
    refused = await paired.scenario.say(sam, "/schedule 23:30")
    assert refused is not None and "in your quiet hours" in refused["text"]
    moved = await paired.scenario.say(sam, "/schedule 08:30")
    assert moved is not None and "08:30" in moved["text"]
    paused = await paired.scenario.say(sam, "/pause 3")  # until 5 March, 12:00
    assert paused is not None and "paused until" in paused["text"]
    clock.advance(hours=20, minutes=30)  # 3 March, 08:30
    for day in range(3):  # 3, 4 and 5 March at 08:30: paused
        if day:
            clock.advance(days=1)
        await paired.runtime.run_checkins()
    await paired.settle()
    assert prompts(emu, sam) == []
    clock.advance(days=1)
    await paired.runtime.run_checkins()
    await emu.wait_for(lambda: prompts(emu, sam), what="the prompt after the pause")
    bad = await paired.scenario.say(sam, "/pause forever")
    assert bad is not None and "Usage" in bad["text"]
    mentor_only = await paired.scenario.say(emu.users[7300000001], "/schedule 09:00")
    assert mentor_only is not None and "for mentees" in mentor_only["text"]


async def test_milestones_are_celebrated_with_mentee_and_mentor(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser, alex: FakeUser
) -> None:
    today = clock.now().date()
    reply = await paired.scenario.say(sam, f"/sober {(today - timedelta(days=6)).isoformat()}")
    assert reply is not None and "6 days" in reply["text"]
    clock.advance(days=1)  # day 7 at 12:00; the check-in at 19:00 brings the news
    clock.advance(hours=7)
    await paired.runtime.run_checkins()
    await emu.wait_for_bot_message(sam.id, "7 days")
    await emu.wait_for_bot_message(alex.id, "Sam</b> reaches".replace("</b>", ""))


async def test_a_long_note_is_kept_whole(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    reply = await paired.scenario.say(sam, "/checkin")
    assert reply is not None
    await paired.settle()
    await paired.scenario.press(sam, reply, emu.button_data(reply, "🙁"))
    await paired.settle()
    await paired.scenario.press_label(sam, emu.chats[sam.id].messages[reply["message_id"]], "none")
    await paired.settle()
    await paired.scenario.press_label(sam, emu.chats[sam.id].messages[reply["message_id"]], "no")
    await paired.settle()
    # As long as one Telegram message allows.
    note = ("Today I walked by the river and thought about my week. " * 80)[:4090] + " end."
    assert len(note) == 4095
    emu.user_sends(sam, note)
    await emu.wait_for_bot_message(sam.id, "Note saved")
    await paired.settle()
    [checkin] = await checkins_of(paired.runtime, "Sam")
    assert checkin.note == note
