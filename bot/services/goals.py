"""Goals for the week and trigger tags: a mentor and a mentee agree on up to three goals (either
proposes in their own words, the other accepts or declines); the mentee's daily check-in asks
about each; a review goes to both on the mentor's weekly prompt day; /progress shows goals met
per week and which tagged triggers come before high cravings.

A goal belongs to its pairing: it counts only while the pairing is active, so ending the
pairing (unpairing, an erasure) ends its goals, and an old button on it changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, t, t_item
from bot.schedule import local_date
from bot.services.members import active_mentees, active_mentor_of, in_conversation
from bot.services.outbox import Button, edit_text, h, notify_member
from storage.models import CheckIn, CheckInTrigger, Goal, GoalCheck, Member, Pairing

GOAL_LIMIT = 3
GOAL_WEEK = timedelta(days=7)
GOAL_MAX_CHARS = 200
# A check-in's craving from which a day counts as a high-craving day ("high", "very high").
HIGH_CRAVING = 3
# One-letter codes keep callback data short: cg:<check-in>:<goal>:<code>.
ANSWER_CODES = {"d": "done", "p": "partly", "n": "not_today"}


# ---- proposing and answering ---------------------------------------------------------------


def _open(now: datetime) -> ColumnElement[bool]:
    """Goals that take one of the week's places: agreed and running, or still waiting."""
    return or_(
        and_(Goal.status == "accepted", Goal.ends_at > now),
        and_(Goal.status == "proposed", Goal.created_at > now - GOAL_WEEK),
    )


async def _open_goals(session: AsyncSession, pairing_id: int, now: datetime) -> list[Goal]:
    return list(
        (
            await session.scalars(
                select(Goal)
                .where(Goal.pairing_id == pairing_id, _open(now))
                .order_by(Goal.id)
            )
        ).all()
    )


async def _partners(session: AsyncSession, member: Member) -> list[tuple[Pairing, Member]]:
    """The member's active pairings with the other side of each."""
    if member.role == "mentee":
        current = await active_mentor_of(session, member.id)
        return [] if current is None else [current]
    return list(await active_mentees(session, member.id))


def _listing(goals: Sequence[Goal], other: Member) -> Text:
    if not goals:
        return t(texts.GOALS_LIST_EMPTY, pseudonym=h(other.pseudonym))
    lines = [
        t(texts.GOALS_LIST_LINE, goal=h(g.text), state=t_item(texts.GOAL_STATES, g.status))
        for g in goals
    ]
    return join([t(texts.GOALS_LIST_HEADER, pseudonym=h(other.pseudonym)), *lines])


async def propose_goal(
    session: AsyncSession, *, member: Member, raw: str, now: datetime
) -> Text:
    """/goals [mentee] <goal>: propose a goal to the other side; /goals alone lists them.
    Returns the answer for the member."""
    partners = await _partners(session, member)
    if not partners:
        return t(texts.GOALS_NO_MENTOR if member.role == "mentee" else texts.GOALS_NO_MENTEE)
    words = raw.split()
    chosen = partners[0] if len(partners) == 1 else None
    if member.role == "mentor" and words:
        named = [p for p in partners if p[1].pseudonym.casefold() == words[0].casefold()]
        if named:
            chosen, words = named[0], words[1:]
    goal_text = " ".join(words)
    usage = t(
        texts.GOALS_USAGE_FOR_MENTEE if member.role == "mentee" else texts.GOALS_USAGE_FOR_MENTOR,
        limit=GOAL_LIMIT,
    )
    if not goal_text:
        shown = [chosen] if chosen is not None else partners
        listings = [_listing(await _open_goals(session, p.id, now), o) for p, o in shown]
        return join([*listings, usage], "\n\n")
    if chosen is None:
        return t(texts.GOALS_WHICH_MENTEE, pseudonym=h(partners[0][1].pseudonym))
    if len(goal_text) > GOAL_MAX_CHARS:
        return t(texts.GOALS_TOO_LONG, limit=GOAL_MAX_CHARS)
    pairing, other = chosen
    if len(await _open_goals(session, pairing.id, now)) >= GOAL_LIMIT:
        return t(texts.GOALS_FULL, limit=GOAL_LIMIT)
    goal = Goal(
        pairing_id=pairing.id,
        proposed_by=member.id,
        text=goal_text,
        status="proposed",
        created_at=now,
    )
    session.add(goal)
    await session.flush()
    buttons: list[list[Button]] = [
        [(t(texts.GOAL_ACCEPT), f"gl:{goal.id}:a"), (t(texts.GOAL_DECLINE), f"gl:{goal.id}:d")]
    ]
    await notify_member(
        session,
        other,
        t(texts.GOAL_PROPOSED, pseudonym=h(member.pseudonym), goal=h(goal_text)),
        buttons=buttons,
        now=now,
    )
    return t(texts.GOAL_PROPOSAL_SENT, pseudonym=h(other.pseudonym))


async def answer_goal(
    session: AsyncSession,
    *,
    member: Member,
    goal_id: int,
    accept: bool,
    message_id: int,
    now: datetime,
) -> Text | None:
    """An Accept or Decline on a proposed goal; returns a toast, or None when all is well."""
    goal = await session.get(Goal, goal_id)
    if goal is None:
        return t(texts.STALE_BUTTON)
    pairing = await session.get(Pairing, goal.pairing_id)
    assert pairing is not None
    if member.id not in await in_conversation(session, pairing) or member.id == goal.proposed_by:
        return t(texts.NOT_YOUR_BUTTON)
    if pairing.ended_at is not None:
        return t(texts.GOAL_PAIRING_ENDED)
    if goal.status != "proposed":
        return t(texts.GOAL_ALREADY_ANSWERED)
    if now - goal.created_at > GOAL_WEEK:
        return t(texts.STALE_BUTTON)
    if accept:
        running = [g for g in await _open_goals(session, pairing.id, now) if g.id != goal.id]
        if sum(g.status == "accepted" for g in running) >= GOAL_LIMIT:
            return t(texts.GOALS_FULL, limit=GOAL_LIMIT)
    goal.status = "accepted" if accept else "declined"
    goal.answered_at = now
    goal.ends_at = now + GOAL_WEEK if accept else None
    shown = h(goal.text)
    await edit_text(
        session,
        member.chat_id,
        message_id,
        t(texts.GOAL_ACCEPTED if accept else texts.GOAL_DECLINED, goal=shown),
        now=now,
    )
    proposer = await session.get(Member, goal.proposed_by)
    if proposer is not None:
        told = texts.GOAL_ACCEPTED_FOR_PROPOSER if accept else texts.GOAL_DECLINED_FOR_PROPOSER
        await notify_member(
            session, proposer, t(told, pseudonym=h(member.pseudonym), goal=shown), now=now
        )
    return None


# ---- in the daily check-in -----------------------------------------------------------------


async def goals_to_ask(session: AsyncSession, checkin: CheckIn, now: datetime) -> list[Goal]:
    """The mentee's running goals not yet answered in this check-in, oldest first."""
    answered = select(GoalCheck.goal_id).where(GoalCheck.checkin_id == checkin.id)
    return list(
        (
            await session.scalars(
                select(Goal)
                .join(Pairing, Pairing.id == Goal.pairing_id)
                .where(
                    Pairing.mentee_id == checkin.member_id,
                    Pairing.ended_at.is_(None),
                    Goal.status == "accepted",
                    Goal.ends_at > now,
                    Goal.id.not_in(answered),
                )
                .order_by(Goal.id)
            )
        ).all()
    )


def goal_question(checkin_id: int, goal: Goal) -> tuple[Text, list[list[Button]]]:
    buttons: list[list[Button]] = [
        [
            (t_item(texts.GOAL_ANSWERS, answer), f"cg:{checkin_id}:{goal.id}:{code}")
            for code, answer in ANSWER_CODES.items()
        ]
    ]
    return t(texts.GOAL_CHECK_QUESTION, goal=h(goal.text)), buttons


async def record_goal_answer(
    session: AsyncSession, *, checkin: CheckIn, goal_id: int, code: str, now: datetime
) -> Text | None:
    """Keep one answer about a goal in a check-in; returns a toast when nothing was kept."""
    answer = ANSWER_CODES.get(code)
    goal = await session.get(Goal, goal_id)
    if answer is None or goal is None or goal.status != "accepted":
        return t(texts.STALE_BUTTON)
    pairing = await session.get(Pairing, goal.pairing_id)
    if pairing is None or pairing.mentee_id != checkin.member_id:
        return t(texts.STALE_BUTTON)
    already = select(GoalCheck.id).where(
        GoalCheck.goal_id == goal_id, GoalCheck.checkin_id == checkin.id
    )
    if await session.scalar(already) is not None:
        return t(texts.CHECKIN_ALREADY)
    if pairing.ended_at is not None or goal.ends_at is None or goal.ends_at <= now:
        return t(texts.STALE_BUTTON)
    session.add(GoalCheck(goal_id=goal_id, checkin_id=checkin.id, answer=answer, created_at=now))
    await session.flush()
    return None


async def goal_lines(session: AsyncSession, checkin: CheckIn) -> list[Text]:
    """What the check-in recorded about goals, for the edited prompt."""
    rows = await session.execute(
        select(Goal.text, GoalCheck.answer)
        .join(GoalCheck, GoalCheck.goal_id == Goal.id)
        .where(GoalCheck.checkin_id == checkin.id)
        .order_by(GoalCheck.id)
    )
    return [
        t(texts.GOAL_RECORDED_LINE, goal=h(goal), answer=t_item(texts.GOAL_ANSWERS, answer))
        for goal, answer in rows
    ]


async def tagged(session: AsyncSession, checkin_id: int) -> list[str]:
    rows = await session.scalars(
        select(CheckInTrigger.trigger).where(CheckInTrigger.checkin_id == checkin_id)
    )
    chosen = set(rows.all())
    return [key for key in texts.TRIGGERS if key in chosen]


async def toggle_trigger(session: AsyncSession, checkin_id: int, trigger: str) -> None:
    row = await session.get(CheckInTrigger, (checkin_id, trigger))
    if row is None:
        session.add(CheckInTrigger(checkin_id=checkin_id, trigger=trigger))
    else:
        await session.delete(row)
    await session.flush()


def trigger_buttons(checkin_id: int, chosen: Sequence[str]) -> list[list[Button]]:
    labels: list[tuple[Text, str]] = [
        (
            t(texts.TRIGGER_CHOSEN, label=t_item(texts.TRIGGERS, key))
            if key in chosen
            else t_item(texts.TRIGGERS, key),
            key,
        )
        for key in texts.TRIGGERS
    ]
    rows: list[list[Button]] = [
        [(label, f"ct:{checkin_id}:{key}") for label, key in labels[:2]],
        [(label, f"ct:{checkin_id}:{key}") for label, key in labels[2:]],
    ]
    if chosen:
        rows.append([(t(texts.TAGS_DONE), f"ct:{checkin_id}:done")])
    else:
        rows.append([(t(texts.CHECKIN_SKIP), f"ci:{checkin_id}:n:skip")])
    return rows


def tagged_line(chosen: Sequence[str]) -> list[Text]:
    if not chosen:
        return []
    names = join([t_item(texts.TRIGGER_NAMES, key) for key in chosen], ", ")
    return [t(texts.TRIGGERS_TAGGED_LINE, triggers=names)]


# ---- the weekly review ---------------------------------------------------------------------


@dataclass(frozen=True)
class GoalTally:
    text: str
    done: int
    partly: int
    missed: int


async def week_tallies(session: AsyncSession, pairing_id: int, now: datetime) -> list[GoalTally]:
    """Each goal agreed in the pairing that ran during the past week, with its answers."""
    counts = (
        select(
            GoalCheck.goal_id,
            func.sum(case((GoalCheck.answer == "done", 1), else_=0)).label("done"),
            func.sum(case((GoalCheck.answer == "partly", 1), else_=0)).label("partly"),
            func.sum(case((GoalCheck.answer == "not_today", 1), else_=0)).label("missed"),
        )
        .group_by(GoalCheck.goal_id)
        .subquery()
    )
    rows = await session.execute(
        select(Goal.text, counts.c.done, counts.c.partly, counts.c.missed)
        .outerjoin(counts, counts.c.goal_id == Goal.id)
        .where(
            Goal.pairing_id == pairing_id,
            Goal.status == "accepted",
            Goal.ends_at > now - GOAL_WEEK,
            Goal.answered_at <= now,
        )
        .order_by(Goal.id)
    )
    return [GoalTally(t, done or 0, partly or 0, missed or 0) for t, done, partly, missed in rows]


async def send_weekly_review(
    session: AsyncSession, *, pairing: Pairing, mentor: Member, mentee: Member, now: datetime
) -> bool:
    """The goals of the past week and how often each was met, to both sides (called once per
    mentor's weekly due time, in the transaction that moves the schedule past it)."""
    tallies = await week_tallies(session, pairing.id, now)
    if not tallies:
        return False
    lines = join(
        [
            t(
                texts.GOALS_REVIEW_LINE,
                goal=h(tally.text),
                done=tally.done,
                partly=tally.partly,
                missed=tally.missed,
            )
            for tally in tallies
        ]
    )
    await notify_member(
        session,
        mentor,
        t(texts.GOALS_REVIEW_FOR_MENTOR, pseudonym=h(mentee.pseudonym), lines=lines),
        now=now,
    )
    await notify_member(
        session,
        mentee,
        t(texts.GOALS_REVIEW_FOR_MENTEE, pseudonym=h(mentor.pseudonym), lines=lines),
        now=now,
    )
    return True


# ---- /progress -----------------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def goals_per_week(
    session: AsyncSession, subject: Member, now: datetime, days: int = 30
) -> list[tuple[date, int, int]]:
    """(Monday, goal answers "done", "partly") per week of the subject's last `days` days."""
    rows = await session.execute(
        select(CheckIn.due_at, GoalCheck.answer)
        .join(GoalCheck, GoalCheck.checkin_id == CheckIn.id)
        .where(
            CheckIn.member_id == subject.id,
            CheckIn.due_at >= now - timedelta(days=days),
            GoalCheck.answer.in_(("done", "partly")),
        )
    )
    weeks: dict[date, Counter[str]] = {}
    for due_at, answer in rows:
        weeks.setdefault(week_of(local_date(due_at, subject.timezone)), Counter())[answer] += 1
    return [(w, c["done"], c["partly"]) for w, c in sorted(weeks.items())]


async def goals_met_per_day(
    session: AsyncSession, subject: Member, now: datetime, days: int = 30
) -> dict[date, int]:
    """Goals answered "done" per local day, for the chart."""
    rows = await session.execute(
        select(CheckIn.due_at, func.count())
        .join(GoalCheck, GoalCheck.checkin_id == CheckIn.id)
        .where(
            CheckIn.member_id == subject.id,
            CheckIn.due_at >= now - timedelta(days=days),
            GoalCheck.answer == "done",
        )
        .group_by(CheckIn.id)
    )
    met: Counter[date] = Counter()
    for due_at, count in rows:
        met[local_date(due_at, subject.timezone)] += count
    return dict(met)


async def triggers_before_high_cravings(
    session: AsyncSession, subject: Member, now: datetime, days: int = 30
) -> list[tuple[str, int]]:
    """The triggers tagged on a high-craving day or the day before it, each counted once per
    high-craving day, most frequent first. Two small queries: the high-craving days, and the
    tags of the period."""
    since = now - timedelta(days=days)
    high_days = {
        local_date(due_at, subject.timezone)
        for due_at in (
            await session.scalars(
                select(CheckIn.due_at).where(
                    CheckIn.member_id == subject.id,
                    CheckIn.due_at >= since,
                    CheckIn.craving >= HIGH_CRAVING,
                )
            )
        ).all()
    }
    if not high_days:
        return []
    tags: dict[date, set[str]] = {}
    for due_at, trigger in await session.execute(
        select(CheckIn.due_at, CheckInTrigger.trigger)
        .join(CheckInTrigger, CheckInTrigger.checkin_id == CheckIn.id)
        .where(CheckIn.member_id == subject.id, CheckIn.due_at >= since - timedelta(days=1))
    ):
        tags.setdefault(local_date(due_at, subject.timezone), set()).add(trigger)
    counts: Counter[str] = Counter()
    for day in high_days:
        counts.update(tags.get(day, set()) | tags.get(day - timedelta(days=1), set()))
    order = list(texts.TRIGGERS)
    return sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))


async def progress_summary(
    session: AsyncSession, *, viewer: Member, subject: Member, now: datetime
) -> Text | None:
    """The text beside the /progress chart: goals met per week, and the triggers that come
    before high cravings; None when there is neither."""
    parts: list[Text] = []
    weeks = await goals_per_week(session, subject, now)
    if weeks:
        lines = join(
            [
                t(
                    texts.PROGRESS_GOALS_LINE,
                    week=monday.strftime("%Y-%m-%d"),
                    done=done,
                    partly=partly,
                )
                for monday, done, partly in weeks
            ]
        )
        parts.append(t(texts.PROGRESS_GOALS, pseudonym=h(subject.pseudonym), lines=lines))
    triggers = await triggers_before_high_cravings(session, subject, now)
    if triggers:
        listed = join(
            [
                t(texts.TRIGGER_COUNT, trigger=t_item(texts.TRIGGER_NAMES, key), count=count)
                for key, count in triggers
            ],
            ", ",
        )
        if viewer.id == subject.id:
            parts.append(t(texts.PROGRESS_TRIGGERS_OWN, triggers=listed))
        else:
            parts.append(
                t(texts.PROGRESS_TRIGGERS_MENTEE, pseudonym=h(subject.pseudonym), triggers=listed)
            )
    return join(parts, "\n\n") if parts else None
