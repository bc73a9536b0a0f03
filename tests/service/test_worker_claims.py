"""Timers claimed by one worker at a time (PostgreSQL, in every run): while one worker's tick
holds due check-ins, escalation reminders or concerns (its transaction not yet committed), a
second worker's tick skips them at once instead of handling them again or waiting; after the
first commits they are no longer due. So each is sent once however many workers tick."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import load_settings
from bot.services import checkins, concerns, escalation
from bot.services.escalation import EscalationPolicy
from bot.services.members import seed_coordinators
from storage import migrate
from storage.crypto import lookup
from storage.db import create_engine, create_session_factory, transaction
from storage.models import CheckIn, CheckInSchedule, Concern, Escalation, OutboxMessage, Pairing
from tests.conftest import COORDINATOR_ID
from tests.helpers import make_mentee, make_mentor
from tests.postgres import PostgresServer

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
# A second worker that waited for the first one's locks instead of skipping would wait for
# ever here (the first commits only after it): this bounds the test, not a timing claim.
NO_WAITING_S = 10

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture
async def pg(postgres_server: PostgresServer) -> AsyncIterator[Factory]:
    async with postgres_server.fresh_database() as url:
        await migrate.upgrade(url)
        engine = create_engine(url)
        try:
            yield create_session_factory(engine)
        finally:
            await engine.dispose()


@pytest.fixture
def policy() -> EscalationPolicy:
    return EscalationPolicy.from_settings(load_settings(_env_file=None))


async def count(factory: Factory, model: type, *where: object) -> int:
    async with transaction(factory) as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_two_workers_remind_an_unacknowledged_escalation_once(
    pg: Factory, policy: EscalationPolicy
) -> None:
    async with transaction(pg) as s:
        await seed_coordinators(s, (COORDINATOR_ID,), NOW)
        mentee = make_mentee(s, now=NOW)
        await s.flush()
        s.add(
            Escalation(
                mentee_id=mentee.id,
                raised_by="sos",
                category="suicide_self_harm",
                severity="critical",
                status="open",
                received_at=NOW,
                opened_at=NOW,
                notify_round=0,
                next_notify_at=NOW - timedelta(minutes=1),
            )
        )

    async def second_worker() -> int:
        async with transaction(pg) as s:
            return await escalation.remind_unacknowledged(s, policy, NOW)

    async with pg() as s, s.begin():
        assert await escalation.remind_unacknowledged(s, policy, NOW) == 1
        assert await asyncio.wait_for(second_worker(), NO_WAITING_S) == 0
    assert await second_worker() == 0  # and once the first committed, it is not due
    cards = await count(pg, OutboxMessage, OutboxMessage.chat_key == lookup(COORDINATOR_ID))
    assert cards == 1


async def test_two_workers_climb_an_unanswered_concern_once(
    pg: Factory, policy: EscalationPolicy
) -> None:
    async with transaction(pg) as s:
        await seed_coordinators(s, (COORDINATOR_ID,), NOW)
        mentee, mentor = make_mentee(s, now=NOW), make_mentor(s, now=NOW)
        await s.flush()
        pairing = Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=NOW)
        s.add(pairing)
        await s.flush()
        s.add(
            Concern(
                mentee_id=mentee.id,
                mentor_id=mentor.id,
                pairing_id=pairing.id,
                raised_by="detected",
                category="suicide_self_harm",
                probability=0.4,
                status="open",
                created_at=NOW - timedelta(minutes=20),
                due_at=NOW - timedelta(minutes=5),
            )
        )

    async def second_worker() -> int:
        async with transaction(pg) as s:
            return await concerns.climb_unanswered(s, policy, NOW)

    async with pg() as s, s.begin():
        assert await concerns.climb_unanswered(s, policy, NOW) == 1
        assert await asyncio.wait_for(second_worker(), NO_WAITING_S) == 0
    assert await second_worker() == 0
    assert await count(pg, Escalation) == 1
    assert await count(pg, OutboxMessage, OutboxMessage.chat_key == lookup(mentor.chat_id)) == 1


async def test_two_workers_send_each_due_check_in_once(pg: Factory) -> None:
    policy = checkins.CheckInPolicy.from_settings(load_settings(_env_file=None))
    people = 30
    async with transaction(pg) as s:
        members = [make_mentee(s, timezone="UTC", now=NOW) for _ in range(people)]
        await s.flush()
        for member in members:
            s.add(
                CheckInSchedule(
                    member_id=member.id,
                    local_time="11:59",
                    quiet_start="22:00",
                    quiet_end="08:00",
                    next_due_at=NOW - timedelta(minutes=1),
                    missed_streak=0,
                )
            )

    async def second_worker() -> int:
        async with transaction(pg) as s:
            return (await checkins.run_due(s, policy, NOW, limit=100)).prompts

    async with pg() as s, s.begin():
        first = await checkins.run_due(s, policy, NOW, limit=20)
        assert first.prompts == 20
        # The second takes the ten the first did not, and none of the first's twenty.
        assert await asyncio.wait_for(second_worker(), NO_WAITING_S) == 10
    assert await second_worker() == 0
    assert await count(pg, CheckIn) == people
    assert await count(pg, OutboxMessage) == people
