"""Recording outgoing Telegram calls in the outbox, in the caller's transaction."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from sqlalchemy import Select, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.textsplit import split_html
from storage.crypto import lookup
from storage.db import insert_later
from storage.models import OUTBOX, RATE_BUCKETS, Member

# Payload keys starting with this prefix are resolved by the delivery worker at send time.
RESOLVE_REPLY_TO_RELAY = "_reply_to_relay"
RESOLVE_MESSAGE_ID_FROM_RELAY = "_message_id_from_relay"
# An escalation card: the delivery worker takes it out before sending and reports the outcome
# (delivered, or not) to the escalation's audit trail.
CARD_RECEIPT = "_card_receipt"

Button = tuple[str, str]  # (label, callback_data)


class Priority(IntEnum):
    """Lower is sooner: escalations, then relayed messages, then everything else."""

    ESCALATION = 0
    RELAY = 1
    NOTICE = 2
    BULK = 3


def h(value: object) -> str:
    """Escape a user-supplied value for an HTML-mode message."""
    return html.escape(str(value), quote=False)


def inline_keyboard(rows: Sequence[Sequence[Button]]) -> dict[str, Any]:
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


# Built once: every message the bot sends passes here.
_INSERT_OUTBOX = insert(OUTBOX)


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    method: str,
    payload: dict[str, Any],
    now: datetime,
    priority: Priority = Priority.NOTICE,
    relay_id: int | None = None,
    not_before: datetime | None = None,
    chat_key: str | None = None,
) -> None:
    """Add one Telegram call to the outbox, in the caller's transaction. `chat_key` replaces
    the keyed hash of the chat where that must not be stored (a last word to an erased
    member); nothing else may be queued for the chat then, or order is lost.

    The row is written with the next statement that could see it, or at the commit, in one
    INSERT with the others queued meanwhile (see `storage.db.Session`).
    """
    insert_later(
        session,
        _INSERT_OUTBOX,
        {
            "chat_key": chat_key or lookup(chat_id),
            "is_group": chat_id < 0,
            "priority": int(priority),
            "method": method,
            "payload": json.dumps({"chat_id": chat_id, **payload}),
            "status": "pending",
            "attempts": 0,
            "not_before": not_before,
            "created_at": now,
            "relay_id": relay_id,
        },
    )


async def cancel_for_chat(session: AsyncSession, chat_id: int) -> None:
    """Forget every row for a chat (an erased member's): what is queued is never sent, and no
    row keeps the keyed hash of their chat (nor the chat's rate bucket). A send already in
    flight may still arrive."""
    await session.execute(delete(OUTBOX).where(OUTBOX.c.chat_key == lookup(chat_id)))
    await session.execute(delete(RATE_BUCKETS).where(RATE_BUCKETS.c.key == lookup(chat_id)))


async def cancel_copies_of(session: AsyncSession, relay_ids: Select[int]) -> None:
    """Relayed messages being erased: copies not yet sent are not sent; sent ones let go of
    the routing record."""
    await session.execute(
        delete(OUTBOX).where(OUTBOX.c.relay_id.in_(relay_ids), OUTBOX.c.status == "pending")
    )
    await session.execute(
        update(OUTBOX).where(OUTBOX.c.relay_id.in_(relay_ids)).values(relay_id=None)
    )


async def send_text(
    session: AsyncSession,
    chat_id: int,
    text: str,
    *,
    now: datetime,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: Priority = Priority.NOTICE,
    chat_key: str | None = None,
    receipt: dict[str, Any] | None = None,
) -> None:
    """Queue an HTML text message (the text must already be escaped where it quotes users).

    Text over Telegram's limit goes as several messages, in order; buttons go on the last;
    a `receipt` (see CARD_RECEIPT) on the first."""
    pieces = split_html(text)
    for number, piece in enumerate(pieces, start=1):
        payload: dict[str, Any] = {
            "text": piece,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if buttons and number == len(pieces):
            payload["reply_markup"] = inline_keyboard(buttons)
        if receipt is not None and number == 1:
            payload[CARD_RECEIPT] = receipt
        await enqueue(
            session,
            chat_id=chat_id,
            method="sendMessage",
            payload=payload,
            now=now,
            priority=priority,
            chat_key=chat_key,
        )


async def edit_text(
    session: AsyncSession,
    chat_id: int,
    message_id: int,
    text: str,
    *,
    now: datetime,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: Priority = Priority.NOTICE,
) -> None:
    """Queue an edit of one of the bot's own messages (drops its buttons unless given)."""
    payload: dict[str, Any] = {"message_id": message_id, "text": text, "parse_mode": "HTML"}
    if buttons:
        payload["reply_markup"] = inline_keyboard(buttons)
    await enqueue(
        session,
        chat_id=chat_id,
        method="editMessageText",
        payload=payload,
        now=now,
        priority=priority,
    )


async def notify_member(
    session: AsyncSession,
    member: Member,
    text: str,
    *,
    now: datetime,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: Priority = Priority.NOTICE,
) -> bool:
    """Queue a notice for a member, unless the bot cannot reach them (nothing is queued for
    someone who blocked the bot). Returns whether it was queued."""
    if not member.reachable:
        return False
    await send_text(session, member.chat_id, text, now=now, buttons=buttons, priority=priority)
    return True
