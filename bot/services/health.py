"""How delivery is doing: what waits in the outbox, what was parked as dead, who is unreachable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, t, t_item
from bot.services.outbox import h
from storage.crypto import lookup
from storage.models import InboxUpdate, Member, OutboxMessage

RECENT_DEAD = 5


@dataclass
class IntakeStatus:
    """What the running bot knows about taking updates in that the database cannot say (it may
    be the database that fails): kept by the inbox, shown by /health."""

    problem: str | None = None  # "storage" or "keys" while updates wait through no fault of theirs
    problem_since: datetime | None = None
    last_outage: tuple[str, datetime, datetime] | None = None  # reason, from, to
    failed_since_start: int = 0  # updates set aside because a handler failed on them
    failed_not_paged: int = 0  # of those, not yet in a page to the coordinators
    last_page_at: datetime | None = None


@dataclass(frozen=True)
class DeadMessage:
    id: int
    method: str
    error: str
    created_at: datetime


@dataclass(frozen=True)
class Health:
    pending: int
    oldest_pending_age: timedelta | None
    dead: int
    recent_dead: list[DeadMessage]
    unreachable: int
    inbox_waiting: int
    inbox_failed: int
    token_rejected_since: datetime | None = None
    staff_chat_broken: DeadMessage | None = None


async def delivery_health(
    session: AsyncSession,
    now: datetime,
    *,
    token_rejected_since: datetime | None = None,
    staff_chat_id: int | None = None,
) -> Health:
    """`token_rejected_since`: when Telegram began answering 401 (the delivery worker knows);
    `staff_chat_id`: COORDINATOR_CHAT_ID, checked for being broken."""
    pending, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.status == "pending"
            )
        )
    ).one()
    dead = await session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "dead")
    )
    recent = (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == "dead")
            .order_by(OutboxMessage.id.desc())
            .limit(RECENT_DEAD)
        )
    ).all()
    unreachable = await session.scalar(
        select(func.count()).select_from(Member).where(Member.reachable.is_(False))
    )
    inbox_waiting = await session.scalar(
        select(func.count()).select_from(InboxUpdate).where(InboxUpdate.processed_at.is_(None))
    )
    inbox_failed = await session.scalar(
        select(func.count()).select_from(InboxUpdate).where(InboxUpdate.failed.is_(True))
    )
    return Health(
        pending=int(pending or 0),
        oldest_pending_age=(now - oldest) if oldest is not None else None,
        dead=int(dead or 0),
        recent_dead=[
            DeadMessage(r.id, r.method, r.last_error or "", r.created_at) for r in recent
        ],
        unreachable=int(unreachable or 0),
        inbox_waiting=int(inbox_waiting or 0),
        inbox_failed=int(inbox_failed or 0),
        token_rejected_since=token_rejected_since,
        staff_chat_broken=await _staff_chat_broken(session, staff_chat_id),
    )


_CHAT_GONE = ("unreachable", "forbidden", "chat not found")


async def _staff_chat_broken(session: AsyncSession, chat_id: int | None) -> DeadMessage | None:
    """The staff chat is broken when the last message Telegram answered for it was refused
    because the bot is not in it or it does not exist (a group keeps its key once sent)."""
    if chat_id is None:
        return None
    last = await session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.chat_key == lookup(chat_id), OutboxMessage.status != "pending")
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    if last is None or last.status != "dead":
        return None
    error = (last.last_error or "").lower()
    if not any(sign in error for sign in _CHAT_GONE):
        return None
    return DeadMessage(last.id, last.method, last.last_error or "", last.created_at)


def describe_age(age: timedelta | None) -> str:
    if age is None:
        return "—"
    seconds = max(0, int(age.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def health_report(health: Health, intake: IntakeStatus | None = None) -> Text:
    """The /health text (HTML); `python -m bot doctor` prints the same lines."""
    lines: list[Text] = [t(texts.HEALTH_HEADER)]
    if health.token_rejected_since is not None:
        lines.append(
            t(
                texts.HEALTH_TOKEN_REJECTED,
                since=health.token_rejected_since.strftime("%Y-%m-%d %H:%M"),
            )
        )
    if health.staff_chat_broken is not None:
        lines.append(
            t(
                texts.HEALTH_STAFF_CHAT_BROKEN,
                since=health.staff_chat_broken.created_at.strftime("%Y-%m-%d %H:%M"),
                error=h(health.staff_chat_broken.error),
            )
        )
    lines += [
        t(
            texts.HEALTH_OUTBOX,
            pending=health.pending,
            oldest=describe_age(health.oldest_pending_age),
        ),
        t(texts.HEALTH_DEAD, dead=health.dead),
    ]
    for item in health.recent_dead:
        lines.append(
            t(
                texts.HEALTH_DEAD_LINE,
                id=item.id,
                method=h(item.method),
                error=h(item.error),
                when=item.created_at.strftime("%Y-%m-%d %H:%M"),
            )
        )
    lines.append(t(texts.HEALTH_UNREACHABLE, count=health.unreachable))
    lines.append(t(texts.HEALTH_INBOX, waiting=health.inbox_waiting, failed=health.inbox_failed))
    if intake is not None:
        lines.extend(_intake_lines(intake))
    return join(lines)


def _intake_lines(intake: IntakeStatus) -> list[Text]:
    lines: list[Text] = []
    if intake.problem is not None and intake.problem_since is not None:
        lines.append(
            t(
                texts.HEALTH_INTAKE_BLOCKED,
                reason=t_item(texts.INTAKE_REASONS, intake.problem),
                since=intake.problem_since.strftime("%Y-%m-%d %H:%M"),
            )
        )
    if intake.last_outage is not None:
        reason, start, end = intake.last_outage
        lines.append(
            t(
                texts.HEALTH_INTAKE_LAST_OUTAGE,
                reason=t_item(texts.INTAKE_REASONS, reason),
                start=start.strftime("%Y-%m-%d %H:%M"),
                end=end.strftime("%Y-%m-%d %H:%M"),
            )
        )
    if intake.failed_since_start:
        lines.append(
            t(
                texts.HEALTH_HANDLER_FAILURES,
                count=intake.failed_since_start,
                unpaged=intake.failed_not_paged,
            )
        )
    return lines
