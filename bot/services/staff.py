"""/coordinators: coordinators add and remove coordinators; every change is audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, t
from bot.numbers import parse_id
from bot.services.escalation import drop_pending_actions
from bot.services.menus import refresh_menu
from storage.models import Coordinator, CoordinatorChange


async def manage(
    session: AsyncSession,
    *,
    actor: int,
    args: list[str],
    configured: tuple[int, ...],
    now: datetime,
) -> Text:
    """List coordinators, or add/remove one by Telegram user id."""
    if not args:
        return await _listing(session, configured)
    target = parse_id(args[1]) if len(args) == 2 else None
    if target is None or args[0] not in ("add", "remove"):
        return t(texts.COORDINATORS_USAGE)
    existing = await session.get(Coordinator, target)
    if args[0] == "add":
        if existing is not None:
            return t(texts.COORDINATOR_ALREADY, id=target)
        session.add(Coordinator(telegram_user_id=target, added_at=now, added_by=actor))
        session.add(CoordinatorChange(at=now, actor=actor, action="added", target=target))
        await refresh_menu(session, telegram_user_id=target, now=now)
        return t(texts.COORDINATOR_ADDED, id=target)
    if existing is None:
        return t(texts.COORDINATOR_NOT_FOUND, id=target)
    if target in configured:
        return t(texts.COORDINATOR_CONFIGURED, id=target)
    await session.delete(existing)
    await drop_pending_actions(session, coordinator=target)
    session.add(CoordinatorChange(at=now, actor=actor, action="removed", target=target))
    await refresh_menu(session, telegram_user_id=target, now=now)
    return t(texts.COORDINATOR_REMOVED, id=target)


async def _listing(session: AsyncSession, configured: tuple[int, ...]) -> Text:
    lines: list[Text] = [t(texts.COORDINATORS_HEADER)]
    for row in (await session.scalars(select(Coordinator).order_by(Coordinator.added_at))).all():
        origin = (
            t(texts.COORDINATOR_FROM_SETTINGS)
            if row.telegram_user_id in configured
            else t(texts.COORDINATOR_ADDED_BY, actor=row.added_by)
        )
        lines.append(
            t(
                texts.COORDINATOR_LINE,
                id=row.telegram_user_id,
                since=row.added_at.strftime("%Y-%m-%d"),
                origin=origin,
            )
        )
    changes = (
        await session.scalars(
            select(CoordinatorChange).order_by(CoordinatorChange.id.desc()).limit(10)
        )
    ).all()
    if changes:
        lines.append(t(texts.COORDINATOR_CHANGES_HEADER))
        for change in changes:
            lines.append(
                t(
                    texts.COORDINATOR_CHANGE_LINE,
                    when=change.at.strftime("%Y-%m-%d %H:%M"),
                    actor=change.actor,
                    action=change.action,
                    target=change.target,
                )
            )
    return join(lines)
