"""Fixtures: a real database (a SQLite file in tmp_path, or with TEST_DATABASE=postgres a fresh
database on a throw-away PostgreSQL server, see tests/postgres.py), the Bot API emulator, the
running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import BotRuntime
from bot.config import Settings, load_settings
from emulator import BotApiEmulator, FakeUser
from emulator.scenario import Scenario
from storage import crypto, migrate
from storage.db import create_engine, create_session_factory
from tests import postgres
from tests.helpers import TEST_CIPHER, TEST_KEYS, FakeClock

COORDINATOR_ID = 1000


@pytest.fixture(autouse=True)
def data_cipher() -> crypto.DataCipher:
    """Tests read and write the database with the same keys as the bot they run."""
    crypto.configure(TEST_CIPHER)
    return TEST_CIPHER


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test is about SQLite itself; not run on PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "blank_database: on PostgreSQL, a new empty database (not the shared one at head)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not postgres.ON_POSTGRES:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    """The throw-away PostgreSQL server, started at the first test that needs it."""
    server = postgres.start_server()
    yield server
    server.stop()


@pytest.fixture
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The test's own empty database: SQLite by default, PostgreSQL with
    TEST_DATABASE=postgres."""
    if not postgres.ON_POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    server: postgres.PostgresServer = request.getfixturevalue("postgres_server")
    if request.node.get_closest_marker("blank_database") is None:
        yield await server.emptied_head_database()
        return
    async with server.fresh_database() as url:
        yield url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    await migrate.upgrade(db_url)
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator()
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
def settings(db_url: str, emu: BotApiEmulator) -> Settings:
    return load_settings(
        telegram_bot_token=emu.token,
        telegram_api_base_url=emu.base_url,
        database_url=db_url,
        coordinator_ids=str(COORDINATOR_ID),
        # Scripted users type faster than people; the limits have their own tests.
        rate_limit_chat_per_s=50,
        rate_limit_chat_burst=20,
        rate_limit_global_per_s=200,
        _env_file=None,
        **TEST_KEYS,
    )


@pytest.fixture
async def runtime(
    settings: Settings, emu: BotApiEmulator, clock: FakeClock
) -> AsyncIterator[BotRuntime]:
    assert settings.telegram_bot_token is not None
    rt = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await rt.start()
    yield rt
    await rt.stop()


@pytest.fixture
def coordinator(emu: BotApiEmulator) -> FakeUser:
    return emu.user(COORDINATOR_ID, "Casey", "Coordinator", username="casey_staff")


@pytest.fixture
def scenario(emu: BotApiEmulator, runtime: BotRuntime) -> Scenario:
    return Scenario(emu)
