"""The concern tier: a message that may mean a mentee is struggling, not an emergency.

Their mentor, who is already in the conversation, is asked to check in (I'm on it / They're
OK / Needs staff now). Nobody answering within `concern_response`, or no mentor able to
answer (none, unreachable, in their quiet hours), climbs to the coordinators as an
escalation with the usual card, acknowledgement and reminders. A mentor's own words at this
tier go to the coordinators directly: there is nobody closer to ask.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t
from bot.risk import RiskAssessment, Subject, Tier
from bot.schedule import in_quiet_hours, parse_hhmm
from bot.services.escalation import (
    EscalationPolicy,
    add_to_alarm,
    open_escalation,
    recent_alarm_of,
)
from bot.services.outbox import Button, Priority, edit_text, h, notify_member
from storage.models import CheckInSchedule, Concern, Escalation, Member, Pairing

ANSWERS = {"on": "on_it", "ok": "ok", "staff": "escalated"}


def concern_buttons(concern_id: int) -> list[list[Button]]:
    return [
        [
            (t(texts.CONCERN_ON_IT), f"cc:{concern_id}:on"),
            (t(texts.CONCERN_OK), f"cc:{concern_id}:ok"),
        ],
        [(t(texts.CONCERN_NEEDS_STAFF), f"cc:{concern_id}:staff")],
    ]


async def raise_alarm(
    session: AsyncSession,
    *,
    policy: EscalationPolicy,
    assessment: RiskAssessment,
    writer: Member,
    mentee: Member | None,
    mentor: Member | None,
    pairing: Pairing | None,
    text: str,
    source_message_id: int | None,
    raised_by: str,
    now: datetime,
) -> None:
    """Route an assessed message by its tier. `mentee`: whom the conversation is with (the
    writer, for a mentee; the addressed mentee, for a mentor, when known)."""
    if assessment.tier is Tier.NONE:
        return
    if assessment.tier is Tier.CRITICAL:
        sos = await recent_alarm_of(session, writer=writer, raised_by=("sos",), now=now)
        if sos is not None:  # they pressed /sos minutes ago: the same alarm
            await add_to_alarm(
                session,
                policy=policy,
                escalation=sos,
                kind="message flagged",
                text=text,
                prefix=t(texts.ESCALATION_ALSO_MESSAGE),
                now=now,
            )
            return
        await _escalate(
            session, policy, assessment, writer, mentee, mentor, pairing, text,
            source_message_id, raised_by, "critical", now,
        )  # fmt: skip
        return
    if writer.role != "mentee" or mentee is None:
        # A mentor's words (their own struggle, or about a mentee): straight to the staff.
        await _escalate(
            session, policy, assessment, writer, mentee, mentor, pairing, text,
            source_message_id, "concern", "high", now,
        )  # fmt: skip
        return
    unavailable = await mentor_unavailable(session, policy, mentor, now)
    concern = Concern(
        mentee_id=mentee.id,
        mentor_id=mentor.id if mentor is not None else None,
        pairing_id=pairing.id if pairing is not None else None,
        source_message_id=source_message_id,
        raised_by=raised_by,
        category=str(assessment.category),
        probability=round(assessment.probability, 4),
        flagged_text=text,
        evidence=", ".join(assessment.evidence) or None,
        status="open",
        created_at=now,
        due_at=now + policy.concern_response,
    )
    session.add(concern)
    await session.flush()
    if unavailable is not None or mentor is None:
        await climb(session, policy=policy, concern=concern, why=unavailable or "", now=now)
        return
    await notify_member(
        session,
        mentor,
        t(texts.CONCERN_CARD, mentee=h(mentee.pseudonym)),
        buttons=concern_buttons(concern.id),
        now=now,
        priority=Priority.ESCALATION,
    )


async def mentor_unavailable(
    session: AsyncSession, policy: EscalationPolicy, mentor: Member | None, now: datetime
) -> str | None:
    """Why the mentor cannot be asked now, or None if they can (in the audit trail's
    language, the source one: it is a record, not a message)."""
    if mentor is None:
        return texts.CONCERN_WHY_NO_MENTOR
    if not mentor.reachable:
        return texts.CONCERN_WHY_UNREACHABLE
    schedule = await session.get(CheckInSchedule, mentor.id)
    start, end = policy.quiet_hours
    if schedule is not None:
        start = parse_hhmm(schedule.quiet_start) or start
        end = parse_hhmm(schedule.quiet_end) or end
    if in_quiet_hours(now, mentor.timezone, start, end):
        return texts.CONCERN_WHY_QUIET_HOURS
    return None


async def climb(
    session: AsyncSession, *, policy: EscalationPolicy, concern: Concern, why: str, now: datetime
) -> Escalation:
    """The concern becomes an escalation to the coordinators (raised by the ladder)."""
    mentee = await session.get(Member, concern.mentee_id)
    mentor = await session.get(Member, concern.mentor_id) if concern.mentor_id else None
    escalation = await open_escalation(
        session,
        policy=policy,
        raised_by="ladder",
        category=concern.category,
        severity="high",
        mentee=mentee,
        mentor=mentor,
        pairing_id=concern.pairing_id,
        flagged_text=concern.flagged_text,
        writer=mentee,
        now=now,
        source_message_id=concern.source_message_id,
        subject=str(Subject.WRITER),
        probability=concern.probability,
        evidence=concern.evidence,
        why=why,
        tell_mentor=False,
    )
    concern.status = "escalated"
    concern.escalation_id = escalation.id
    concern.due_at = None
    return escalation


async def climb_unanswered(session: AsyncSession, policy: EscalationPolicy, now: datetime) -> int:
    """Concerns nobody answered in time go to the coordinators; the mentor is told."""
    due = (
        await session.scalars(
            select(Concern)
            .where(Concern.status == "open", Concern.due_at.is_not(None), Concern.due_at <= now)
            .order_by(Concern.id)
        )
    ).all()
    minutes = round(policy.concern_response.total_seconds() / 60)
    for concern in due:
        await climb(
            session,
            policy=policy,
            concern=concern,
            why=texts.CONCERN_WHY_NO_ANSWER.format(minutes=minutes),
            now=now,
        )
        mentor = await session.get(Member, concern.mentor_id) if concern.mentor_id else None
        mentee = await session.get(Member, concern.mentee_id)
        if mentor is not None and mentee is not None:
            await notify_member(
                session,
                mentor,
                t(texts.CONCERN_CLIMBED_FOR_MENTOR, mentee=h(mentee.pseudonym)),
                now=now,
                priority=Priority.ESCALATION,
            )
    return len(due)


async def answer(
    session: AsyncSession,
    *,
    policy: EscalationPolicy,
    mentor: Member,
    concern_id: int,
    choice: str,
    chat_id: int,
    prompt_id: int,
    now: datetime,
) -> Text:
    """A mentor's answer on a concern card; returns the toast."""
    concern = await session.get(Concern, concern_id)
    if concern is None or concern.mentor_id != mentor.id or choice not in ANSWERS:
        return t(texts.NOT_YOUR_BUTTON)
    mentee = await session.get(Member, concern.mentee_id)
    if mentee is None or mentee.erased_at is not None:
        return t(texts.STALE_BUTTON)
    if concern.status == "escalated" or (concern.status == "ok" and choice != "staff"):
        return t(texts.CONCERN_ALREADY_ANSWERED)
    concern.answered_at = now
    concern.due_at = None
    if choice == "staff":
        await climb(
            session, policy=policy, concern=concern, why=texts.CONCERN_WHY_MENTOR_ASKED, now=now
        )
        done = texts.CONCERN_DONE_STAFF
    else:
        concern.status = ANSWERS[choice]
        done = texts.CONCERN_DONE_ON_IT if choice == "on" else texts.CONCERN_DONE_OK
    buttons = concern_buttons(concern.id) if concern.status == "on_it" else None
    await edit_text(
        session,
        chat_id,
        prompt_id,
        t(texts.CONCERN_CARD, mentee=h(mentee.pseudonym))
        + "\n\n"
        + t(done, mentee=h(mentee.pseudonym)),
        buttons=buttons,
        now=now,
    )
    return t(done, mentee=mentee.pseudonym)


async def _escalate(
    session: AsyncSession,
    policy: EscalationPolicy,
    assessment: RiskAssessment,
    writer: Member,
    mentee: Member | None,
    mentor: Member | None,
    pairing: Pairing | None,
    text: str,
    source_message_id: int | None,
    raised_by: str,
    severity: str,
    now: datetime,
) -> Escalation:
    """An escalation that names the person at risk: the writer, or the mentee a mentor wrote
    about. That person gets the crisis help; a mentee's mentor is told when the mentee wrote
    it. Someone at risk the writer merely mentions (a friend, a partner) is not a member: the
    writer gets the help to pass on."""
    own = assessment.subject is Subject.WRITER
    if writer.role == "mentor":
        at_risk = writer if own or mentee is None else mentee
        about = None if own else mentee
        return await open_escalation(
            session,
            policy=policy,
            raised_by=raised_by,
            category=str(assessment.category),
            severity=severity,
            mentee=about,
            mentor=writer,
            pairing_id=pairing.id if pairing is not None and about is not None else None,
            flagged_text=text,
            writer=writer,
            now=now,
            source_message_id=source_message_id,
            subject=str(assessment.subject),
            probability=assessment.probability,
            evidence=", ".join(assessment.evidence) or None,
            crisis_to=at_risk,
        )
    return await open_escalation(
        session,
        policy=policy,
        raised_by=raised_by,
        category=str(assessment.category),
        severity=severity,
        mentee=mentee,
        mentor=mentor,
        pairing_id=pairing.id if pairing is not None else None,
        flagged_text=text,
        writer=writer,
        now=now,
        source_message_id=source_message_id,
        subject=str(assessment.subject),
        probability=assessment.probability,
        evidence=", ".join(assessment.evidence) or None,
    )
