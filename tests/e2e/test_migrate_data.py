"""`python -m bot migrate-data`: a program that ran on SQLite moves to PostgreSQL and the bot,
started there with the same keys, finds everyone and everything, and still decrypts it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage import migrate
from storage.db import create_engine
from storage.models import (
    CheckIn,
    Concern,
    Escalation,
    EscalationEvent,
    Member,
    OutboxMessage,
    Pairing,
    RelayedMessage,
)
from storage.transfer import TransferError, copy_data
from tests.e2e.conftest import Program
from tests.helpers import FakeClock, clean_env
from tests.postgres import PostgresServer

# A concern (a lapse with the pull still there), so a concern row moves across too.
LAPSE = "I drank last night and today I want to drink again, not proud of it. can we talk?"
COUNTED = (Member, Pairing, RelayedMessage, CheckIn, Concern, Escalation, EscalationEvent)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """The program starts on SQLite, whatever database the rest of this run uses."""
    return f"sqlite+aiosqlite:///{tmp_path / 'program.sqlite3'}"


async def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return {
                m.__tablename__: int(await conn.scalar(select(func.count()).select_from(m)) or 0)
                for m in (*COUNTED, OutboxMessage)
            }
    finally:
        await engine.dispose()


async def ciphertexts(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT note FROM checkins WHERE note IS NOT NULL"))
            return [str(r[0]) for r in rows]
    finally:
        await engine.dispose()


async def test_a_program_moves_to_postgresql_and_the_bot_finds_everything_there(
    paired: Program,
    settings: Settings,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    alex: FakeUser,
    postgres_server: PostgresServer,
) -> None:
    coordinator = paired.coordinator
    scenario = paired.scenario
    # Messages both ways, a check-in with a note, a concern, an escalation with its trail.
    emu.user_sends(sam, "hello from before the move")
    await emu.wait_for_bot_message(alex.id, "hello from before the move")
    await paired.settle()
    emu.user_sends(alex, "hi Sam, here for you", reply_to=emu.last_message_id(alex.id))
    await emu.wait_for_bot_message(sam.id, "here for you")
    reply = await scenario.say(sam, "/checkin")
    assert reply is not None
    await paired.settle()
    await scenario.press(sam, reply, emu.button_data(reply, "🙁"))
    await paired.settle()
    await scenario.press_label(sam, emu.chats[sam.id].messages[reply["message_id"]], "none")
    await paired.settle()
    await scenario.press_label(sam, emu.chats[sam.id].messages[reply["message_id"]], "no")
    await paired.settle()
    emu.user_sends(sam, "a quiet note about my week")
    await emu.wait_for_bot_message(sam.id, "Note saved")
    emu.user_sends(sam, LAPSE)
    await emu.wait_for_bot_message(alex.id, "may mean they are struggling")
    await scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(coordinator.id, "Escalation #1")
    await paired.settle()
    # One message still waiting at the move: Telegram failed it once, its retry is later.
    emu.inject("500", method="copyMessage", chat_id=alex.id)
    emu.user_sends(sam, "sent just before the move")
    await emu.wait_for(lambda: emu.faults == [], 10, what="the failed send")
    await paired.runtime.stop()

    before = await counts(settings.database_url)
    assert all(before[m.__tablename__] > 0 for m in COUNTED), before
    async with engine_pending(settings.database_url) as pending:
        assert pending == 1

    async with postgres_server.fresh_database() as target:
        # Into a database that already holds data, or at another revision: refused, and
        # nothing written.
        async with postgres_server.fresh_database() as used:
            await copy_data(settings.database_url, used)
            with pytest.raises(TransferError, match="already holds data"):
                await copy_data(settings.database_url, used)
            assert await counts(used) == before
        async with postgres_server.fresh_database() as older:
            await asyncio.to_thread(command.upgrade, migrate.alembic_config(older), "0007")
            with pytest.raises(TransferError, match="at revision 0007"):
                await copy_data(settings.database_url, older)
        # The command itself, as an operator runs it (from plain sqlite:// and postgresql://).
        source_path = settings.database_url.removeprefix("sqlite+aiosqlite:///")
        done = subprocess.run(
            [
                sys.executable, "-m", "bot", "migrate-data",
                "--from", f"sqlite:///{source_path}",
                "--to", target.replace("postgresql+asyncpg://", "postgresql://"),
            ],
            env=clean_env(), capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "members: 2 rows" in done.stdout
        assert await counts(target) == before
        # Copied as ciphertext: the same bytes, not re-encrypted.
        assert await ciphertexts(target) == await ciphertexts(settings.database_url)

        moved = settings.model_copy(update={"database_url": target})
        assert moved.telegram_bot_token is not None
        clock.advance(seconds=30)  # past the failed send's retry, before any reminder
        second = BotRuntime(
            moved, moved.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
        )
        await second.start()
        try:
            # The message that waited is delivered from PostgreSQL.
            await emu.wait_for_bot_message(alex.id, "sent just before the move", timeout=30)
            members = await scenario.say(coordinator, "/members")
            assert members is not None
            assert "M-0001 Sam, mentee" in members["text"]
            assert "paired with Alex" in members["text"]
            listing = await scenario.say(coordinator, "/escalations")
            assert listing is not None and "#1 CRITICAL" in listing["text"]
            # Relayed-message routing still works: Alex's reply finds Sam's message.
            emu.user_sends(sam, "still here after the move")
            await emu.wait_for_bot_message(alex.id, "still here after the move", timeout=30)
            emu.user_sends(alex, "glad you are", reply_to=emu.last_message_id(alex.id))
            await emu.wait_for_bot_message(sam.id, "glad you are", timeout=30)
            # New rows take new ids: the sequences were moved past the copied ones.
            async with second.session_factory() as s:
                [checkin] = (await s.scalars(select(CheckIn))).all()
                assert checkin.note == "a quiet note about my week"
                concerns = (await s.scalars(select(Concern))).all()
                assert LAPSE in [c.flagged_text for c in concerns]
                trail = (await s.scalars(select(EscalationEvent.kind))).all()
                assert "opened" in trail
                escalation = await s.get(Escalation, 1)
                assert escalation is not None and escalation.raised_by == "sos"
            after = await counts(target)
            assert after["relayed_messages"] > before["relayed_messages"]
        finally:
            await second.stop()


class engine_pending:  # noqa: N801 (used as a context manager, reads like one)
    """How many outbox rows wait to be sent."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(url)

    async def __aenter__(self) -> int:
        async with self._engine.connect() as conn:
            return int(
                await conn.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == "pending")
                )
                or 0
            )

    async def __aexit__(self, *exc: object) -> None:
        await self._engine.dispose()
