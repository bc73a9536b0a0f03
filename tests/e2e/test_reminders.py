"""Reminders end to end: set with /remind at the person's local time, sent once (across a
restart, on consecutive weeks, after quiet hours), listed and removed with /reminders."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, text

from bot import texts
from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import Member, Reminder, ReminderDraft
from tests.e2e.conftest import Program
from tests.helpers import FakeClock, stored_bytes

# The clock starts on Monday 2 March 2026, 12:00 UTC: 07:00 in New York (EST, UTC-5, until
# the spring change on Sunday 8 March), 12:00 in London.
NEW_YORK = "America/New_York"
WORDS = "NA meeting <b>& coffee</b> at St Mark's"


def reminders_to(emu: BotApiEmulator, user: FakeUser) -> list[dict[str, Any]]:
    return [m for m in emu.bot_messages(user.id) if "⏰ Reminder:" in (m.get("text") or "")]


async def set_reminder(
    program: Program, user: FakeUser, words: str, when: str, repeat: str
) -> dict[str, Any]:
    """Go through /remind: what, when, once or weekly; return the confirmation."""
    ask = await program.scenario.say(user, "/remind")
    assert ask is not None and "What should I remind you of?" in ask["text"]
    ask_when = await program.scenario.say(user, words)
    assert ask_when is not None and "When?" in ask_when["text"], ask_when
    ask_repeat = await program.scenario.say(user, when)
    assert ask_repeat is not None and "every week" in ask_repeat["text"], ask_repeat
    label = texts.REMINDER_WEEKLY if repeat == "weekly" else texts.REMINDER_ONCE
    await program.scenario.press_label(user, ask_repeat, label)
    await program.settle()
    confirmation: dict[str, Any] = program.emu.chats[user.id].messages[ask_repeat["message_id"]]
    assert "Reminder set" in confirmation["text"], confirmation
    return confirmation


async def restart(program: Program, settings: Settings, clock: FakeClock) -> BotRuntime:
    await program.runtime.stop()
    assert settings.telegram_bot_token is not None
    runtime = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await runtime.start()
    return runtime


async def test_a_reminder_fires_once_at_local_time_across_a_restart(
    program: Program,
    emu: BotApiEmulator,
    clock: FakeClock,
    settings: Settings,
    sam: FakeUser,
    alex: FakeUser,
    db_url: str,
) -> None:
    await program.join(sam, "mentee", "Sam", timezone=NEW_YORK)
    confirmation = await set_reminder(program, sam, WORDS, "2026-03-02 18:30", "once")
    # Escaped in every message: the person's own "<b>" is shown, not taken as markup.
    assert WORDS in confirmation["text"]
    assert "Monday 2026-03-02 at 18:30" in confirmation["text"]
    # Encrypted at rest: the words are nowhere in the database file.
    assert b"St Mark" not in await stored_bytes(db_url)
    clock.advance(hours=11, minutes=29)  # 18:29 in New York
    assert await program.runtime.run_reminders() == 0
    clock.advance(minutes=1)  # 18:30 in New York: due, and the bot goes down before sending
    runtime = await restart(program, settings, clock)
    try:
        # The new bot's recurring job claims it on its first tick.
        await emu.wait_for(lambda: reminders_to(emu, sam), what="the reminder")
        for _ in range(3):  # later or overlapping ticks send nothing more
            assert await runtime.run_reminders() == 0
        clock.advance(days=7)
        assert await runtime.run_reminders() == 0  # it was a one-off
        await runtime.wait_until_idle()
        [reminder] = reminders_to(emu, sam)
        assert reminder["text"] == f"⏰ Reminder: {WORDS}"
        assert reminders_to(emu, alex) == []
        async with runtime.session_factory() as s:
            assert await s.scalar(select(func.count()).select_from(Reminder)) == 0
    finally:
        await runtime.stop()


async def test_a_weekly_reminder_fires_on_consecutive_weeks_across_the_clock_change(
    program: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam", timezone=NEW_YORK)
    confirmation = await set_reminder(program, sam, "evening dose", "mon 18:30", "weekly")
    assert "Every Monday at 18:30" in confirmation["text"]
    clock.advance(hours=11, minutes=30)  # Monday 2 March, 18:30 EST = 23:30 UTC
    assert await program.runtime.run_reminders() == 1
    assert await program.runtime.run_reminders() == 0
    # After the spring change (8 March) 18:30 in New York is 22:30 UTC, an hour earlier.
    clock.advance(days=6, hours=22, minutes=59)  # Monday 9 March, 22:29 UTC = 18:29 EDT
    assert await program.runtime.run_reminders() == 0
    clock.advance(minutes=1)
    assert clock.now() == datetime(2026, 3, 9, 22, 30, tzinfo=UTC)
    assert await program.runtime.run_reminders() == 1
    assert await program.runtime.run_reminders() == 0
    await program.settle()
    assert [m["text"] for m in reminders_to(emu, sam)] == ["⏰ Reminder: evening dose"] * 2
    async with program.runtime.session_factory() as s:
        [reminder] = (await s.scalars(select(Reminder))).all()
        assert reminder.next_due_at == datetime(2026, 3, 16, 22, 30, tzinfo=UTC)


async def test_a_reminder_in_quiet_hours_comes_when_they_end(
    program: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam", timezone=NEW_YORK)
    quiet = await program.scenario.say(sam, "/quiet 22:00 07:30")
    assert quiet is not None and "22:00–07:30" in quiet["text"]
    confirmation = await set_reminder(program, sam, "call the clinic", "today 23:15", "once")
    assert "quiet hours (22:00–07:30)" in confirmation["text"]
    clock.advance(hours=16, minutes=15)  # 23:15 in New York: inside quiet hours
    assert await program.runtime.run_reminders() == 0
    clock.advance(hours=8, minutes=14)  # 07:29 the next morning: still quiet
    assert await program.runtime.run_reminders() == 0
    await program.settle()
    assert reminders_to(emu, sam) == []
    clock.advance(minutes=1)  # 07:30: quiet hours are over
    assert await program.runtime.run_reminders() == 1
    await emu.wait_for(lambda: reminders_to(emu, sam), what="the held reminder")
    assert await program.runtime.run_reminders() == 0


async def test_reminders_are_listed_and_removed_and_a_forged_remove_is_refused(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await set_reminder(paired, sam, "meeting", "tomorrow 18:00", "weekly")
    await set_reminder(paired, sam, "dentist", "2026-03-20 09:15", "once")
    await set_reminder(paired, alex, "sponsor call", "fri 17:00", "weekly")  # mentors too
    listing = await paired.scenario.say(sam, "/reminders")
    assert listing is not None
    assert "1. meeting" in listing["text"] and "Every Tuesday at 18:00" in listing["text"]
    assert "2. dentist" in listing["text"] and "Friday 2026-03-20 at 09:15" in listing["text"]
    assert "sponsor" not in listing["text"]
    async with paired.runtime.session_factory() as s:
        alex_row = await s.scalar(select(Reminder).join(Member).where(Member.pseudonym == "Alex"))
        assert alex_row is not None
    # Sam forges a Remove button naming Alex's reminder: refused, nothing removed.
    forged = emu.press_raw(sam, listing, f"rmd:{alex_row.id}")
    await emu.wait_for(lambda: emu.answer_of(forged) is not None, what="the forged answer")
    assert emu.answer_of(forged) == texts.NOT_YOUR_BUTTON
    toast = await paired.scenario.press_label(sam, listing, "Remove 1")
    assert toast == texts.REMINDER_REMOVED
    await paired.settle()
    after = emu.chats[sam.id].messages[listing["message_id"]]
    assert "meeting" not in after["text"] and "1. dentist" in after["text"]
    async with paired.runtime.session_factory() as s:
        left = (await s.scalars(select(Reminder).order_by(Reminder.id))).all()
        assert [r.text for r in left] == ["dentist", "sponsor call"]
    # Removing the same one again (an old button) does nothing more.
    old = emu.press_raw(
        sam, listing, str(listing["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    )
    await emu.wait_for(lambda: emu.answer_of(old) is not None, what="the stale answer")
    assert emu.answer_of(old) == texts.NOT_YOUR_BUTTON
    empty = await paired.scenario.say(emu.users[7300000001], "/reminders")
    assert empty is not None and "sponsor call" in empty["text"]


async def test_bad_input_is_explained_and_nothing_is_set(
    program: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam", timezone=NEW_YORK)
    ask = await program.scenario.say(sam, "/remind")
    assert ask is not None
    too_long = await program.scenario.say(sam, "x" * 201)
    assert too_long is not None and "keep it to 200 characters" in too_long["text"]
    ask_when = await program.scenario.say(sam, "group at 6")
    assert ask_when is not None and "When?" in ask_when["text"]
    for bad in ("fri 6pm-ish", "2026-02-30 10:00", "mon 25:00", "half past 6"):
        reply = await program.scenario.say(sam, bad)
        assert reply is not None and "couldn't read that time" in reply["text"], bad
    # Words with no number in them are no time: the draft stops, so that it does not take
    # every later message (meant for the mentor, say).
    stopped = await program.scenario.say(sam, "half past six")
    assert stopped is not None and "No reminder was set" in stopped["text"]
    assert await program.scenario.say(sam, "/remind") is not None
    assert await program.scenario.say(sam, "group at 6") is not None
    past = await program.scenario.say(sam, "2026-03-01 10:00")
    assert past is not None and "already passed" in past["text"]
    too_far = await program.scenario.say(sam, "2027-06-01 10:00")
    assert too_far is not None and "within the next year" in too_far["text"]
    # A stale once/weekly button, with no reminder waiting for it, sets nothing.
    stale = emu.press_raw(sam, ask, "rmk:once")
    await emu.wait_for(lambda: emu.answer_of(stale) is not None, what="the stale answer")
    assert emu.answer_of(stale) == texts.REMINDER_DRAFT_GONE
    async with program.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Reminder)) == 0
        member = await s.scalar(select(Member).where(Member.pseudonym == "Sam"))
        assert member is not None
        for n in range(20):
            s.add(
                Reminder(
                    member_id=member.id,
                    text=f"r{n}",
                    weekly=False,
                    weekday=None,
                    local_time="10:00",
                    local_date=date(2026, 4, 1),
                    next_due_at=datetime(2026, 4, 1, 14, tzinfo=UTC),
                    created_at=datetime(2026, 3, 2, tzinfo=UTC),
                )
            )
        await s.commit()
    full = await program.scenario.say(sam, "/remind")
    assert full is not None and "You already have 20 reminders" in full["text"]


async def test_reminders_are_in_mydata_and_go_with_deleteme(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await set_reminder(paired, sam, "take my dose", "tomorrow 09:00", "weekly")
    # Half-set: a draft with words in it.
    await paired.scenario.say(sam, "/remind")
    await paired.scenario.say(sam, "call mum")
    emu.user_sends(sam, "/mydata")
    document = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "document" in m), None),
        what="the /mydata file",
    )
    data = json.loads(emu.uploads[(sam.id, document["message_id"])])
    assert [(r["text"], r["repeats"], r["time"]) for r in data["reminders"]] == [
        ("take my dose", "weekly", "09:00")
    ]
    # The half-set reminder's words are not relayed to the mentor.
    assert not any("call mum" in (m.get("text") or "") for m in emu.bot_messages(alex.id))
    ask = await paired.scenario.say(sam, "/deleteme")
    assert ask is not None
    await paired.scenario.press_label(sam, ask, texts.ERASE_YES)
    await paired.settle()
    async with paired.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Reminder)) == 0
        assert await s.scalar(select(func.count()).select_from(ReminderDraft)) == 0
        rows = (await s.execute(text("SELECT count(*) FROM reminders"))).scalar()
        assert rows == 0


async def test_a_spanish_speaker_sets_a_reminder_in_spanish(
    program: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam", timezone="Europe/Madrid", language="es")
    ask = await program.scenario.say(sam, "/remind")
    assert ask is not None and "¿De qué quieres que te avise?" in ask["text"]
    ask_when = await program.scenario.say(sam, "reunión del grupo")
    assert ask_when is not None and "¿Cuándo?" in ask_when["text"]
    ask_repeat = await program.scenario.say(sam, "mié 19:00")  # Spanish day names work
    assert ask_repeat is not None and "cada semana" in ask_repeat["text"]
    await program.scenario.press_label(sam, ask_repeat, "Cada semana")
    await program.settle()
    confirmation = emu.chats[sam.id].messages[ask_repeat["message_id"]]
    assert "Cada miércoles a las 19:00" in confirmation["text"], confirmation["text"]
    clock.advance(days=2, hours=6)  # Wednesday 4 March, 19:00 in Madrid
    assert await program.runtime.run_reminders() == 1
    fired = await emu.wait_for_bot_message(sam.id, "Recordatorio:")
    assert fired["text"] == "⏰ Recordatorio: reunión del grupo"
