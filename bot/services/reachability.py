"""People who blocked the bot: stop queueing for them, keep what was meant for them, tell
those who need to know, and deliver it all when they come back."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import t, t_item
from bot.services.escalation import card_undeliverable
from bot.services.members import active_mentees, active_pairing_of_mentee, coordinator_ids
from bot.services.outbox import CARD_RECEIPT, h, send_text
from bot.services.relay import Incoming, copy_between, hold_for_return
from storage.models import HeldMessage, Member, OutboxMessage, Pairing, RelayedMessage


async def mark_unreachable(
    session: AsyncSession, *, chat_key: str, failed_row: OutboxMessage | None, now: datetime
) -> Member | None:
    """Telegram said Forbidden for this chat (by its lookup key). Returns the member, if it
    was one (a private chat's id is its user's id)."""
    pending = (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_key == chat_key, OutboxMessage.status == "pending")
            .order_by(OutboxMessage.id)
        )
    ).all()
    rows = ([failed_row] if failed_row is not None else []) + [
        row for row in pending if failed_row is None or row.id != failed_row.id
    ]
    member = await session.scalar(select(Member).where(Member.telegram_user_key == chat_key))
    cards: list[tuple[dict[str, object], int]] = []
    for row in rows:
        if member is not None and row.relay_id is not None and row.method == "copyMessage":
            await _hold_copy(session, row.relay_id, member, now)
        payload = json.loads(row.payload or "{}")
        if isinstance(payload.get(CARD_RECEIPT), dict):
            cards.append((payload[CARD_RECEIPT], int(payload["chat_id"])))
        row.status = "dead"
        row.payload = "{}"
        row.last_error = "recipient unreachable (blocked the bot or account deleted)"
    # Escalation cards waiting for this chat (a staff group the bot was removed from) must
    # still reach a human: each is recorded as undelivered and sent elsewhere.
    for receipt, chat_id in cards:
        await card_undeliverable(
            session, receipt=receipt, chat_id=chat_id, reason=texts.CARD_NOT_IN_CHAT, now=now
        )
    if member is None or not member.reachable:
        return member
    member.reachable = False
    who = {"pseudonym": h(member.pseudonym), "short_id": member.short_id}
    for coordinator in await coordinator_ids(session):
        await send_text(
            session,
            coordinator,
            t(
                texts.UNREACHABLE_FOR_COORDINATORS,
                role=t_item(texts.ROLE_NAMES, member.role),
                **who,
            ),
            now=now,
        )
    if member.role == "mentee":
        pairing = await active_pairing_of_mentee(session, member.id)
        mentor = await session.get(Member, pairing.mentor_id) if pairing else None
        if mentor is not None and mentor.reachable:
            await send_text(
                session, mentor.chat_id, t(texts.UNREACHABLE_FOR_MENTOR, **who), now=now
            )
    return member


async def mark_reachable(session: AsyncSession, *, member: Member, now: datetime) -> int:
    """The member wrote or pressed /start again: deliver what waited for them."""
    if member.reachable:
        return 0
    member.reachable = True
    for coordinator in await coordinator_ids(session):
        await send_text(
            session,
            coordinator,
            t(
                texts.REACHABLE_AGAIN_FOR_COORDINATORS,
                pseudonym=h(member.pseudonym),
                short_id=member.short_id,
            ),
            now=now,
        )
    return await release_held_for(session, member=member, now=now)


async def release_held_for(session: AsyncSession, *, member: Member, now: datetime) -> int:
    held = (
        await session.scalars(
            select(HeldMessage)
            .where(
                HeldMessage.target_member_id == member.id,
                HeldMessage.status == "held",
                HeldMessage.reason == "unreachable",
            )
            .order_by(HeldMessage.id)
        )
    ).all()
    delivered = 0
    for item in held:
        sender = await session.get(Member, item.member_id)
        pairing = await _active_pairing_between(session, sender, member)
        if sender is None or pairing is None:
            item.status = "cancelled"
            continue
        item.status = "delivered"
        item.delivered_at = now
        await copy_between(
            session,
            pairing,
            sender,
            member,
            Incoming(chat_id=item.source_chat_id, message_id=item.source_message_id),
            now,
        )
        delivered += 1
    return delivered


async def _hold_copy(
    session: AsyncSession, relay_id: int, recipient: Member, now: datetime
) -> None:
    record = await session.get(RelayedMessage, relay_id)
    if record is None or record.dest_message_id is not None:
        return
    sender = await session.scalar(
        select(Member).where(Member.telegram_user_key == record.source_chat_key)
    )
    if sender is None:
        return
    message = Incoming(chat_id=record.source_chat_id, message_id=record.source_message_id)
    hold_for_return(session, sender.id, message, recipient.id, now)


async def _active_pairing_between(
    session: AsyncSession, a: Member | None, b: Member
) -> Pairing | None:
    if a is None:
        return None
    if a.role == "mentee":
        pairing = await active_pairing_of_mentee(session, a.id)
        return pairing if pairing is not None and pairing.mentor_id == b.id else None
    return next((p for p, m in await active_mentees(session, a.id) if m.id == b.id), None)
