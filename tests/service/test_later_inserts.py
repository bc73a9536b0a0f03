"""Outbox rows are written in batches, yet every query in the transaction sees them, and they
commit or roll back with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Verbatim
from bot.services.erasure import erase
from bot.services.outbox import enqueue, send_text
from bot.services.relay import Incoming, copy_between
from storage.db import INDEPENDENT, transaction
from storage.models import OutboxMessage, Pairing, RelayedMessage
from tests.helpers import FakeClock, make_mentee, make_mentor, outbox_for

COUNT_OUTBOX = select(func.count()).select_from(OutboxMessage)


async def test_queued_messages_are_seen_by_the_next_query_in_order(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with transaction(session_factory) as s:
        for n in range(5):
            await send_text(s, 42, Verbatim(f"message {n}"), now=clock.now())
        # A statement that says it needs none of them may run before they are written...
        assert await s.scalar(COUNT_OUTBOX.execution_options(**{INDEPENDENT: True})) == 0
        # ...any other sees all of them, in the order they were queued.
        texts = [row["text"] for row in await outbox_for(s, 42)]
        assert texts == [f"message {n}" for n in range(5)]
        await send_text(s, 42, Verbatim("message 5"), now=clock.now())
    async with session_factory() as s:
        assert [row["text"] for row in await outbox_for(s, 42)][-1] == "message 5"
        assert await s.scalar(COUNT_OUTBOX) == 6


async def test_the_commit_writes_them_and_a_rollback_drops_them(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with transaction(session_factory) as s:
        await send_text(s, 42, Verbatim("kept"), now=clock.now())
    with pytest.raises(RuntimeError):
        async with transaction(session_factory) as s:
            await send_text(s, 42, Verbatim("dropped"), now=clock.now())
            raise RuntimeError("the handler failed")
    async with session_factory() as s:
        assert [row["text"] for row in await outbox_for(s, 42)] == ["kept"]

    # The same session, rolled back and used again, does not carry the dropped row along.
    session = session_factory()
    try:
        await session.begin()
        await send_text(session, 42, Verbatim("dropped too"), now=clock.now())
        await session.rollback()
        async with session.begin():
            await send_text(session, 42, Verbatim("second"), now=clock.now())
    finally:
        await session.close()
    async with session_factory() as s:
        assert [row["text"] for row in await outbox_for(s, 42)] == ["kept", "second"]


async def test_a_failing_row_fails_the_transaction(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    with pytest.raises(IntegrityError):
        async with transaction(session_factory) as s:
            await send_text(s, 42, Verbatim("fine"), now=clock.now())
            await enqueue(
                s, chat_id=42, method="sendMessage", payload={}, now=clock.now(), relay_id=999
            )  # no such routing record
    async with session_factory() as s:
        assert await s.scalar(COUNT_OUTBOX) == 0


async def test_erasing_someone_right_after_a_message_to_them_was_queued(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    """The routing record of a copy still waiting to be written is erased like any other."""
    now: Callable[[], datetime] = clock.now
    async with transaction(session_factory) as s:
        mentee, mentor = make_mentee(s, now=now()), make_mentor(s, now=now())
        await s.flush()
        pairing = Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=now())
        s.add(pairing)
        await s.flush()
    async with transaction(session_factory) as s:
        mentee, mentor = await s.merge(mentee), await s.merge(mentor)
        pairing = await s.merge(pairing)
        message = Incoming(chat_id=mentee.chat_id, message_id=7, is_text=True, text="hi")
        await copy_between(s, pairing, mentee, mentor, message, now())
        await erase(s, member=mentor, now=now())
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(RelayedMessage)) == 0
        copies = (
            await s.scalars(select(OutboxMessage).where(OutboxMessage.relay_id.is_not(None)))
        ).all()
        assert copies == []
