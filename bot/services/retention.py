"""Retention: routing records and held messages go after RETENTION_DAYS; escalation content
after ESCALATION_RETENTION_DAYS, the audit trail kept but redacted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Escalation,
    EscalationEvent,
    HeldMessage,
    InboxUpdate,
    OutboxMessage,
    RelayedMessage,
)

REDACTED = "[redacted after the retention period]"


@dataclass(frozen=True)
class Purged:
    routing: int
    held: int
    outbox: int
    inbox: int
    escalations: int


async def purge_expired(
    session: AsyncSession,
    *,
    now: datetime,
    retention: timedelta,
    escalation_retention: timedelta,
) -> Purged:
    cutoff = now - retention
    # Outbox rows refer to routing records, so they go first.
    outbox = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(("sent", "dead")), OutboxMessage.created_at < cutoff
        )
    )
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.created_at < cutoff).values(relay_id=None)
    )
    routing = await session.execute(
        delete(RelayedMessage).where(RelayedMessage.created_at < cutoff)
    )
    held = await session.execute(delete(HeldMessage).where(HeldMessage.created_at < cutoff))
    inbox = await session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.processed_at.is_not(None), InboxUpdate.received_at < cutoff
        )
    )
    old = now - escalation_retention
    # Encrypted columns cannot be compared in SQL (each value is encrypted differently), so
    # whether an outcome is already redacted is decided on the decrypted value.
    candidates = (
        await session.scalars(
            select(Escalation).where(
                Escalation.opened_at < old,
                or_(Escalation.flagged_text.is_not(None), Escalation.outcome.is_not(None)),
            )
        )
    ).all()
    expired = [e for e in candidates if not is_redacted(e)]
    await redact_escalations(session, expired)
    return Purged(
        routing=_count(routing),
        held=_count(held),
        outbox=_count(outbox),
        inbox=_count(inbox),
        escalations=len(expired),
    )


def is_redacted(escalation: Escalation) -> bool:
    """Nothing written is left on the escalation itself."""
    return escalation.flagged_text is None and escalation.outcome in (None, REDACTED)


async def redact_escalations(session: AsyncSession, escalations: Sequence[Escalation]) -> None:
    """Drop what was written (flagged message, outcome, audit details); keep the facts.

    Idempotent: what is already redacted is not written again."""
    for escalation in escalations:
        if escalation.flagged_text is not None:
            escalation.flagged_text = None
        if escalation.outcome not in (None, REDACTED):
            escalation.outcome = REDACTED
    if not escalations:
        return
    events = await session.scalars(
        select(EscalationEvent).where(
            EscalationEvent.escalation_id.in_([e.id for e in escalations]),
            EscalationEvent.detail.is_not(None),
        )
    )
    for event in events:
        if event.detail != REDACTED:
            event.detail = REDACTED


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
