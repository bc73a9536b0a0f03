"""Outbox ids are never reused: the delivery worker marks a row sent by its id after the
send, so a row cancelled meanwhile must not hand its id to the next message (which would
then be marked sent without ever being sent)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import Verbatim
from bot.services.outbox import cancel_for_chat, send_text
from storage.db import transaction
from storage.models import OutboxMessage
from tests.helpers import FakeClock


async def test_a_cancelled_rows_id_is_never_given_to_a_new_message(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock.now()
    async with transaction(session_factory) as s:
        await send_text(s, 111, Verbatim("first"), now=now)
        await send_text(s, 222, Verbatim("being sent when its member is erased"), now=now)
    async with session_factory() as s:
        in_flight = max(await s.scalars(select(OutboxMessage.id)))
    async with transaction(session_factory) as s:
        await cancel_for_chat(s, 222)  # the erasure, while that row is in flight
        await send_text(
            s, 222, Verbatim("your data has been erased"), now=now, chat_key="erased:7"
        )
    async with session_factory() as s:
        ids = list(await s.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
    assert in_flight not in ids[1:] and len(ids) == 2 and ids[-1] > in_flight
