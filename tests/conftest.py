"""Fixtures: a real SQLite database in tmp_path, the Bot API emulator, the running bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
from tests.helpers import TEST_CIPHER, TEST_KEYS, FakeClock

COORDINATOR_ID = 1000


@pytest.fixture(autouse=True)
def data_cipher() -> crypto.DataCipher:
    """Tests read and write the database with the same keys as the bot they run."""
    crypto.configure(TEST_CIPHER)
    return TEST_CIPHER


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


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
