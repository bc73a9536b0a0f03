"""Erasure and the outbox: nothing queued for an erased member is sent after they are erased."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.i18n import Verbatim
from bot.services.erasure import erase
from bot.services.outbox import Priority, enqueue, send_text
from storage.db import transaction
from storage.models import Member, OutboxMessage
from tests.helpers import FakeClock, make_mentee, make_mentor


async def test_erasure_cancels_everything_queued_for_the_member(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock.now()
    async with transaction(session_factory) as s:
        mentee = make_mentee(s, pseudonym="Sam", now=now)
        other = make_mentor(s, pseudonym="Alex", now=now)
        await s.flush()
        mentee_chat, other_chat = mentee.chat_id, other.chat_id
        await send_text(s, mentee_chat, Verbatim("your check-in for today"), now=now)
        await enqueue(
            s,
            chat_id=mentee_chat,
            method="copyMessage",
            payload={"from_chat_id": other_chat, "message_id": 7},
            now=now,
            priority=Priority.RELAY,
        )
        await send_text(s, other_chat, Verbatim("a notice for someone else"), now=now)
    async with transaction(session_factory) as s:
        member = await s.get(Member, mentee.id)
        assert member is not None
        await erase(s, member=member, now=now)
    async with session_factory() as s:
        pending = (
            await s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending")
                .order_by(OutboxMessage.id)
            )
        ).all()
        queued = [(row.method, json.loads(row.payload)) for row in pending]

        def chat_of(payload: dict[str, Any]) -> int:
            # A command menu's chat is in its scope.
            return int(payload.get("chat_id") or payload["scope"]["chat_id"])

        # Only the confirmation of the erasure itself is left to send them, and their command
        # menu is taken away.
        assert [(m, q.get("text")) for m, q in queued if chat_of(q) == mentee_chat] == [
            ("sendMessage", texts.ERASED),
            ("deleteMyCommands", None),
        ]
        assert [q.get("text") for _, q in queued if chat_of(q) == other_chat] == [
            "a notice for someone else"
        ]
