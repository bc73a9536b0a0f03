"""Reminders people set for themselves (/remind, /reminders): once or weekly, at their local time.

Like check-ins, the schedule lives in the database: each reminder's next send time is a row,
and one recurring job (`run_due`) claims what is due. Sending a reminder (its outbox row) and
moving it past that time (or deleting a one-off) happen in one transaction, so a restart
neither loses nor repeats one. A reminder due inside the person's quiet hours is moved to
the end of them, and sent then. The text is the person's own words: encrypted at rest,
escaped in every message, never logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, t, t_item
from bot.schedule import (
    at_local,
    format_hhmm,
    in_quiet_hours,
    local_date,
    next_daily,
    next_weekly,
    parse_hhmm,
)
from bot.services.checkins import CheckInPolicy
from bot.services.outbox import Button, Priority, edit_text, h, send_text
from storage.models import CheckInSchedule, Member, Reminder, ReminderDraft

log = logging.getLogger(__name__)

MAX_REMINDERS = 20
MAX_TEXT = 200
DRAFT_WINDOW = timedelta(minutes=30)
MAX_AHEAD = timedelta(days=366)
# A reminder the bot could not send for this long (it was down) is skipped, not sent late: an
# hours-old "take your dose" could lead to a double dose.
MAX_LATE = timedelta(hours=6)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TODAY = frozenset({"today", "hoy"})
_TOMORROW = frozenset({"tomorrow", "mañana", "manana"})
# English and Spanish day names, by their first three letters (accents folded).
_WEEKDAY_PREFIXES = (
    ("mon", "lun"),
    ("tue", "mar"),
    ("wed", "mie"),
    ("thu", "jue"),
    ("fri", "vie"),
    ("sat", "sab"),
    ("sun", "dom"),
)
_FOLD = str.maketrans("áéíóúü", "aeiouu")


def quiet_hours_of(schedule: CheckInSchedule | None, policy: CheckInPolicy) -> tuple[time, time]:
    """The person's quiet hours: their own (/quiet), else the program's default."""
    if schedule is None:
        return policy.quiet_start, policy.quiet_end
    start, end = parse_hhmm(schedule.quiet_start), parse_hhmm(schedule.quiet_end)
    assert start is not None and end is not None  # stored by /quiet as HH:MM
    return start, end


def _weekday_of(word: str) -> int | None:
    folded = word.translate(_FOLD).rstrip(".")
    if len(folded) < 3:
        return None
    for number, prefixes in enumerate(_WEEKDAY_PREFIXES):
        if folded[:3] in prefixes:
            return number
    return None


def parse_when(raw: str, zone: str, now: datetime) -> tuple[date, time] | None:
    """'2026-03-14 18:30', 'mon 18:30', 'today 9:00', 'tomorrow 7:15' or a bare '18:30' (its
    next occurrence) → the local day and time; None when it cannot be read."""
    words = raw.strip().lower().split()
    if not words or len(words) > 2:
        return None
    local = parse_hhmm(words[-1])
    if local is None:
        return None
    today = local_date(now, zone)
    if len(words) == 1:
        day = today if at_local(today, local, zone) > now else today + timedelta(days=1)
        return day, local
    word = words[0]
    if word in _TODAY:
        return today, local
    if word in _TOMORROW:
        return today + timedelta(days=1), local
    if _ISO_DATE.fullmatch(word):
        try:
            return date.fromisoformat(word), local
        except ValueError:
            return None
    weekday = _weekday_of(word)
    if weekday is None:
        return None
    moment = next_weekly(weekday, local, zone, now)
    return local_date(moment, zone), local


def _example_date(now: datetime, zone: str) -> str:
    return f"{(local_date(now, zone) + timedelta(days=1)).isoformat()} 18:30"


def _when_text(reminder: Reminder) -> Text:
    day = reminder.local_date
    weekday = t_item(texts.WEEKDAYS, day.weekday())
    template = texts.REMINDER_WHEN_WEEKLY if reminder.weekly else texts.REMINDER_WHEN_ONCE
    return t(template, weekday=weekday, date=day.isoformat(), time=reminder.local_time)


async def _count(session: AsyncSession, member: Member) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.member_id == member.id)
        )
        or 0
    )


# ---- setting one up --------------------------------------------------------------------


async def start_draft(session: AsyncSession, *, member: Member, now: datetime) -> Text:
    """/remind: the first question (what), or why no more can be set."""
    if await _count(session, member) >= MAX_REMINDERS:
        return t(texts.REMINDER_TOO_MANY, limit=MAX_REMINDERS)
    draft = await session.get(ReminderDraft, member.id)
    if draft is None:
        draft = ReminderDraft(member_id=member.id)
        session.add(draft)
    draft.step, draft.text, draft.local_date, draft.local_time = "what", None, None, None
    draft.expires_at = now + DRAFT_WINDOW
    return t(texts.REMINDER_ASK_WHAT, limit=MAX_TEXT)


async def take_text(session: AsyncSession, *, member: Member, text: str, now: datetime) -> bool:
    """If the person is setting up a reminder, this text answers its question (what, or when).
    Returns whether it was taken."""
    draft = await session.get(ReminderDraft, member.id)
    if draft is None or draft.step not in ("what", "when"):
        return False
    if draft.expires_at <= now:
        await session.delete(draft)
        return False
    draft.expires_at = now + DRAFT_WINDOW
    if draft.step == "what":
        await _answer_what(session, member, draft, text, now)
    else:
        await _answer_when(session, member, draft, text, now)
    return True


async def _answer_what(
    session: AsyncSession, member: Member, draft: ReminderDraft, text: str, now: datetime
) -> None:
    words = " ".join(text.split())
    reply: Text
    if not words:
        reply = t(texts.REMINDER_EMPTY)
    elif len(words) > MAX_TEXT:
        reply = t(texts.REMINDER_TOO_LONG, limit=MAX_TEXT, length=len(words))
    else:
        draft.text, draft.step = words, "when"
        reply = t(
            texts.REMINDER_ASK_WHEN,
            example_date=_example_date(now, member.timezone),
            timezone=h(member.timezone),
        )
    await send_text(session, member.chat_id, reply, now=now)


async def _answer_when(
    session: AsyncSession, member: Member, draft: ReminderDraft, text: str, now: datetime
) -> None:
    if not any(c.isdigit() for c in text):
        # Every time we read has digits: this is the person writing about something else
        # (to their mentor, say). Stop here, or each later message would be taken too.
        await session.delete(draft)
        await send_text(session, member.chat_id, t(texts.REMINDER_STOPPED), now=now)
        return
    parsed = parse_when(text, member.timezone, now)
    buttons: list[list[Button]] | None = None
    reply: Text
    if parsed is None:
        reply = t(texts.REMINDER_BAD_WHEN, example_date=_example_date(now, member.timezone))
    elif at_local(parsed[0], parsed[1], member.timezone) <= now:
        reply = t(texts.REMINDER_IN_PAST)
    elif at_local(parsed[0], parsed[1], member.timezone) > now + MAX_AHEAD:
        reply = t(texts.REMINDER_TOO_FAR)
    else:
        draft.local_date, draft.local_time = parsed[0], format_hhmm(parsed[1])
        draft.step = "repeat"
        reply = t(texts.REMINDER_ASK_REPEAT)
        buttons = [
            [(t(texts.REMINDER_ONCE), "rmk:once"), (t(texts.REMINDER_WEEKLY), "rmk:weekly")]
        ]
    await send_text(session, member.chat_id, reply, buttons=buttons, now=now)


async def choose_repeat(
    session: AsyncSession,
    *,
    member: Member,
    weekly: bool,
    policy: CheckInPolicy,
    message_id: int,
    now: datetime,
) -> Text | None:
    """The once/weekly button: the reminder is set. Returns a toast, or None when all is well."""
    draft = await session.get(ReminderDraft, member.id)
    if draft is None or draft.step != "repeat" or draft.expires_at <= now:
        return t(texts.REMINDER_DRAFT_GONE)
    assert draft.text is not None and draft.local_date is not None and draft.local_time
    local = parse_hhmm(draft.local_time)
    assert local is not None
    first = at_local(draft.local_date, local, member.timezone)
    if first <= now:  # they took a while to choose
        await session.delete(draft)
        await edit_text(session, member.chat_id, message_id, t(texts.REMINDER_IN_PAST), now=now)
        return None
    if await _count(session, member) >= MAX_REMINDERS:
        await session.delete(draft)
        await edit_text(
            session,
            member.chat_id,
            message_id,
            t(texts.REMINDER_TOO_MANY, limit=MAX_REMINDERS),
            now=now,
        )
        return None
    reminder = Reminder(
        member_id=member.id,
        text=draft.text,
        weekly=weekly,
        weekday=draft.local_date.weekday() if weekly else None,
        local_time=draft.local_time,
        local_date=draft.local_date,
        next_due_at=first,
        created_at=now,
    )
    session.add(reminder)
    await session.delete(draft)
    lines: list[Text] = [t(texts.REMINDER_SET, text=h(reminder.text), when=_when_text(reminder))]
    quiet_start, quiet_end = quiet_hours_of(await session.get(CheckInSchedule, member.id), policy)
    if in_quiet_hours(first, member.timezone, quiet_start, quiet_end):
        quiet = f"{format_hhmm(quiet_start)}–{format_hhmm(quiet_end)}"
        lines.append(t(texts.REMINDER_QUIET_NOTE, quiet=quiet))
    await edit_text(session, member.chat_id, message_id, join(lines), now=now)
    return None


# ---- listing and removing ---------------------------------------------------------------


async def _listing(session: AsyncSession, member: Member) -> tuple[Text, list[list[Button]]]:
    reminders = (
        await session.scalars(
            select(Reminder)
            .where(Reminder.member_id == member.id)
            .order_by(Reminder.next_due_at, Reminder.id)
        )
    ).all()
    if not reminders:
        return t(texts.REMINDER_LIST_EMPTY), []
    lines: list[Text] = [t(texts.REMINDER_LIST_TITLE)]
    buttons: list[list[Button]] = []
    for number, reminder in enumerate(reminders, start=1):
        lines.append(
            t(
                texts.REMINDER_LIST_LINE,
                number=number,
                text=h(reminder.text),
                when=_when_text(reminder),
            )
        )
        buttons.append([(t(texts.REMINDER_REMOVE_BUTTON, number=number), f"rmd:{reminder.id}")])
    return join(lines), buttons


async def list_reminders(session: AsyncSession, *, member: Member, now: datetime) -> None:
    """/reminders: each reminder with a Remove button."""
    body, buttons = await _listing(session, member)
    await send_text(session, member.chat_id, body, buttons=buttons, now=now)


async def remove(
    session: AsyncSession, *, member: Member, reminder_id: int, message_id: int, now: datetime
) -> Text:
    """A Remove button: only the person's own reminder goes. Returns the toast."""
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None or reminder.member_id != member.id:
        return t(texts.NOT_YOUR_BUTTON)
    await session.delete(reminder)
    await session.flush()
    body, buttons = await _listing(session, member)
    await edit_text(session, member.chat_id, message_id, body, buttons=buttons, now=now)
    return t(texts.REMINDER_REMOVED)


async def erase_for(session: AsyncSession, member_id: int) -> None:
    """The person erased their data: their reminders and any half-set one go."""
    await session.execute(delete(Reminder).where(Reminder.member_id == member_id))
    await session.execute(delete(ReminderDraft).where(ReminderDraft.member_id == member_id))


async def export_for(session: AsyncSession, member_id: int) -> list[dict[str, str]]:
    """For /mydata: each reminder with its words and when it comes."""
    return [
        {
            "text": r.text,
            "repeats": "weekly" if r.weekly else "once",
            "first_day": r.local_date.isoformat(),
            "time": r.local_time,
            "next": r.next_due_at.isoformat(),
        }
        for r in (
            await session.scalars(
                select(Reminder).where(Reminder.member_id == member_id).order_by(Reminder.id)
            )
        ).all()
    ]


# ---- sending what is due ----------------------------------------------------------------


@dataclass(frozen=True)
class TickResult:
    claimed: int  # reminders handled (sent, deferred or skipped)
    sent: int


def _advance(reminder: Reminder, zone: str, now: datetime) -> bool:
    """Move a weekly reminder to its next slot after now; False for a one-off (to delete)."""
    if not reminder.weekly:
        return False
    assert reminder.weekday is not None
    local = parse_hhmm(reminder.local_time)
    assert local is not None
    reminder.next_due_at = next_weekly(reminder.weekday, local, zone, now)
    return True


async def run_due(
    session: AsyncSession, policy: CheckInPolicy, now: datetime, limit: int = 100
) -> TickResult:
    """Send the reminders due up to `now` (up to `limit`), in the transaction that moves them
    on: a reminder is sent once, whatever restarts or overlapping ticks do."""
    rows = (
        await session.execute(
            select(Reminder, Member)
            .join(Member, Member.id == Reminder.member_id)
            .where(Reminder.next_due_at <= now)
            .order_by(Reminder.next_due_at, Reminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    sent = 0
    for reminder, member in rows:
        quiet_start, quiet_end = quiet_hours_of(
            await session.get(CheckInSchedule, member.id), policy
        )
        if member.reachable and in_quiet_hours(now, member.timezone, quiet_start, quiet_end):
            # Held until the person's quiet hours end (the first end after now).
            reminder.next_due_at = next_daily(quiet_end, member.timezone, now)
            continue
        late = now - reminder.next_due_at > MAX_LATE
        if member.reachable and not late:
            await send_text(
                session,
                member.chat_id,
                t(texts.REMINDER_FIRES, text=h(reminder.text)),
                now=now,
                priority=Priority.NOTICE,
            )
            sent += 1
        elif late:
            log.info(
                "reminder skipped reminder=%s late_s=%d",
                reminder.id,
                (now - reminder.next_due_at).total_seconds(),
            )
        if not _advance(reminder, member.timezone, now):
            await session.delete(reminder)
    return TickResult(claimed=len(rows), sent=sent)
