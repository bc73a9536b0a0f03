"""Pairing rules on a real database, including concurrent coordinators."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import pairing
from storage.db import transaction
from storage.models import Pairing
from tests.helpers import FakeClock, make_mentee, make_mentor, outbox_for


async def test_concurrent_pairings_never_exceed_capacity(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock.now()
    async with transaction(session_factory) as s:
        mentor = make_mentor(s, capacity=3, now=now)
        mentees = [make_mentee(s, now=now) for _ in range(8)]
        await s.flush()
        mentor_id, mentee_ids = mentor.id, [m.id for m in mentees]

    async def attempt(mentee_id: int, at: datetime) -> bool:
        async with transaction(session_factory) as s:
            outcome = await pairing.pair_by_ids(
                s, mentee_id=mentee_id, mentor_id=mentor_id, default_capacity=3, now=at
            )
            return outcome.ok

    results = await asyncio.gather(*(attempt(i, now) for i in mentee_ids))
    assert sum(results) == 3
    async with session_factory() as s:
        active = await s.scalar(
            select(func.count())
            .select_from(Pairing)
            .where(Pairing.mentor_id == mentor_id, Pairing.ended_at.is_(None))
        )
    assert active == 3


async def test_pairing_queues_notices_for_both_sides_by_pseudonym(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with transaction(session_factory) as s:
        mentee = make_mentee(s, pseudonym="Sam <script>", now=clock.now())
        mentor = make_mentor(s, pseudonym="Alex", now=clock.now())
        await s.flush()
        outcome = await pairing.pair_mentee(
            s, mentee=mentee, mentor=mentor, default_capacity=3, now=clock.now()
        )
    assert outcome.ok
    async with session_factory() as s:
        to_mentee = await outbox_for(s, mentee.chat_id)
        to_mentor = await outbox_for(s, mentor.chat_id)
    assert "<b>Alex</b>" in str(to_mentee[0]["text"])
    # What a member chose as a name is escaped wherever it is shown.
    assert "Sam &lt;script&gt;" in str(to_mentor[0]["text"])


async def test_unpaired_mentee_can_be_paired_again(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with transaction(session_factory) as s:
        mentee = make_mentee(s, pseudonym="Kim", now=clock.now())
        first = make_mentor(s, now=clock.now())
        second = make_mentor(s, now=clock.now())
        await s.flush()
        assert (
            await pairing.pair_mentee(
                s, mentee=mentee, mentor=first, default_capacity=3, now=clock.now()
            )
        ).ok
    async with transaction(session_factory) as s:
        assert (await pairing.unpair_mentee(s, ref="kim", now=clock.now())).ok
    async with transaction(session_factory) as s:
        assert (
            await pairing.pair_by_ids(
                s, mentee_id=mentee.id, mentor_id=second.id, default_capacity=3, now=clock.now()
            )
        ).ok
