"""/mydata: everything the program stores about a member, and to whom it was disclosed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import t_item, tr
from bot.services import reminders, wellbeing
from bot.services.escalation import flagged_words_of_mentee
from bot.services.languages import language_of_member
from bot.services.outbox import enqueue
from storage.crypto import lookup
from storage.models import (
    CheckIn,
    CheckInSchedule,
    CheckInTrigger,
    CopingRun,
    Cover,
    Escalation,
    EscalationEvent,
    Goal,
    GoalCheck,
    HeldMessage,
    Member,
    MentorAway,
    MentorChangeRequest,
    MentorReport,
    Pairing,
    RecoveryPlan,
    RelayedMessage,
)

_ROLES = (texts.DISCLOSED_STAFF_CHAT, texts.DISCLOSED_COORDINATOR, texts.DISCLOSED_FALLBACK)


def _disclosed_role(detail: str | None, language: str) -> str:
    """The role recorded with a notification (stored in English), in the reader's language;
    older records named chat ids instead."""
    return tr(
        language, detail if detail is not None and detail in _ROLES else texts.DISCLOSED_STAFF
    )


def _word(language: str, words: dict[str, str], key: str) -> str:
    """A category, severity or status in words, in the member's language."""
    if key in words:
        return t_item(words, key).render(language)
    return tr(language, texts.MYDATA_OTHER)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, member: Member, language: str) -> dict[str, Any]:
    pairings = []
    for pairing in (
        await session.scalars(
            select(Pairing)
            .where(or_(Pairing.mentee_id == member.id, Pairing.mentor_id == member.id))
            .order_by(Pairing.id)
        )
    ).all():
        other_id = pairing.mentor_id if pairing.mentee_id == member.id else pairing.mentee_id
        other = await session.get(Member, other_id)
        pairings.append(
            {
                "with": other.pseudonym if other else None,
                "from": _iso(pairing.created_at),
                "until": _iso(pairing.ended_at),
            }
        )
    relayed = await session.scalar(
        select(func.count())
        .select_from(RelayedMessage)
        .where(RelayedMessage.source_chat_key == lookup(member.chat_id))
    )
    schedule = await session.get(CheckInSchedule, member.id)
    triggers: dict[int, list[str]] = {}
    for checkin_id, trigger in await session.execute(
        select(CheckInTrigger.checkin_id, CheckInTrigger.trigger)
        .join(CheckIn, CheckIn.id == CheckInTrigger.checkin_id)
        .where(CheckIn.member_id == member.id)
        .order_by(CheckInTrigger.checkin_id, CheckInTrigger.trigger)
    ):
        triggers.setdefault(checkin_id, []).append(trigger)
    escalations = []
    for escalation in (
        await session.scalars(
            select(Escalation)
            .where(
                or_(
                    Escalation.mentee_id == member.id,
                    # A mentor's own crisis: about the writer, with no mentee on it.
                    (Escalation.writer_id == member.id) & Escalation.mentee_id.is_(None),
                )
            )
            .order_by(Escalation.id)
        )
    ).all():
        events = (
            await session.scalars(
                select(EscalationEvent)
                .where(EscalationEvent.escalation_id == escalation.id)
                .order_by(EscalationEvent.id)
            )
        ).all()
        escalations.append(
            {
                "id": escalation.id,
                "category": _word(language, texts.MYDATA_CATEGORIES, escalation.category),
                "severity": _word(language, texts.MYDATA_SEVERITIES, escalation.severity),
                "status": _word(language, texts.MYDATA_STATUSES, escalation.status),
                "opened": _iso(escalation.opened_at),
                "resolved": _iso(escalation.resolved_at),
                # Only their own words: a mentor's /flag note is the mentor's.
                "flagged_message": flagged_words_of_mentee(escalation),
                # The accounting of disclosures: to whom (a role) and when, never staff ids.
                "disclosed_to": [
                    {"to": _disclosed_role(e.detail, language), "at": _iso(e.at)}
                    for e in events
                    if e.kind in ("notified", "reminded")
                ],
                "acknowledged_by_staff": escalation.acknowledged_by is not None,
            }
        )
    return {
        "notice": tr(language, texts.REDISCLOSURE).replace("<i>", "").replace("</i>", ""),
        "member": {
            "id": member.short_id,
            "role": member.role,
            "pseudonym": member.pseudonym,
            "timezone": member.timezone,
            "language": member.language,
            "preferences": member.tag_list,
            "enrolled": _iso(member.created_at),
            "reachable": member.reachable,
            "completed_the_program": _iso(member.graduated_at),
        },
        "time_away": [
            {"from": _iso(a.starts_at), "until": _iso(a.ended_at or a.until)}
            for a in (
                await session.scalars(
                    select(MentorAway)
                    .where(MentorAway.mentor_id == member.id)
                    .order_by(MentorAway.id)
                )
            ).all()
        ],
        "covered_for": [
            {"mentee": mentee.pseudonym, "from": _iso(c.chosen_at), "until": _iso(c.ended_at)}
            for c, mentee in (
                await session.execute(
                    select(Cover, Member)
                    .join(Pairing, Pairing.id == Cover.pairing_id)
                    .join(Member, Member.id == Pairing.mentee_id)
                    .where(Cover.cover_mentor_id == member.id)
                    .order_by(Cover.id)
                )
            ).all()
        ],
        "requests_about_your_mentor": [
            {"kind": r.kind, "sent": _iso(r.sent_at), "words": r.text}
            for r in (
                await session.scalars(
                    select(MentorChangeRequest)
                    .where(MentorChangeRequest.mentee_id == member.id)
                    .order_by(MentorChangeRequest.id)
                )
            ).all()
        ],
        "pairings": pairings,
        "relayed_messages": {
            "count": relayed,
            "note": tr(language, texts.MYDATA_RELAYED_NOTE),
        },
        "held_messages": await session.scalar(
            select(func.count()).select_from(HeldMessage).where(HeldMessage.member_id == member.id)
        ),
        "check_in_schedule": None
        if schedule is None
        else {
            "time": schedule.local_time,
            "quiet_hours": f"{schedule.quiet_start}-{schedule.quiet_end}",
            "paused_until": _iso(schedule.paused_until),
            "recovery_start": schedule.recovery_start.isoformat()
            if schedule.recovery_start
            else None,
        },
        "check_ins": [
            {
                "due": _iso(c.due_at),
                "status": c.status,
                "mood": c.mood,
                "craving": c.craving,
                "used": c.used,
                "note": c.note,
                "triggers": triggers.get(c.id, []),
            }
            for c in (
                await session.scalars(
                    select(CheckIn).where(CheckIn.member_id == member.id).order_by(CheckIn.id)
                )
            ).all()
        ],
        "goals": await _goals(session, member),
        "weekly_reports_written": [
            {"due": _iso(r.due_at), "answer": r.answer}
            for r in (
                await session.scalars(
                    select(MentorReport)
                    .where(MentorReport.mentor_id == member.id)
                    .order_by(MentorReport.id)
                )
            ).all()
        ],
        "escalations_about_you": escalations,
        "reminders": await reminders.export_for(session, member.id),
        "wellbeing_answers": await wellbeing.export_for(session, member.id),
        "recovery_plan": await _plan(session, member),
        "coping_exercises": [
            {
                "exercise": run.exercise,
                "started": _iso(run.created_at),
                "sent_by_mentor": run.sent_by_mentor,
                "steps_seen": run.step,
                "helped": run.helped,
            }
            for run in (
                await session.scalars(
                    select(CopingRun)
                    .where(CopingRun.member_id == member.id)
                    .order_by(CopingRun.id)
                )
            ).all()
        ],
    }


async def _plan(session: AsyncSession, member: Member) -> dict[str, Any] | None:
    plan = await session.get(RecoveryPlan, member.id)
    if plan is None:
        return None
    return {
        "sections": {
            "warning": plan.warning,
            "triggers": plan.triggers,
            "coping": plan.coping,
            "people": plan.people,
            "reasons": plan.reasons,
        },
        "created": _iso(plan.created_at),
        "updated": _iso(plan.updated_at),
        "shared_with_mentor": _iso(plan.shared_at),
    }


async def _goals(session: AsyncSession, member: Member) -> list[dict[str, Any]]:
    """The goals of the member's pairings (either side's words: they agreed on them together),
    with the mentee's answers about each."""
    goals = []
    for goal, proposer in await session.execute(
        select(Goal, Member)
        .join(Pairing, Pairing.id == Goal.pairing_id)
        .join(Member, Member.id == Goal.proposed_by)
        .where(or_(Pairing.mentee_id == member.id, Pairing.mentor_id == member.id))
        .order_by(Goal.id)
    ):
        answers = await session.scalars(
            select(GoalCheck.answer).where(GoalCheck.goal_id == goal.id).order_by(GoalCheck.id)
        )
        goals.append(
            {
                "goal": goal.text,
                "status": goal.status,
                "proposed_by": proposer.pseudonym,
                "proposed": _iso(goal.created_at),
                "answered": _iso(goal.answered_at),
                "until": _iso(goal.ends_at),
                "answers": list(answers.all()),
            }
        )
    return goals


async def send_export(session: AsyncSession, *, member: Member, now: datetime) -> None:
    language = language_of_member(session, member)
    data = json.dumps(await export(session, member, language), ensure_ascii=False, indent=2)
    await enqueue(
        session,
        chat_id=member.chat_id,
        method="sendDocument",
        payload={
            "document_bytes": data.encode().hex(),
            "filename": f"mydata-{member.short_id}.json",
            "caption": tr(language, texts.MYDATA_CAPTION),
        },
        now=now,
    )
