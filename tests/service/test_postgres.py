"""The same code on PostgreSQL, which (unlike SQLite) enforces column lengths and types: these
run on the throw-away PostgreSQL server in every run, whatever TEST_DATABASE says."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import redirect_stdout
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import load_settings
from bot.doctor import run_doctor
from bot.services.erasure import erase
from storage import migrate
from storage.db import create_engine, create_session_factory, transaction
from storage.models import Escalation, EscalationEvent, Member
from tests.helpers import TEST_KEYS, FakeClock, make_mentee, make_mentor
from tests.postgres import PostgresServer


@pytest.fixture
async def pg_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    async with postgres_server.fresh_database() as url:
        await migrate.upgrade(url)
        yield url


@pytest.fixture
async def pg_factory(pg_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(pg_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def test_the_longest_values_the_code_writes_are_stored_on_postgres(
    pg_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock.now()
    async with transaction(pg_factory) as s:
        # 24 characters, each folding into three ("ΐ") or looking like seven (a Hangul
        # syllable's jamo): the longest pseudonym key and skeleton enrolment can produce.
        greek = make_mentee(s, pseudonym="ΐ" * 24, now=now)
        hangul = make_mentor(s, pseudonym="꽦" * 24, now=now)
        await s.flush()
        s.add(
            Escalation(
                mentee_id=greek.id,
                raised_by="sos",
                category="self_harm",
                severity="critical",
                status="open",
                received_at=now,
                opened_at=now,
            )
        )
    async with transaction(pg_factory) as s:
        member = await s.get(Member, greek.id)
        assert member is not None
        await erase(s, member=member, now=now)  # the trail's longest kind: 24 characters

    async with pg_factory() as s:
        kinds = (await s.scalars(select(EscalationEvent.kind))).all()
        assert "member erased their data" in kinds
        stored = await s.get(Member, hangul.id)
        assert stored is not None and stored.pseudonym == "꽦" * 24
        assert len(stored.pseudonym_skeleton) > 128


async def test_times_and_big_ids_come_back_the_same_on_postgres(
    pg_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now: datetime = clock.now()
    async with transaction(pg_factory) as s:
        mentee = make_mentee(s, now=now)
        mentee.telegram_user_id = 7_100_000_001  # past 32 bits, as Telegram's ids are
        mentee.chat_id = 7_100_000_001
        await s.flush()
        s.add(
            Escalation(
                mentee_id=mentee.id,
                raised_by="sos",
                category="self_harm",
                severity="critical",
                status="open",
                received_at=now,
                opened_at=now,
                acknowledged_by=7_300_000_001,
                source_message_id=2**40,
            )
        )
    async with pg_factory() as s:
        [escalation] = (await s.scalars(select(Escalation))).all()
        assert escalation.opened_at == now and escalation.opened_at.tzinfo is not None
        assert (escalation.acknowledged_by, escalation.source_message_id) == (
            7_300_000_001,
            2**40,
        )
        member = await s.get(Member, mentee.id)
        assert member is not None and member.chat_id == 7_100_000_001


async def test_doctor_checks_the_postgresql_server(
    pg_url: str, postgres_server: PostgresServer
) -> None:
    settings = load_settings(
        database_url=pg_url, coordinator_ids=[1001], _env_file=None, **TEST_KEYS
    )
    out = io.StringIO()
    with redirect_stdout(out):
        status = await run_doctor(settings)
    lines = out.getvalue().splitlines()
    assert status == 0, lines
    assert "ok  database: opens and is writable" in lines
    assert any(line.startswith("ok  postgresql: server 1") for line in lines), lines
    assert f"ok  migrations: at {migrate.head_revision(pg_url)}" in lines

    unreachable = postgres_server.url("no_such_database")
    out = io.StringIO()
    with redirect_stdout(out):
        status = await run_doctor(
            load_settings(
                database_url=unreachable, coordinator_ids=[1001], _env_file=None, **TEST_KEYS
            )
        )
    assert status == 1
    assert "error  database: cannot be opened" in out.getvalue()


async def test_a_statement_running_past_the_timeout_is_cancelled_by_the_server(
    pg_url: str,
) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(pg_url, pool_size=2, statement_timeout_s=0.2)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SHOW statement_timeout")) == "200ms"
            with pytest.raises(DBAPIError, match="statement timeout"):
                await conn.execute(text("SELECT pg_sleep(2)"))
    finally:
        await engine.dispose()


async def test_a_failing_postgresql_server_is_never_the_updates_fault(
    pg_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    """The inbox sets an update aside only for its own fault; a read-only server (a replica
    after a failover), a full disk or a statement timeout makes it wait and retry instead."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError, IntegrityError

    from bot.inbox import blocking_reason

    failures: list[BaseException] = []
    for setup, statement in (
        ("SET TRANSACTION READ ONLY", "INSERT INTO coordinators VALUES (1, now(), NULL)"),
        ("SET LOCAL statement_timeout = 50", "SELECT pg_sleep(1)"),
    ):
        with pytest.raises(DBAPIError) as failed:
            async with transaction(pg_factory) as s:
                await s.execute(text(setup))
                await s.execute(text(statement))
        failures.append(failed.value)
    assert [blocking_reason(f) for f in failures] == ["storage", "storage"]
    # A broken row is the update's own fault: not a storage failure.
    with pytest.raises(IntegrityError) as broken:
        async with transaction(pg_factory) as s:
            await s.execute(
                text(
                    "INSERT INTO pairings (mentee_id, mentor_id, created_at) VALUES (1, 1, now())"
                )
            )
    assert blocking_reason(broken.value) is None
