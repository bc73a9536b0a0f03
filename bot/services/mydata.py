"""/mydata: everything the program stores about a member, and to whom it was disclosed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import tr
from bot.services.escalation import flagged_words_of_mentee
from bot.services.languages import language_of_member
from bot.services.outbox import enqueue
from storage.crypto import lookup
from storage.models import (
    CheckIn,
    CheckInSchedule,
    Escalation,
    EscalationEvent,
    HeldMessage,
    Member,
    MentorReport,
    Pairing,
    RelayedMessage,
)

_ROLES = (texts.DISCLOSED_STAFF_CHAT, texts.DISCLOSED_COORDINATOR, texts.DISCLOSED_FALLBACK)


def _disclosed_role(detail: str | None, language: str) -> str:
    """The role recorded with a notification (stored in English), in the reader's language;
    older records named chat ids instead."""
    return tr(
        language, detail if detail is not None and detail in _ROLES else texts.DISCLOSED_STAFF
    )


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
                "category": escalation.category,
                "severity": escalation.severity,
                "status": escalation.status,
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
        },
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
            }
            for c in (
                await session.scalars(
                    select(CheckIn).where(CheckIn.member_id == member.id).order_by(CheckIn.id)
                )
            ).all()
        ],
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
    }


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
