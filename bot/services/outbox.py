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

from bot.i18n import Text, render
from bot.services.languages import language_of_member, recipient_language
from bot.textsplit import split_html
from storage.crypto import lookup
from storage.db import insert_later
from storage.models import OUTBOX, Member

# Payload keys starting with this prefix are resolved by the delivery worker at send time.
RESOLVE_REPLY_TO_RELAY = "_reply_to_relay"
RESOLVE_MESSAGE_ID_FROM_RELAY = "_message_id_from_relay"
# An escalation card: the delivery worker takes it out before sending and reports the outcome
# (delivered, or not) to the escalation's audit trail.
CARD_RECEIPT = "_card_receipt"
# A message about a person for the staff forum: the worker puts it in their topic (the thread
# id is known only once Telegram created the topic).
RESOLVE_THREAD_OF_MEMBER = "_thread_of"
# A createForumTopic call: whose topic it is; the worker records the thread id Telegram gives.
TOPIC_RECEIPT = "_topic_for"
# A message that already went back once because its topic was gone or closed.
THREAD_RETRIED = "_thread_retried"

# (label, callback_data); a plain str label is the same in every language (a zone, a name).
Button = tuple[Text | str, str]


# Telegram's command menu for a chat (see `bot.services.menus`): cosmetic, so the delivery
# worker drops a menu call Telegram refuses instead of parking it or judging the person by it.
MENU_SET = "setMyCommands"
MENU_DELETE = "deleteMyCommands"
MENU_METHODS = frozenset({MENU_SET, MENU_DELETE})
DEFAULT_MENU_KEY = "menu:default"


class Priority(IntEnum):
    """Lower is sooner: escalations, then relayed messages, then everything else."""

    ESCALATION = 0
    RELAY = 1
    NOTICE = 2
    BULK = 3


def h(value: object) -> str:
    """Escape a user-supplied value for an HTML-mode message."""
    return html.escape(str(value), quote=False)


def inline_keyboard(rows: Sequence[Sequence[Button]], language: str) -> dict[str, Any]:
    return {
        "inline_keyboard": [
            [{"text": render(label, language), "callback_data": data} for label, data in row]
            for row in rows
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


def menu_key(chat_id: int) -> str:
    """The outbox queue of a chat's command menu: apart from its messages (a menu call waiting
    for a retry must not hold them up), in order with the chat's other menu calls."""
    return lookup(f"menu:{chat_id}")


async def queue_menu(
    session: AsyncSession,
    *,
    chat_id: int | None,
    commands: Sequence[tuple[str, str]],
    now: datetime,
    chat_key: str | None = None,
) -> None:
    """Queue setMyCommands for one private chat's scope (or the default scope for None), or
    deleteMyCommands when there are no commands (the chat then shows the default menu)."""
    payload: dict[str, Any] = {}
    if chat_id is not None:
        payload["scope"] = {"type": "chat", "chat_id": chat_id}
    if commands:
        payload["commands"] = [{"command": c, "description": d} for c, d in commands]
    insert_later(
        session,
        _INSERT_OUTBOX,
        {
            "chat_key": chat_key
            or (DEFAULT_MENU_KEY if chat_id is None else menu_key(chat_id)),
            "is_group": False,
            "priority": int(Priority.BULK),
            "method": MENU_SET if commands else MENU_DELETE,
            "payload": json.dumps(payload),
            "status": "pending",
            "attempts": 0,
            "not_before": None,
            "created_at": now,
            "relay_id": None,
        },
    )


async def cancel_for_chat(session: AsyncSession, chat_id: int) -> None:
    """Forget every row for a chat (an erased member's), its menu calls too: what is queued is
    never sent, and no row keeps the keyed hash of their chat. A send already in flight may
    still arrive."""
    await session.execute(
        delete(OUTBOX).where(OUTBOX.c.chat_key.in_((lookup(chat_id), menu_key(chat_id))))
    )


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
    text: Text,
    *,
    now: datetime,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: Priority = Priority.NOTICE,
    chat_key: str | None = None,
    receipt: dict[str, Any] | None = None,
    thread_of: int | None = None,
    language: str | None = None,
) -> None:
    """Queue an HTML text message (the text must already be escaped where it quotes users),
    in `language`, or else in the language of whoever reads the chat.

    Text over Telegram's limit goes as several messages, in order; buttons go on the last;
    a `receipt` (see CARD_RECEIPT) on the first. `thread_of`: the member whose topic in the
    staff forum it goes to (see `bot.services.desk.topic_for`)."""
    language = language or await recipient_language(session, chat_id)
    pieces = split_html(text.render(language))
    for number, piece in enumerate(pieces, start=1):
        payload: dict[str, Any] = {
            "text": piece,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if buttons and number == len(pieces):
            payload["reply_markup"] = inline_keyboard(buttons, language)
        if receipt is not None and number == 1:
            payload[CARD_RECEIPT] = receipt
        if thread_of is not None:
            payload[RESOLVE_THREAD_OF_MEMBER] = thread_of
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
    text: Text,
    *,
    now: datetime,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: Priority = Priority.NOTICE,
    language: str | None = None,
) -> None:
    """Queue an edit of one of the bot's own messages (drops its buttons unless given), in
    the language of whoever reads the chat."""
    language = language or await recipient_language(session, chat_id)
    payload: dict[str, Any] = {
        "message_id": message_id,
        "text": text.render(language),
        "parse_mode": "HTML",
    }
    if buttons:
        payload["reply_markup"] = inline_keyboard(buttons, language)
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
    text: Text,
    *,
    now: datetime,
    buttons: Sequence[Sequence[Button]] | None = None,
    priority: Priority = Priority.NOTICE,
) -> bool:
    """Queue a notice for a member, unless the bot cannot reach them (nothing is queued for
    someone who blocked the bot). Returns whether it was queued."""
    if not member.reachable:
        return False
    await send_text(
        session,
        member.chat_id,
        text,
        now=now,
        buttons=buttons,
        priority=priority,
        language=language_of_member(session, member),
    )
    return True
