"""Program hours and the on-call rota: who is woken first out of hours, what a mentee is told
when staff are away, and the daily summary of alarms nobody has acknowledged."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, t, t_known
from bot.schedule import format_hhmm, parse_hhmm
from bot.services.escalation import (
    FALLBACK_AFTER_ROUNDS,
    EscalationPolicy,
    who_it_is_about,
)
from bot.services.languages import language_of_member
from bot.services.members import coordinator_ids, is_coordinator
from bot.services.outbox import Priority, h, notify_member, send_text
from storage.models import (
    Escalation,
    EscalationEvent,
    Member,
    OnCallShift,
    OutOfHoursNotice,
)

SHIFT_WITHOUT_HOURS = timedelta(hours=24)
SUMMARY_EVERY = timedelta(days=1)
SUMMARIZED = "in daily summary"


def _local(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.strftime('%a')} {format_hhmm(local.time())}"


async def _shift_now(session: AsyncSession, now: datetime) -> OnCallShift | None:
    return await session.scalar(
        select(OnCallShift)
        .where(OnCallShift.starts_at <= now, OnCallShift.ends_at > now)
        .order_by(OnCallShift.id.desc())
    )


async def on_call(
    session: AsyncSession,
    *,
    policy: EscalationPolicy,
    coordinator: int,
    name: str,
    args: list[str],
    chat_id: int,
    zone: str,
    now: datetime,
) -> None:
    """/oncall: who is on call now; `/oncall me`: you, until staff are next at their desks;
    `/oncall <coordinator id> <HH:MM>-<HH:MM>`: a shift (the next such window, or the
    present one), in the program's timezone."""
    if not args:
        shift = await _shift_now(session, now)
        answer = (
            t(texts.DESK_ONCALL_NOBODY)
            if shift is None
            else t(
                texts.DESK_ONCALL_NOW,
                name=h(shift.name or str(shift.coordinator)),
                until=_local(shift.ends_at, zone),
            )
        )
        await send_text(session, chat_id, answer, now=now)
        return
    hours = policy.program_hours
    if args == ["me"]:
        who, who_name, start = coordinator, name, now
        back = hours.next_open(now) if hours is not None and not hours.is_open(now) else None
        end = back or now + SHIFT_WITHOUT_HOURS
    elif len(args) == 2 and args[0].isdigit() and (window := _window(args[1])) is not None:
        who, who_name = int(args[0]), None
        if not await is_coordinator(session, who):
            await send_text(
                session, chat_id, t(texts.DESK_ONCALL_NOT_COORDINATOR, who=who), now=now
            )
            return
        start, end = _next_shift(window, zone, now)
    else:
        await send_text(session, chat_id, t(texts.DESK_ONCALL_USAGE), now=now)
        return
    session.add(
        OnCallShift(
            coordinator=who,
            name=who_name,
            starts_at=start,
            ends_at=end,
            set_by=coordinator,
            created_at=now,
        )
    )
    await send_text(
        session,
        chat_id,
        t(
            texts.DESK_ONCALL_SET,
            name=h(who_name or str(who)),
            start=_local(start, zone),
            end=_local(end, zone),
        ),
        now=now,
    )


def _window(text: str) -> tuple[time, time] | None:
    parts = text.split("-")
    if len(parts) != 2:
        return None
    start, end = parse_hhmm(parts[0]), parse_hhmm(parts[1])
    return None if start is None or end is None or start == end else (start, end)


def _next_shift(window: tuple[time, time], zone: str, now: datetime) -> tuple[datetime, datetime]:
    """The window happening now, or else the next one (an end before the start is the next
    morning)."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
        start = datetime.combine(day, window[0], tz)
        end = datetime.combine(day, window[1], tz)
        if end <= start:
            end += timedelta(days=1)
        if end > now:
            return max(start, now), end
    raise AssertionError("a window within two days always ends after now")


async def tell_if_out_of_hours(
    session: AsyncSession, *, policy: EscalationPolicy, member: Member, now: datetime
) -> None:
    """A mentee wrote, or pressed /sos, while staff are away: once per stretch, what to do
    in an emergency and when staff are back. (Alarms still go out, whatever the hour.)"""
    hours = policy.program_hours
    if hours is None or member.role != "mentee" or hours.is_open(now):
        return
    since = hours.closed_since(now)
    notice = await session.get(OutOfHoursNotice, member.id)
    if notice is not None and since is not None and notice.notified_at >= since:
        return
    if notice is None:
        session.add(OutOfHoursNotice(member_id=member.id, notified_at=now))
    else:
        notice.notified_at = now
    back = hours.next_open(now)
    await notify_member(
        session,
        member,
        t(
            texts.DESK_OUT_OF_HOURS,
            back=_local(back, member.timezone) if back else "—",
            crisis=h(policy.crisis_text(language_of_member(session, member))),
        ),
        now=now,
        priority=Priority.ESCALATION,
    )


async def summarize_unacknowledged(
    session: AsyncSession, *, policy: EscalationPolicy, now: datetime
) -> int:
    """Once a day, alarms still unacknowledged after the fallback rounds, in one list to the
    staff chat (or every coordinator): the reminders go on, but nothing stays unseen in a
    flood of them. Returns how many were listed."""
    rows = (
        await session.scalars(
            select(Escalation)
            .where(Escalation.status == "open", Escalation.notify_round >= FALLBACK_AFTER_ROUNDS)
            .order_by(Escalation.id)
        )
    ).all()
    due = []
    for escalation in rows:
        last = await session.scalar(
            select(EscalationEvent.at)
            .where(
                EscalationEvent.escalation_id == escalation.id, EscalationEvent.kind == SUMMARIZED
            )
            .order_by(EscalationEvent.id.desc())
        )
        if last is None or last <= now - SUMMARY_EVERY:
            due.append(escalation)
    if not due:
        return 0
    lines: list[Text] = []
    for escalation in due:
        about = await who_it_is_about(session, escalation)
        lines.append(
            t(
                texts.DESK_DAILY_SUMMARY_LINE,
                id=escalation.id,
                severity=t_known(texts.SEVERITY_NAMES, escalation.severity, escalation.severity),
                category=t_known(texts.CATEGORY_NAMES, escalation.category, escalation.category),
                who=about,
                when=escalation.opened_at.strftime("%Y-%m-%d %H:%M"),
            )
        )
        session.add(
            EscalationEvent(escalation_id=escalation.id, at=now, kind=SUMMARIZED, actor=None)
        )
    summary = t(texts.DESK_DAILY_SUMMARY, lines=join(lines))
    targets = (
        [policy.coordinator_chat_id]
        if policy.coordinator_chat_id is not None
        else await coordinator_ids(session)
    )
    for chat_id in targets:
        await send_text(session, chat_id, summary, now=now, priority=Priority.ESCALATION)
    return len(due)
