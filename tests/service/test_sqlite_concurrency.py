"""Many concurrent read-then-write transactions on SQLite: no "database is locked"."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.enrolment import create_invite
from storage.db import transaction
from storage.models import Invite
from tests.helpers import FakeClock

WRITERS = 50
TRANSACTIONS_EACH = 20


async def test_concurrent_writers_never_hit_a_lock_error(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    errors: list[Exception] = []

    async def writer(n: int) -> None:
        for _ in range(TRANSACTIONS_EACH):
            try:
                async with transaction(session_factory) as s:
                    # Read, then write: the pattern that fails with a deferred BEGIN.
                    await s.scalar(select(func.count()).select_from(Invite))
                    await create_invite(
                        s, role="mentee", created_by=n, now=clock.now(), ttl=timedelta(days=1)
                    )
            except OperationalError as exc:
                errors.append(exc)

    await asyncio.gather(*(writer(n) for n in range(WRITERS)))
    assert errors == []
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Invite)) == (
            WRITERS * TRANSACTIONS_EACH
        )
