"""Daily check-ins for mentees, weekly check-ins for mentors, missed check-ins, milestones.

The schedule lives in the database (each person's next due time); one recurring job calls
`run_due`, which claims what is due in a batch. A due time is handled in the same
transaction that moves the schedule past it, and a check-in is unique per person and due
time, so nobody gets the same check-in twice, whatever restarts or overlapping ticks do.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.config import Settings
from bot.i18n import Text, Transformed, join, t, t_item, tr
from bot.numbers import parse_int
from bot.risk import assess
from bot.schedule import (
    format_hhmm,
    in_quiet_hours,
    in_window,
    local_date,
    milestone,
    next_daily,
    next_weekly,
    parse_hhmm,
)
from bot.services import heard
from bot.services.concerns import raise_alarm
from bot.services.desk import topic_for
from bot.services.escalation import EscalationPolicy
from bot.services.languages import language_of_member
from bot.services.members import active_mentees, active_mentor_of, coordinator_ids
from bot.services.outbox import (
    Button,
    Priority,
    edit_text,
    enqueue,
    h,
    notify_member,
    send_text,
)
from storage.models import CheckIn, CheckInSchedule, Member, MentorReport

# /sober's date, in ASCII digits (date.fromisoformat alone would be the only guard).
ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

NOTE_WINDOW = timedelta(minutes=30)
OPEN_CHECKIN_COVERS = timedelta(hours=12)
# After a long outage, due times older than this are skipped without recording misses.
MAX_CATCH_UP = timedelta(days=7)


@dataclass(frozen=True)
class CheckInPolicy:
    default_time: time
    quiet_start: time
    quiet_end: time
    grace: timedelta
    nudge_after: int
    alert_after: int
    mentor_weekday: int
    mentor_time: time
    # The staff chat, when it is a forum (checked at start): alerts go to the person's topic.
    forum_chat_id: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> CheckInPolicy:
        quiet_start, quiet_end = (parse_hhmm(p) for p in settings.quiet_hours.split("-"))
        default_time = parse_hhmm(settings.checkin_default_time)
        mentor_time = parse_hhmm(settings.mentor_checkin_time)
        assert quiet_start and quiet_end and default_time and mentor_time  # validated
        return cls(
            default_time=default_time,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            grace=timedelta(hours=settings.checkin_grace_hours),
            nudge_after=settings.missed_nudge_after,
            alert_after=settings.missed_alert_after,
            mentor_weekday=settings.mentor_checkin_weekday,
            mentor_time=mentor_time,
        )


def _time(value: str) -> time:
    parsed = parse_hhmm(value)
    assert parsed is not None
    return parsed


def next_due(schedule: CheckInSchedule, zone: str, after: datetime) -> datetime:
    if schedule.weekday is None:
        return next_daily(_time(schedule.local_time), zone, after)
    return next_weekly(schedule.weekday, _time(schedule.local_time), zone, after)


def new_schedule(member: Member, policy: CheckInPolicy, now: datetime) -> CheckInSchedule:
    weekly = member.role == "mentor"
    schedule = CheckInSchedule(
        member_id=member.id,
        local_time=format_hhmm(policy.mentor_time if weekly else policy.default_time),
        weekday=policy.mentor_weekday if weekly else None,
        quiet_start=format_hhmm(policy.quiet_start),
        quiet_end=format_hhmm(policy.quiet_end),
        missed_streak=0,
    )
    schedule.next_due_at = next_due(schedule, member.timezone, now)
    return schedule


async def ensure_schedules(
    session: AsyncSession, policy: CheckInPolicy, now: datetime, limit: int = 1000
) -> int:
    """Give members without a schedule one (new members, or members from before), `limit` at
    a time so that one transaction stays small."""
    members = (
        await session.scalars(
            select(Member)
            .where(
                ~select(CheckInSchedule.member_id)
                .where(CheckInSchedule.member_id == Member.id)
                .exists()
            )
            .limit(limit)
        )
    ).all()
    for member in members:
        session.add(new_schedule(member, policy, now))
    return len(members)


@dataclass(frozen=True)
class TickResult:
    people: int  # schedules handled
    prompts: int  # prompts queued


async def run_due(
    session: AsyncSession, policy: CheckInPolicy, now: datetime, limit: int = 100
) -> TickResult:
    """Handle every due time up to `now` for up to `limit` people."""
    await ensure_schedules(session, policy, now)
    rows = (
        await session.execute(
            select(CheckInSchedule, Member)
            .join(Member, Member.id == CheckInSchedule.member_id)
            .where(CheckInSchedule.next_due_at <= now)
            .order_by(CheckInSchedule.next_due_at)
            .limit(limit)
        )
    ).all()
    prompts = 0
    for schedule, member in rows:
        if now - schedule.next_due_at > MAX_CATCH_UP:
            schedule.next_due_at = next_due(schedule, member.timezone, now - policy.grace)
        while schedule.next_due_at <= now:
            due = schedule.next_due_at
            schedule.next_due_at = next_due(schedule, member.timezone, due)
            if not member.reachable:
                continue  # check-ins stop for someone who blocked the bot
            if schedule.paused_until is not None and schedule.paused_until > due:
                continue
            # Only the latest due time can still be sent, and only within the grace window
            # and outside quiet hours; anything else is recorded as missed.
            sendable = (
                schedule.next_due_at > now
                and now - due <= policy.grace
                and not in_quiet_hours(
                    now, member.timezone, _time(schedule.quiet_start), _time(schedule.quiet_end)
                )
            )
            if member.role == "mentee":
                prompts += await _daily(session, schedule, member, due, sendable, policy, now)
            elif sendable:
                prompts += await _weekly(session, member, due, now)
    return TickResult(people=len(rows), prompts=prompts)


async def _daily(
    session: AsyncSession,
    schedule: CheckInSchedule,
    member: Member,
    due: datetime,
    sendable: bool,
    policy: CheckInPolicy,
    now: datetime,
) -> int:
    # A check-in left unanswered is missed once the next one is due, unless the person
    # opened it only recently (/checkin just before the scheduled time): then it stands in
    # for this one, and they are not interrupted.
    recent = False
    for open_checkin in (
        await session.scalars(
            select(CheckIn).where(CheckIn.member_id == member.id, CheckIn.status == "sent")
        )
    ).all():
        if now - open_checkin.created_at < OPEN_CHECKIN_COVERS:
            recent = True
            continue
        open_checkin.status = "missed"
        await _count_miss(session, schedule, member, policy, now)
    if recent:
        return 0
    checkin = CheckIn(
        member_id=member.id,
        due_at=due,
        status="sent" if sendable else "missed",
        awaiting_note=False,
        risk=False,
        created_at=now,
    )
    session.add(checkin)
    await session.flush()
    await _celebrate_milestone(session, schedule, member, now)
    if not sendable:
        await _count_miss(session, schedule, member, policy, now)
        return 0
    await _send_prompt(session, member, checkin, now)
    return 1


async def _send_prompt(
    session: AsyncSession, member: Member, checkin: CheckIn, now: datetime
) -> None:
    await send_text(
        session,
        member.chat_id,
        t(texts.CHECKIN_MOOD),
        buttons=_mood_buttons(checkin.id),
        now=now,
        priority=Priority.BULK,
    )


async def _count_miss(
    session: AsyncSession,
    schedule: CheckInSchedule,
    member: Member,
    policy: CheckInPolicy,
    now: datetime,
) -> None:
    schedule.missed_streak += 1
    streak = schedule.missed_streak
    if streak == policy.nudge_after:
        current = await active_mentor_of(session, member.id)
        if current is not None:
            await notify_member(
                session,
                current[1],
                t(texts.MISSED_NUDGE_FOR_MENTOR, pseudonym=h(member.pseudonym), count=streak),
                now=now,
            )
    if streak == policy.alert_after:
        alert = t(
            texts.MISSED_ALERT_FOR_COORDINATORS,
            pseudonym=h(member.pseudonym),
            short_id=member.short_id,
            count=streak,
        )
        topic = await topic_for(
            session, forum_chat_id=policy.forum_chat_id, member=member, now=now
        )
        if policy.forum_chat_id is not None and topic is not None:
            await send_text(session, policy.forum_chat_id, alert, now=now, thread_of=topic)
            return
        for coordinator in await coordinator_ids(session):
            await send_text(session, coordinator, alert, now=now)


async def _celebrate_milestone(
    session: AsyncSession, schedule: CheckInSchedule, member: Member, now: datetime
) -> None:
    if schedule.recovery_start is None:
        return
    days = (local_date(now, member.timezone) - schedule.recovery_start).days
    if not milestone(days) or schedule.last_milestone == days:
        return
    schedule.last_milestone = days
    await notify_member(session, member, t(texts.MILESTONE_MENTEE, days=days), now=now)
    current = await active_mentor_of(session, member.id)
    if current is not None:
        await notify_member(
            session,
            current[1],
            t(texts.MILESTONE_MENTOR, pseudonym=h(member.pseudonym), days=days),
            now=now,
        )


async def _weekly(session: AsyncSession, mentor: Member, due: datetime, now: datetime) -> int:
    sent = 0
    for _, mentee in await active_mentees(session, mentor.id):
        report = MentorReport(mentor_id=mentor.id, mentee_id=mentee.id, due_at=due, created_at=now)
        session.add(report)
        await session.flush()
        buttons: list[list[Button]] = [
            [(t_item(texts.MENTOR_REPORT_ANSWERS, key), f"mr:{report.id}:{key}")]
            for key in texts.MENTOR_REPORT_ANSWERS
        ]
        await send_text(
            session,
            mentor.chat_id,
            t(texts.MENTOR_REPORT_PROMPT, pseudonym=h(mentee.pseudonym)),
            buttons=buttons,
            now=now,
            priority=Priority.BULK,
        )
        sent += 1
    return sent


# ---- answering -------------------------------------------------------------------------


def _mood_buttons(checkin_id: int) -> list[list[Button]]:
    return [[(label.split()[0], f"ci:{checkin_id}:m:{v}") for v, label in texts.MOODS.items()]]


def _craving_buttons(checkin_id: int) -> list[list[Button]]:
    return [[(t_item(texts.CRAVINGS, v), f"ci:{checkin_id}:c:{v}") for v in texts.CRAVINGS]]


def _used_buttons(checkin_id: int) -> list[list[Button]]:
    return [[(t_item(texts.USED, v), f"ci:{checkin_id}:u:{v}") for v in texts.USED]]


def recorded_lines(checkin: CheckIn) -> list[Text]:
    lines: list[Text] = []
    if checkin.mood is not None:
        lines.append(
            t(
                texts.CHECKIN_RECORDED_LINE,
                label=t(texts.MOOD_LABEL),
                value=t_item(texts.MOODS, checkin.mood),
            )
        )
    if checkin.craving is not None:
        lines.append(
            t(
                texts.CHECKIN_RECORDED_LINE,
                label=t(texts.CRAVING_LABEL),
                value=t_item(texts.CRAVINGS, checkin.craving),
            )
        )
    if checkin.used is not None:
        lines.append(
            t(
                texts.CHECKIN_RECORDED_LINE,
                label=t(texts.USED_LABEL),
                value=t_item(texts.USED, int(checkin.used)),
            )
        )
    return lines


async def answer_checkin(
    session: AsyncSession,
    *,
    member: Member,
    checkin_id: int,
    field: str,
    value: str,
    message_id: int,
    now: datetime,
    forum_chat_id: int | None = None,
) -> Text | None:
    """Record one tap on a check-in prompt; returns a toast, or None when all is well.
    `forum_chat_id`: the staff forum, where a risky check-in is noted in the mentee's topic."""
    checkin = await session.get(CheckIn, checkin_id)
    if checkin is None or checkin.member_id != member.id:
        return t(texts.NOT_YOUR_BUTTON)
    if checkin.status == "missed":
        return t(texts.CHECKIN_CLOSED)
    number = parse_int(value, low=0, high=9)
    header = Transformed(t(texts.CHECKIN_MOOD), lambda text: text.split("\n")[0])
    if field == "m" and number in texts.MOODS:
        if checkin.mood is not None:
            return t(texts.CHECKIN_ALREADY)
        checkin.mood = number
        prompt, buttons = t(texts.CHECKIN_CRAVING), _craving_buttons(checkin.id)
    elif field == "c" and number in texts.CRAVINGS and checkin.mood is not None:
        if checkin.craving is not None:
            return t(texts.CHECKIN_ALREADY)
        checkin.craving = number
        prompt, buttons = t(texts.CHECKIN_USED), _used_buttons(checkin.id)
    elif field == "u" and number in texts.USED and checkin.craving is not None:
        if checkin.used is not None:
            return t(texts.CHECKIN_ALREADY)
        checkin.used = bool(number)
        checkin.status = "answered"
        checkin.answered_at = now
        checkin.awaiting_note = True
        member.note_offered_at = now
        schedule = await session.get(CheckInSchedule, member.id)
        if schedule is not None:
            schedule.missed_streak = 0
        prompt, buttons = (
            t(texts.CHECKIN_NOTE),
            [[(t(texts.CHECKIN_SKIP), f"ci:{checkin.id}:n:skip")]],
        )
    elif field == "n" and value == "skip" and checkin.status == "answered":
        if not checkin.awaiting_note:
            return t(texts.CHECKIN_ALREADY)
        checkin.awaiting_note = False
        member.note_offered_at = None
        prompt, buttons = t(texts.CHECKIN_DONE), []
    else:
        return t(texts.STALE_BUTTON)
    body = join([header, *recorded_lines(checkin), "", prompt])
    await edit_text(session, member.chat_id, message_id, body, buttons=buttons, now=now)
    await _alert_mentor_on_risk(session, member, checkin, now, forum_chat_id)
    return None


async def _alert_mentor_on_risk(
    session: AsyncSession,
    member: Member,
    checkin: CheckIn,
    now: datetime,
    forum_chat_id: int | None = None,
) -> None:
    """Using, or a very high craving, reaches the mentor at once (once per check-in), and
    the mentee's topic in the staff forum when there is one."""
    if checkin.risk or not (checkin.used or checkin.craving == max(texts.CRAVINGS)):
        return
    checkin.risk = True
    answers = Transformed(
        join(recorded_lines(checkin), "; "),
        lambda text: text.replace("<b>", "").replace("</b>", ""),
    )
    topic = await topic_for(session, forum_chat_id=forum_chat_id, member=member, now=now)
    if forum_chat_id is not None and topic is not None:
        await send_text(
            session,
            forum_chat_id,
            t(
                texts.DESK_RISKY_CHECKIN,
                member=h(member.pseudonym),
                short_id=member.short_id,
                answers=answers,
            ),
            now=now,
            priority=Priority.RELAY,
            thread_of=topic,
        )
    current = await active_mentor_of(session, member.id)
    if current is None:
        return
    await notify_member(
        session,
        current[1],
        t(texts.CHECKIN_RISK_FOR_MENTOR, pseudonym=h(member.pseudonym), answers=answers),
        now=now,
        priority=Priority.RELAY,
    )


async def take_note(
    session: AsyncSession,
    *,
    member: Member,
    text: str,
    now: datetime,
    escalations: EscalationPolicy | None = None,
    message_id: int | None = None,
) -> bool:
    """If the mentee was just offered a note, keep this text as the note. Returns True if so."""
    offered = member.note_offered_at
    if offered is None:
        return False
    member.note_offered_at = None
    if now - offered > NOTE_WINDOW:
        return False
    checkin = await session.scalar(
        select(CheckIn)
        .where(CheckIn.member_id == member.id, CheckIn.awaiting_note.is_(True))
        .order_by(CheckIn.id.desc())
    )
    if checkin is None:
        return False
    checkin.awaiting_note = False
    if checkin.answered_at is None or now - checkin.answered_at > NOTE_WINDOW:
        return False
    # Kept whole: the column has no limit and Telegram lets a message hold 4,096 characters.
    checkin.note = text
    await send_text(session, member.chat_id, t(texts.CHECKIN_NOTE_SAVED), now=now)
    if escalations is not None:
        current = await active_mentor_of(session, member.id)
        pairing, mentor = current if current is not None else (None, None)
        await raise_alarm(
            session,
            policy=escalations,
            assessment=assess(text),
            writer=member,
            mentee=member,
            mentor=mentor,
            pairing=pairing,
            text=text,
            source_message_id=message_id,
            raised_by="checkin",
            now=now,
        )
    return True


async def check_in_now(session: AsyncSession, *, member: Member, now: datetime) -> None:
    """/checkin: the open check-in again, or a new one."""
    checkin = await session.scalar(
        select(CheckIn)
        .where(CheckIn.member_id == member.id, CheckIn.status == "sent")
        .order_by(CheckIn.id.desc())
    )
    if checkin is None or checkin.mood is not None:
        checkin = CheckIn(
            member_id=member.id,
            due_at=now,
            status="sent",
            awaiting_note=False,
            risk=False,
            created_at=now,
        )
        session.add(checkin)
        await session.flush()
    await send_text(
        session, member.chat_id, t(texts.CHECKIN_MOOD), buttons=_mood_buttons(checkin.id), now=now
    )


# ---- settings a mentee changes ---------------------------------------------------------


async def _schedule_for(
    session: AsyncSession, member: Member, policy: CheckInPolicy, now: datetime
) -> CheckInSchedule:
    schedule = await session.get(CheckInSchedule, member.id)
    if schedule is None:
        schedule = new_schedule(member, policy, now)
        session.add(schedule)
    return schedule


def _when(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M")


async def set_time(
    session: AsyncSession, *, member: Member, raw: str, policy: CheckInPolicy, now: datetime
) -> Text:
    schedule = await _schedule_for(session, member, policy, now)
    local = parse_hhmm(raw)
    if local is None:
        return t(texts.SCHEDULE_USAGE, timezone=h(member.timezone))
    quiet_start, quiet_end = _time(schedule.quiet_start), _time(schedule.quiet_end)
    if in_window(local, quiet_start, quiet_end):
        return t(
            texts.SCHEDULE_IN_QUIET_HOURS,
            time=format_hhmm(local),
            quiet=f"{schedule.quiet_start}–{schedule.quiet_end}",
        )
    schedule.local_time = format_hhmm(local)
    schedule.next_due_at = next_due(schedule, member.timezone, now)
    return t(
        texts.SCHEDULE_SET,
        time=schedule.local_time,
        timezone=h(member.timezone),
        next=_when(schedule.next_due_at, member.timezone),
    )


async def set_quiet(
    session: AsyncSession,
    *,
    member: Member,
    args: list[str],
    policy: CheckInPolicy,
    now: datetime,
) -> Text:
    parts = args if len(args) == 2 else " ".join(args).replace("–", "-").split("-")
    times = [parse_hhmm(p) for p in parts] if len(parts) == 2 else []
    if len(times) != 2 or times[0] is None or times[1] is None:
        return t(texts.QUIET_USAGE)
    schedule = await _schedule_for(session, member, policy, now)
    if in_window(_time(schedule.local_time), times[0], times[1]):
        return t(
            texts.SCHEDULE_IN_QUIET_HOURS,
            time=schedule.local_time,
            quiet=f"{format_hhmm(times[0])}–{format_hhmm(times[1])}",
        )
    schedule.quiet_start, schedule.quiet_end = format_hhmm(times[0]), format_hhmm(times[1])
    return t(texts.QUIET_SET, quiet=f"{schedule.quiet_start}–{schedule.quiet_end}")


async def pause(
    session: AsyncSession, *, member: Member, raw: str, policy: CheckInPolicy, now: datetime
) -> Text:
    days = parse_int(raw, low=1, high=90)
    if days is None:
        return t(texts.PAUSE_USAGE)
    schedule = await _schedule_for(session, member, policy, now)
    schedule.paused_until = now + timedelta(days=days)
    return t(texts.PAUSED, until=_when(schedule.paused_until, member.timezone))


async def resume(
    session: AsyncSession, *, member: Member, policy: CheckInPolicy, now: datetime
) -> Text:
    schedule = await _schedule_for(session, member, policy, now)
    was_paused = schedule.paused_until is not None and schedule.paused_until > now
    schedule.paused_until = None
    schedule.next_due_at = next_due(schedule, member.timezone, now)
    when = _when(schedule.next_due_at, member.timezone)
    return t(texts.RESUMED, next=when) if was_paused else t(texts.NOT_PAUSED, next=when)


async def set_recovery_start(
    session: AsyncSession, *, member: Member, raw: str, policy: CheckInPolicy, now: datetime
) -> Text:
    if ISO_DATE_RE.fullmatch(raw.strip()) is None:
        return t(texts.SOBER_USAGE)
    try:
        start = date.fromisoformat(raw.strip())
    except ValueError:
        return t(texts.SOBER_USAGE)
    today = local_date(now, member.timezone)
    if start > today:
        return t(texts.SOBER_USAGE)
    schedule = await _schedule_for(session, member, policy, now)
    schedule.recovery_start = start
    schedule.last_milestone = (today - start).days  # today's milestone, if any, is not news
    return t(texts.SOBER_SET, date=start.isoformat(), days=(today - start).days)


async def answer_report(
    session: AsyncSession,
    *,
    mentor: Member,
    report_id: int,
    answer: str,
    message_id: int,
    now: datetime,
    escalations: EscalationPolicy,
) -> Text | None:
    """Record a mentor's weekly answer about a mentee; the staff hear what needs a look."""
    report = await session.get(MentorReport, report_id)
    if report is None or report.mentor_id != mentor.id:
        return t(texts.NOT_YOUR_BUTTON)
    if answer not in texts.MENTOR_REPORT_ANSWERS:
        return t(texts.STALE_BUTTON)
    if report.answer is not None:
        return t(texts.CHECKIN_ALREADY)
    mentee = await session.get(Member, report.mentee_id)
    assert mentee is not None
    report.answer = answer
    report.answered_at = now
    await edit_text(
        session,
        mentor.chat_id,
        message_id,
        t(
            texts.MENTOR_REPORT_RECORDED,
            pseudonym=h(mentee.pseudonym),
            answer=t_item(texts.MENTOR_REPORT_ANSWERS, answer),
        ),
        now=now,
    )
    await heard.hear_weekly_answer(
        session, policy=escalations, report=report, mentor=mentor, mentee=mentee, now=now
    )
    return None


async def recent_checkins(
    session: AsyncSession, member: Member, now: datetime, days: int = 30
) -> list[CheckIn]:
    return list(
        (
            await session.scalars(
                select(CheckIn)
                .where(
                    CheckIn.member_id == member.id,
                    CheckIn.status == "answered",
                    CheckIn.due_at >= now - timedelta(days=days),
                )
                .order_by(CheckIn.due_at)
            )
        ).all()
    )


async def send_progress(session: AsyncSession, *, member: Member, now: datetime) -> int:
    """/progress: a mentee's own chart, or one per mentee for a mentor. Returns charts sent."""
    subjects = (
        [member]
        if member.role == "mentee"
        else [mentee for _, mentee in await active_mentees(session, member.id)]
    )
    sent = 0
    for subject in subjects:
        points = [
            (local_date(c.due_at, subject.timezone), c.mood or 0, c.craving or 0)
            for c in await recent_checkins(session, subject, now)
        ]
        if not points:
            continue
        language = language_of_member(session, member)
        caption = tr(language, texts.PROGRESS_CAPTION, pseudonym=subject.pseudonym)
        legend = (tr(language, texts.CHART_MOOD), tr(language, texts.CHART_CRAVING))
        from bot.charts import progress_png  # matplotlib is heavy: load it on first use

        png = await asyncio.to_thread(progress_png, points, caption, legend)
        await enqueue(
            session,
            chat_id=member.chat_id,
            method="sendPhoto",
            payload={"photo_bytes": png.hex(), "caption": caption},
            now=now,
        )
        sent += 1
    if not sent:
        await send_text(session, member.chat_id, t(texts.PROGRESS_NONE), now=now)
    return sent
