"""The program's figures for coordinators and funders: /stats, /stats chart, /export and the
weekly digest.

Everything is counted in SQL (aggregates grouped by week buckets); the only values fetched
one per row are the durations behind the percentiles, as plain numbers. Nothing here reads a
message, a note or a Telegram id.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, render, t, t_item, t_known
from bot.services.coping import helped_counts
from bot.services.languages import recipient_language
from bot.services.members import coordinator_ids
from bot.services.outbox import enqueue, h, send_text
from storage.models import (
    CheckIn,
    Concern,
    Escalation,
    Member,
    MentorReport,
    MentorWellbeing,
    Pairing,
    RelayedMessage,
    ReportDigest,
)

WEEKS = 12  # weeks in the chart and the CSV, the current one included
DIGEST_WEEKDAY = 0  # Monday, in DEFAULT_TIMEZONE
DIGEST_TIME = time(9, 0)


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        return None if not self.whole else round(100 * self.part / self.whole)


@dataclass(frozen=True)
class Durations:
    """Seconds from an escalation's opening to its acknowledgement (or resolution)."""

    count: int
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class MentorCare:
    """One mentor's exposure (escalations about their mentees in 30 days), load (active
    mentees) and latest wellbeing answer (None: none yet)."""

    pseudonym: str
    short_id: str
    exposure: int
    load: int
    wellbeing: str | None


# Mentors listed in /stats, most exposed first.
MENTOR_CARE_ROWS = 30


@dataclass(frozen=True)
class ProgramStats:
    now: datetime
    mentees: int
    mentors: int
    pairings: int
    waiting_mentees: int
    mentees_per_mentor: float | None
    mentors_full: int
    mentors_idle: int
    adherence_7: Rate
    adherence_30: Rate
    engagement_7: Rate
    escalations: list[tuple[str, str, int]]  # (category, outcome or "open", count), 30 days
    to_acknowledge: Durations
    to_resolve: Durations
    ladders_answered: int
    ladders_climbed: int
    mentor_care: list[MentorCare] = field(default_factory=list)
    # "Did that help?" per coping exercise, 30 days: {exercise: {"yes": n, "bit": n, "no": n}}
    coping: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Week:
    start: date  # a Monday (UTC)
    adherence: Rate
    engagement: Rate | None  # None: older than the routing records are kept
    escalations: int


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of values sorted ascending."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return float(sorted_values[rank - 1])


def _seconds(session: AsyncSession, later: Any, earlier: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


async def _durations(session: AsyncSession, column: Any, since: datetime) -> Durations:
    seconds = _seconds(session, column, Escalation.opened_at)
    values = [
        round(float(v))
        for v in await session.scalars(
            select(seconds)
            .where(column.is_not(None), Escalation.opened_at >= since)
            .order_by(seconds)
        )
    ]
    if not values:
        return Durations(0, None, None)
    return Durations(len(values), float(statistics.median(values)), percentile(values, 90))


def _live(role: str) -> ColumnElement[bool]:
    return and_(Member.role == role, Member.erased_at.is_(None))


async def _count(session: AsyncSession, statement: Any) -> int:
    return int(await session.scalar(statement) or 0)


async def _adherence(session: AsyncSession, start: datetime, end: datetime) -> Rate:
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((CheckIn.status == "answered", 1), else_=0)), 0),
            ).where(CheckIn.due_at >= start, CheckIn.due_at < end)
        )
    ).one()
    return Rate(int(row[1]), int(row[0]))


def _paired_during(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(
        Pairing.created_at < end, or_(Pairing.ended_at.is_(None), Pairing.ended_at >= start)
    )


async def _engagement(session: AsyncSession, start: datetime, end: datetime) -> Rate:
    """Mentees paired at some time in [start, end) who wrote to their mentor in it."""
    whole = await _count(
        session,
        select(func.count(distinct(Pairing.mentee_id)))
        .join(Member, Member.id == Pairing.mentee_id)
        .where(_paired_during(start, end), Member.erased_at.is_(None)),
    )
    part = await _count(
        session,
        select(func.count(distinct(Pairing.mentee_id)))
        .join(RelayedMessage, RelayedMessage.pairing_id == Pairing.id)
        .join(Member, Member.id == Pairing.mentee_id)
        .where(
            RelayedMessage.direction == "to_mentor",
            RelayedMessage.created_at >= start,
            RelayedMessage.created_at < end,
            Member.erased_at.is_(None),
        ),
    )
    return Rate(part, whole)


async def program_stats(
    session: AsyncSession, *, now: datetime, default_capacity: int
) -> ProgramStats:
    """The figures /stats shows and the weekly digest sends."""
    mentees = await _count(session, select(func.count()).where(_live("mentee")))
    mentors = await _count(session, select(func.count()).where(_live("mentor")))
    pairings = await _count(
        session, select(func.count()).select_from(Pairing).where(Pairing.ended_at.is_(None))
    )
    load = (
        select(Pairing.mentor_id, func.count().label("n"))
        .where(Pairing.ended_at.is_(None))
        .group_by(Pairing.mentor_id)
        .subquery()
    )
    n = func.coalesce(load.c.n, 0)
    full, idle = (
        await session.execute(
            select(
                func.coalesce(
                    func.sum(
                        case((n >= func.coalesce(Member.capacity, default_capacity), 1), else_=0)
                    ),
                    0,
                ),
                func.coalesce(func.sum(case((n == 0, 1), else_=0)), 0),
            )
            .select_from(Member)
            .outerjoin(load, load.c.mentor_id == Member.id)
            .where(_live("mentor"))
        )
    ).one()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    categories = [
        (str(category), str(outcome), int(count))
        for category, outcome, count in (
            await session.execute(
                select(
                    Escalation.category,
                    func.coalesce(
                        Escalation.outcome_kind,
                        case((Escalation.status == "resolved", "unrecorded"), else_="open"),
                    ),
                    func.count(),
                )
                .where(Escalation.opened_at >= month)
                .group_by(Escalation.category, Escalation.outcome_kind, Escalation.status)
                .order_by(Escalation.category)
            )
        ).all()
    ]
    merged: dict[tuple[str, str], int] = {}
    for category, outcome, count in categories:
        merged[(category, outcome)] = merged.get((category, outcome), 0) + count
    answered, climbed = (
        await session.execute(
            select(
                func.coalesce(func.sum(case((Concern.answered_at.is_not(None), 1), else_=0)), 0),
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(Concern.answered_at.is_(None), Concern.status == "escalated"),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                ),
            ).where(Concern.created_at >= month)
        )
    ).one()
    return ProgramStats(
        now=now,
        mentees=mentees,
        mentors=mentors,
        pairings=pairings,
        waiting_mentees=await _count(
            session,
            select(func.count()).where(
                _live("mentee"),
                ~select(Pairing.id)
                .where(Pairing.mentee_id == Member.id, Pairing.ended_at.is_(None))
                .exists(),
            ),
        ),
        mentees_per_mentor=pairings / mentors if mentors else None,
        mentors_full=int(full),
        mentors_idle=int(idle),
        adherence_7=await _adherence(session, week, now),
        adherence_30=await _adherence(session, month, now),
        engagement_7=await _engagement(session, week, now),
        escalations=[(c, o, k) for (c, o), k in merged.items()],
        to_acknowledge=await _durations(session, Escalation.acknowledged_at, month),
        to_resolve=await _durations(session, Escalation.resolved_at, month),
        ladders_answered=int(answered),
        ladders_climbed=int(climbed),
        mentor_care=await mentor_care(session, since=month),
        coping=await helped_counts(session, since=month),
    )


async def mentor_care(session: AsyncSession, *, since: datetime) -> list[MentorCare]:
    """Per mentor, in one query: escalations about their mentees since `since`, active
    mentees, and their latest wellbeing answer."""
    exposure = (
        select(func.count())
        .select_from(Escalation)
        .where(
            Escalation.mentor_id == Member.id,
            Escalation.mentee_id.is_not(None),
            Escalation.opened_at >= since,
        )
        .correlate(Member)
        .scalar_subquery()
    )
    load = (
        select(func.count())
        .select_from(Pairing)
        .where(Pairing.mentor_id == Member.id, Pairing.ended_at.is_(None))
        .correlate(Member)
        .scalar_subquery()
    )
    latest = (
        select(MentorWellbeing.answer)
        .where(MentorWellbeing.mentor_id == Member.id, MentorWellbeing.answer.is_not(None))
        .order_by(MentorWellbeing.answered_at.desc(), MentorWellbeing.id.desc())
        .limit(1)
        .correlate(Member)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Member.id, Member.pseudonym, exposure, load, latest)
        .where(_live("mentor"))
        .order_by(exposure.desc(), load.desc(), Member.id)
        .limit(MENTOR_CARE_ROWS)
    )
    return [
        MentorCare(str(pseudonym), f"M-{member_id:04d}", int(n), int(k), answer)
        for member_id, pseudonym, n, k, answer in rows.all()
    ]


def week_starts(now: datetime, weeks: int = WEEKS) -> list[datetime]:
    """The Mondays (00:00 UTC) of the last `weeks` weeks, oldest first, this one last."""
    today = now.date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), time(0), now.tzinfo)
    return [monday - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]


def _bucket(column: Any, starts: list[datetime]) -> Any:
    """Which week (index into `starts`) a timestamp falls in; NULL before the first."""
    return case(
        *[(column >= start, index) for index, start in reversed(list(enumerate(starts)))],
        else_=None,
    )


async def weekly_series(
    session: AsyncSession, *, now: datetime, retention: timedelta, weeks: int = WEEKS
) -> list[Week]:
    """Adherence, engagement and escalations per week (the chart and the digest)."""
    starts = week_starts(now, weeks)
    ends = starts[1:] + [now]
    checkin_week = _bucket(CheckIn.due_at, starts)
    due: dict[int, Rate] = {
        int(index): Rate(int(part), int(whole))
        for index, whole, part in (
            await session.execute(
                select(
                    checkin_week,
                    func.count(),
                    func.sum(case((CheckIn.status == "answered", 1), else_=0)),
                )
                .where(CheckIn.due_at >= starts[0], CheckIn.due_at < now)
                .group_by(checkin_week)
            )
        ).all()
    }
    escalation_week = _bucket(Escalation.opened_at, starts)
    opened = {
        int(index): int(count)
        for index, count in (
            await session.execute(
                select(escalation_week, func.count())
                .where(Escalation.opened_at >= starts[0], Escalation.opened_at < now)
                .group_by(escalation_week)
            )
        ).all()
    }
    series = []
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        engagement = await _engagement(session, start, end) if start >= now - retention else None
        series.append(
            Week(start.date(), due.get(index, Rate(0, 0)), engagement, opened.get(index, 0))
        )
    return series


EXPORT_COLUMNS = (
    "week_start",
    "member",
    "role",
    "paired",
    "checkins_due",
    "checkins_answered",
    "messages_written",
    "escalations",
    "concerns",
    "weekly_answers",
)


async def _per_member_week(session: AsyncSession, statement: Any) -> dict[tuple[int, int], int]:
    return {
        (int(member), int(index)): int(count)
        for member, index, count in (await session.execute(statement)).all()
    }


async def export_csv(session: AsyncSession, *, now: datetime, retention: timedelta) -> str:
    """Per member and per week: counts only, members by short id (see README, /export)."""
    starts = week_starts(now)
    ends = starts[1:] + [now]
    first = starts[0]
    members = (
        await session.execute(
            select(Member.id, Member.role, Member.created_at)
            .where(Member.erased_at.is_(None), Member.created_at <= now)
            .order_by(Member.id)
        )
    ).all()
    week = _bucket(CheckIn.due_at, starts)
    due = await _per_member_week(
        session,
        select(CheckIn.member_id, week, func.count())
        .where(CheckIn.due_at >= first, CheckIn.due_at < now)
        .group_by(CheckIn.member_id, week),
    )
    answered = await _per_member_week(
        session,
        select(CheckIn.member_id, week, func.count())
        .where(CheckIn.due_at >= first, CheckIn.due_at < now, CheckIn.status == "answered")
        .group_by(CheckIn.member_id, week),
    )
    writer = case(
        (RelayedMessage.direction == "to_mentor", Pairing.mentee_id), else_=Pairing.mentor_id
    )
    week = _bucket(RelayedMessage.created_at, starts)
    written = await _per_member_week(
        session,
        select(writer, week, func.count())
        .join(Pairing, Pairing.id == RelayedMessage.pairing_id)
        .where(RelayedMessage.created_at >= first, RelayedMessage.created_at < now)
        .group_by(writer, week),
    )
    about = func.coalesce(Escalation.mentee_id, Escalation.writer_id)
    week = _bucket(Escalation.opened_at, starts)
    escalations = await _per_member_week(
        session,
        select(about, week, func.count())
        .where(Escalation.opened_at >= first, Escalation.opened_at < now, about.is_not(None))
        .group_by(about, week),
    )
    week = _bucket(Concern.created_at, starts)
    concerns = await _per_member_week(
        session,
        select(Concern.mentee_id, week, func.count())
        .where(Concern.created_at >= first, Concern.created_at < now)
        .group_by(Concern.mentee_id, week),
    )
    week = _bucket(MentorReport.answered_at, starts)
    reports = await _per_member_week(
        session,
        select(MentorReport.mentor_id, week, func.count())
        .where(MentorReport.answered_at >= first, MentorReport.answered_at < now)
        .group_by(MentorReport.mentor_id, week),
    )
    paired: set[tuple[int, int]] = set()
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        for mentee, mentor in (
            await session.execute(
                select(Pairing.mentee_id, Pairing.mentor_id).where(_paired_during(start, end))
            )
        ).all():
            paired.update({(int(mentee), index), (int(mentor), index)})
    out = io.StringIO()
    table = csv.writer(out, lineterminator="\n")
    table.writerow(EXPORT_COLUMNS)
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        kept = start >= now - retention
        for member_id, role, created in members:
            if created >= end and index < len(starts) - 1:
                continue
            key = (member_id, index)
            mentee = role == "mentee"
            table.writerow(
                [
                    start.date().isoformat(),
                    f"M-{member_id:04d}",
                    role,
                    int(key in paired),
                    due.get(key, 0) if mentee else "",
                    answered.get(key, 0) if mentee else "",
                    written.get(key, 0) if kept else "",
                    escalations.get(key, 0),
                    concerns.get(key, 0) if mentee else "",
                    "" if mentee else reports.get(key, 0),
                ]
            )
    return out.getvalue()


_OUTCOMES = {
    "real_danger": texts.STATS_OUTCOME_REAL_DANGER,
    "support_needed": texts.STATS_OUTCOME_SUPPORT_NEEDED,
    "false_alarm": texts.STATS_OUTCOME_FALSE_ALARM,
    "unrecorded": texts.STATS_OUTCOME_UNRECORDED,
    "open": texts.STATS_OUTCOME_OPEN,
}


def _minutes(seconds: float | None) -> Text | str:
    if seconds is None:
        return "–"
    if seconds < 120:
        return t(texts.STATS_SECONDS, n=round(seconds))
    if seconds < 2 * 3600:
        return t(texts.STATS_MINUTES, n=round(seconds / 60))
    return t(texts.STATS_HOURS, n=round(seconds / 3600, 1))


def _rate(rate: Rate) -> Text:
    if rate.percent is None:
        return t(texts.STATS_NONE)
    return t(texts.STATS_RATE, part=rate.part, whole=rate.whole, percent=rate.percent)


def _durations_line(template: str, durations: Durations) -> Text:
    if not durations.count:
        return t(template, median="–", p90="–", count=0)
    return t(
        template,
        median=_minutes(durations.median_s),
        p90=_minutes(durations.p90_s),
        count=durations.count,
    )


def _outcome(count: int, outcome: str) -> Text:
    label = t(_OUTCOMES[outcome]) if outcome in _OUTCOMES else outcome
    return join([str(count), label], " ")


def stats_text(stats: ProgramStats) -> Text:
    """/stats as a coordinator reads it (in the language of the chat it goes to)."""
    lines: list[Text] = [
        t(texts.STATS_TITLE, when=stats.now.strftime("%Y-%m-%d %H:%M")),
        t(
            texts.STATS_MEMBERS,
            mentees=stats.mentees,
            mentors=stats.mentors,
            pairings=stats.pairings,
            waiting=stats.waiting_mentees,
        ),
        t(
            texts.STATS_LOAD,
            average="–" if stats.mentees_per_mentor is None else f"{stats.mentees_per_mentor:.1f}",
            full=stats.mentors_full,
            idle=stats.mentors_idle,
        ),
        t(texts.STATS_ADHERENCE, week=_rate(stats.adherence_7), month=_rate(stats.adherence_30)),
        t(texts.STATS_ENGAGEMENT, rate=_rate(stats.engagement_7)),
        t(texts.STATS_ESCALATIONS, count=sum(n for _, _, n in stats.escalations)),
    ]
    by_category: dict[str, list[Text]] = {}
    for category, outcome, count in stats.escalations:
        by_category.setdefault(category, []).append(_outcome(count, outcome))
    for category, parts in by_category.items():
        lines.append(
            t(
                texts.STATS_CATEGORY,
                category=t_known(texts.CATEGORY_NAMES, category, h(category)),
                outcomes=join(parts, ", "),
            )
        )
    lines.append(_durations_line(texts.STATS_TO_ACKNOWLEDGE, stats.to_acknowledge))
    lines.append(_durations_line(texts.STATS_TO_RESOLVE, stats.to_resolve))
    lines.append(
        t(texts.STATS_LADDERS, answered=stats.ladders_answered, climbed=stats.ladders_climbed)
    )
    tried = {name: n for name, n in stats.coping.items() if sum(n.values())}
    if tried:
        lines.append(t(texts.STATS_COPING_TITLE))
    for exercise, answers in tried.items():
        lines.append(
            t(
                texts.STATS_COPING_LINE,
                exercise=t_item(texts.COPE_EXERCISES, exercise),
                yes=answers.get("yes", 0),
                bit=answers.get("bit", 0),
                no=answers.get("no", 0),
            )
        )
    if stats.mentor_care:
        lines.append(t(texts.STATS_MENTOR_CARE_TITLE))
    for mentor in stats.mentor_care:
        wellbeing = (
            t_item(texts.WELLBEING_ANSWERS, mentor.wellbeing)
            if mentor.wellbeing in texts.WELLBEING_ANSWERS
            else t(texts.STATS_WELLBEING_NONE)
        )
        lines.append(
            t(
                texts.STATS_MENTOR_CARE_LINE,
                pseudonym=h(mentor.pseudonym),
                short_id=mentor.short_id,
                exposure=mentor.exposure,
                load=mentor.load,
                wellbeing=wellbeing,
            )
        )
    return join(lines)


async def send_stats(
    session: AsyncSession, chat_id: int, *, now: datetime, default_capacity: int
) -> None:
    stats = await program_stats(session, now=now, default_capacity=default_capacity)
    await send_text(session, chat_id, stats_text(stats), now=now)


async def send_chart(
    session: AsyncSession, chat_id: int, *, now: datetime, retention: timedelta
) -> None:
    """/stats chart: adherence, engagement and escalations per week, as a PNG."""
    series = await weekly_series(session, now=now, retention=retention)
    language = await recipient_language(session, chat_id)
    from bot.charts import program_png  # matplotlib is heavy: load it on first use

    png = await asyncio.to_thread(
        program_png,
        [
            (
                w.start,
                w.adherence.percent,
                w.engagement.percent if w.engagement else None,
                w.escalations,
            )
            for w in series
        ],
        render(t(texts.STATS_CHART_TITLE), language),
    )
    await enqueue(
        session,
        chat_id=chat_id,
        method="sendPhoto",
        payload={
            "photo_bytes": png.hex(),
            "caption": render(t(texts.STATS_CHART_CAPTION), language),
        },
        now=now,
    )


async def send_csv(
    session: AsyncSession, chat_id: int, *, now: datetime, retention: timedelta
) -> None:
    data = await export_csv(session, now=now, retention=retention)
    caption = render(t(texts.EXPORT_CAPTION), await recipient_language(session, chat_id))
    await enqueue(
        session,
        chat_id=chat_id,
        method="sendDocument",
        payload={
            "document_bytes": data.encode().hex(),
            "filename": f"program-{now.date().isoformat()}.csv",
            "caption": caption,
        },
        now=now,
    )


def digest_week(now: datetime, timezone: str) -> date:
    """The Monday (program time) of the latest digest due by `now`."""
    local = now.astimezone(ZoneInfo(timezone))
    monday = local.date() - timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
    due = datetime.combine(monday, DIGEST_TIME, ZoneInfo(timezone))
    return monday if local >= due else monday - timedelta(weeks=1)


async def send_weekly_digest(
    session: AsyncSession,
    *,
    now: datetime,
    timezone: str,
    staff_chat_id: int | None,
    default_capacity: int,
) -> bool:
    """The weekly figures to the coordinator chat (or each coordinator), once a week: the
    week is recorded in the same transaction, so restarts and overlapping ticks send it once.
    A program with nobody enrolled yet gets none."""
    week = digest_week(now, timezone)
    if await session.get(ReportDigest, week) is not None:
        return False
    session.add(ReportDigest(week_start=week, sent_at=now))
    if not await session.scalar(select(func.count()).select_from(Member)):
        return False
    stats = await program_stats(session, now=now, default_capacity=default_capacity)
    text = t(texts.STATS_DIGEST_TITLE) + "\n" + stats_text(stats)
    targets = [staff_chat_id] if staff_chat_id is not None else await coordinator_ids(session)
    for chat_id in targets:
        await send_text(session, chat_id, text, now=now)
    return True
