"""Care for mentors: a one-tap "how are you" on their weekly prompt day, and a debrief the day
after an escalation about one of their mentees was resolved (once per escalation).

Only the one-tap answer is kept. A low weekly answer reaches the coordinators gently (a card
in the mentor's desk topic, or a plain one; never re-sent, not an escalation). The debrief's
reflective questions are for the mentor alone; what they choose to tell staff goes by /staff.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t, t_item
from bot.schedule import at_local, in_quiet_hours, local_date, next_daily, parse_hhmm
from bot.services.desk import topic_for
from bot.services.members import coordinator_ids
from bot.services.outbox import Button, Priority, edit_text, h, notify_member, send_text
from storage.models import CheckInSchedule, Escalation, Member, MentorWellbeing

# The local hour of the debrief, the day after the resolution (moved past quiet hours).
DEBRIEF_TIME = time(10, 0)
LOW_ANSWERS = frozenset({"low", "struggling"})


def _buttons(row_id: int) -> list[list[Button]]:
    pairs: list[Button] = [
        (t_item(texts.WELLBEING_ANSWERS, key), f"wb:{row_id}:{key}")
        for key in texts.WELLBEING_ANSWERS
    ]
    return [pairs[:2], pairs[2:]]


async def ask_weekly(session: AsyncSession, mentor: Member, due: datetime, now: datetime) -> int:
    """The mentor's own weekly question, beside the questions about their mentees."""
    exists = await session.scalar(
        select(MentorWellbeing.id).where(
            MentorWellbeing.mentor_id == mentor.id,
            MentorWellbeing.kind == "weekly",
            MentorWellbeing.due_at == due,
        )
    )
    if exists is not None:
        return 0
    row = MentorWellbeing(
        mentor_id=mentor.id, kind="weekly", due_at=due, sent_at=now, created_at=now
    )
    session.add(row)
    await session.flush()
    await send_text(
        session,
        mentor.chat_id,
        t(texts.WELLBEING_WEEKLY_PROMPT),
        buttons=_buttons(row.id),
        now=now,
        priority=Priority.BULK,
    )
    return 1


async def plan_debrief(
    session: AsyncSession, *, escalation: Escalation, mentor: Member, now: datetime
) -> None:
    """An escalation about the mentor's mentee was resolved: ask them tomorrow how they are
    (once per escalation: the row is unique per escalation)."""
    exists = await session.scalar(
        select(MentorWellbeing.id).where(MentorWellbeing.escalation_id == escalation.id)
    )
    if exists is not None or mentor.erased_at is not None:
        return
    tomorrow = local_date(now, mentor.timezone) + timedelta(days=1)
    session.add(
        MentorWellbeing(
            mentor_id=mentor.id,
            kind="debrief",
            escalation_id=escalation.id,
            due_at=at_local(tomorrow, DEBRIEF_TIME, mentor.timezone),
            created_at=now,
        )
    )


async def run_due_debriefs(
    session: AsyncSession,
    *,
    default_quiet: tuple[time, time],
    now: datetime,
    limit: int = 100,
) -> int:
    """Send the debriefs that are due, each once (marked sent in the same transaction as its
    outbox rows); one due in the mentor's quiet hours waits until they end."""
    rows = (
        await session.execute(
            select(MentorWellbeing, Member)
            .join(Member, Member.id == MentorWellbeing.mentor_id)
            .where(
                MentorWellbeing.kind == "debrief",
                MentorWellbeing.sent_at.is_(None),
                MentorWellbeing.due_at <= now,
            )
            .order_by(MentorWellbeing.due_at, MentorWellbeing.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    asked: set[int] = set()
    sent = 0
    for row, mentor in rows:
        if mentor.erased_at is not None or not mentor.reachable or mentor.id in asked:
            row.sent_at = now  # nobody to ask, or asked already this round (one message)
            continue
        schedule = await session.get(CheckInSchedule, mentor.id)
        start, end = default_quiet
        if schedule is not None:
            start = parse_hhmm(schedule.quiet_start) or start
            end = parse_hhmm(schedule.quiet_end) or end
        if in_quiet_hours(now, mentor.timezone, start, end):
            row.due_at = next_daily(end, mentor.timezone, now)
            continue
        escalation = await session.get(Escalation, row.escalation_id)
        mentee = (
            await session.get(Member, escalation.mentee_id)
            if escalation is not None and escalation.mentee_id is not None
            else None
        )
        row.sent_at = now
        asked.add(mentor.id)
        name = mentee.pseudonym if mentee is not None and mentee.erased_at is None else "—"
        await notify_member(
            session, mentor, t(texts.MENTOR_DEBRIEF_PROMPT, mentee=h(name)), now=now
        )
        await notify_member(
            session, mentor, t(texts.MENTOR_DEBRIEF_ASK), buttons=_buttons(row.id), now=now
        )
        sent += 1
    return sent


async def answer(
    session: AsyncSession,
    *,
    mentor: Member,
    row_id: int,
    key: str,
    message_id: int,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    now: datetime,
) -> Text | None:
    """Record a one-tap answer; a low weekly one reaches the coordinators gently. Returns a
    toast, or None when all is well."""
    row = await session.get(MentorWellbeing, row_id)
    if row is None or row.mentor_id != mentor.id:
        return t(texts.NOT_YOUR_BUTTON)
    if key not in texts.WELLBEING_ANSWERS:
        return t(texts.STALE_BUTTON)
    if row.answer is not None:
        return t(texts.CHECKIN_ALREADY)
    row.answer, row.answered_at = key, now
    label = t_item(texts.WELLBEING_ANSWERS, key)
    low = key in LOW_ANSWERS
    recorded = texts.WELLBEING_RECORDED_LOW if low else texts.WELLBEING_RECORDED
    await edit_text(session, mentor.chat_id, message_id, t(recorded, answer=label), now=now)
    if low and row.kind == "weekly":
        card = t(
            texts.WELLBEING_LOW_FOR_STAFF,
            pseudonym=h(mentor.pseudonym),
            short_id=mentor.short_id,
            answer=label,
        )
        topic = await topic_for(session, forum_chat_id=forum_chat_id, member=mentor, now=now)
        if forum_chat_id is not None and topic is not None:
            await send_text(session, forum_chat_id, card, now=now, thread_of=topic)
        else:
            chats = (
                [staff_chat_id] if staff_chat_id is not None else await coordinator_ids(session)
            )
            for chat_id in chats:
                await send_text(session, chat_id, card, now=now)
    return None


async def export_for(session: AsyncSession, mentor_id: int) -> list[dict[str, str | None]]:
    """For /mydata: the mentor's own answers."""
    return [
        {
            "asked": row.kind,
            "at": row.sent_at.isoformat() if row.sent_at else None,
            "answer": row.answer,
        }
        for row in (
            await session.scalars(
                select(MentorWellbeing)
                .where(MentorWellbeing.mentor_id == mentor_id)
                .order_by(MentorWellbeing.id)
            )
        ).all()
    ]
