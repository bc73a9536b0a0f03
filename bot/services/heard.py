"""What members tell the staff outside an alarm: mentors' weekly answers that need a look, and
`/staff` messages. Both go to the staff chat (or each coordinator) and are never re-sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t, t_item
from bot.services.escalation import EscalationPolicy, open_escalation
from bot.services.members import active_mentor_of, coordinator_ids
from bot.services.outbox import h, send_text
from storage.models import Escalation, Member, MentorReport

# Weekly answers the staff hear of (low urgency) and the one that opens a case at once.
NOTICE_ANSWERS = frozenset({"concern", "no_contact"})


async def staff_chats(session: AsyncSession, staff_chat_id: int | None) -> list[int]:
    """The staff chat, or every coordinator privately when there is none."""
    return [staff_chat_id] if staff_chat_id is not None else await coordinator_ids(session)


async def _silent_before(session: AsyncSession, report: MentorReport) -> bool:
    """Whether the weekly answer before this one about the same mentee was also 'no_contact'."""
    previous = await session.scalar(
        select(MentorReport.answer)
        .where(MentorReport.mentee_id == report.mentee_id, MentorReport.due_at < report.due_at)
        .order_by(MentorReport.due_at.desc())
        .limit(1)
    )
    return previous == "no_contact"


async def hear_weekly_answer(
    session: AsyncSession,
    *,
    policy: EscalationPolicy,
    report: MentorReport,
    mentor: Member,
    mentee: Member,
    now: datetime,
) -> Escalation | None:
    """'Worried', or a second 'haven't heard from them' in a row, opens a case (high); 'some
    concern' and a first 'haven't heard' go to the staff as a notice. Returns the case."""
    assert report.answer is not None
    why = None
    if report.answer == "worried":
        why = texts.WEEKLY_WHY_WORRIED
    elif report.answer == "no_contact" and await _silent_before(session, report):
        why = texts.WEEKLY_WHY_SILENT
    if why is not None:
        current = await active_mentor_of(session, mentee.id)
        return await open_escalation(
            session,
            policy=policy,
            raised_by="weekly",
            category="mentor_concern",
            severity="high",
            mentee=mentee,
            mentor=mentor,
            pairing_id=current[0].id if current else None,
            flagged_text=None,
            writer=mentor,
            now=now,
            evidence=why,  # shown on the card as "Why:"
            why=why,
        )
    if report.answer in NOTICE_ANSWERS:
        text = t(
            texts.WEEKLY_ANSWER_FOR_STAFF,
            mentor=h(mentor.pseudonym),
            mentor_id=mentor.short_id,
            answer=t_item(texts.MENTOR_REPORT_ANSWERS, report.answer),
            mentee=h(mentee.pseudonym),
            mentee_id=mentee.short_id,
        )
        for chat_id in await staff_chats(session, policy.coordinator_chat_id):
            await send_text(session, chat_id, text, now=now)
    return None


async def message_staff(
    session: AsyncSession, *, member: Member, text: str, staff_chat_id: int | None, now: datetime
) -> Text:
    """/staff: a member's words to the staff, labelled with their role and pseudonym (the gate
    has already assessed them like any message). Returns the answer for the member."""
    role = t_item(texts.ROLE_NAMES, member.role)
    other = t_item(texts.OTHER_ROLE, member.role)
    if not text.strip():
        return t(texts.TO_STAFF_MESSAGE_USAGE, other=other)
    labelled = t(
        texts.TO_STAFF_MESSAGE_FOR_STAFF,
        role=role,
        pseudonym=h(member.pseudonym),
        short_id=member.short_id,
        text=h(text.strip()),
    )
    for chat_id in await staff_chats(session, staff_chat_id):
        await send_text(
            session, chat_id, labelled + "\n\n" + t(texts.REDISCLOSURE), now=now
        )
    return t(texts.TO_STAFF_MESSAGE_SENT)
