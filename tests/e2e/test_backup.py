"""Backups of a running bot, and restoring one into a new place: nobody and nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import BotRuntime
from bot.backup import OperationError, backup_database, restore_database
from bot.backup import main as operation
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.crypto import generate_key, generate_lookup_key
from tests.e2e.conftest import Program
from tests.helpers import FakeClock, clean_env

pytestmark = pytest.mark.sqlite_only(
    reason="backup and restore use SQLite's backup API (PostgreSQL: pg_dump)"
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def moved(settings: Settings, database: Path, **changes: object) -> Settings:
    return settings.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///{database}", **changes}
    )


def quick_check(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return str(connection.execute("PRAGMA quick_check").fetchone()[0])
    finally:
        connection.close()


async def test_a_backup_of_a_running_bot_restores_everyone_in_a_new_place(
    paired: Program,
    settings: Settings,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    alex: FakeUser,
    tmp_path: Path,
) -> None:
    coordinator = paired.coordinator
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(coordinator.id, "Escalation #1")
    await paired.settle()

    # Traffic is flowing (the bot stores, assesses and queues these) while the copy is made.
    for n in range(150):
        emu.user_sends(sam, f"talking while the backup runs {n}")
    backup = tmp_path / "backups" / "monday.sqlite3"
    backup.parent.mkdir()
    assert emu.pending_updates() > 0
    await asyncio.to_thread(backup_database, settings.database_url, backup)
    assert quick_check(backup) == "ok"
    assert not list(backup.parent.glob(".*"))  # no temporary file left behind
    assert oct(backup.stat().st_mode & 0o777) == "0o600"

    # Not over an existing file without --force; a running bot's database is not replaced.
    with pytest.raises(OperationError, match="already exists; use --force"):
        backup_database(settings.database_url, backup)
    with pytest.raises(OperationError, match="A bot .* is running on this database"):
        await restore_database(settings, backup, NOW)

    await paired.runtime.stop()

    # A new folder, as on a new machine. Wrong keys are refused before anything is written.
    new_home = tmp_path / "new-machine" / "bot.sqlite3"
    wrong_keys = moved(
        settings,
        new_home,
        data_encryption_key=SecretStr(generate_key()),
        data_lookup_key=SecretStr(generate_lookup_key()),
    )
    with pytest.raises(OperationError, match="DATA_LOOKUP_KEY"):
        await restore_database(wrong_keys, backup, NOW)
    assert not new_home.exists()

    restored = moved(settings, new_home)
    assert await restore_database(restored, backup, NOW) is None
    # Restoring again keeps the database it replaces.
    kept = await restore_database(restored, backup, NOW)
    assert kept is not None and kept.name == "bot.sqlite3.before-restore-20260302T120000Z"
    assert quick_check(kept) == "ok"

    assert restored.telegram_bot_token is not None
    second = BotRuntime(
        restored, restored.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await second.start()
    try:
        members = await paired.scenario.say(coordinator, "/members")
        assert members is not None
        assert "M-0001 Sam, mentee" in members["text"] and "paired with Alex" in members["text"]
        assert "M-0002 Alex, mentor" in members["text"]
        pairs = await paired.scenario.say(coordinator, "/pairs")
        assert pairs is not None and "Sam (M-0001) ↔ Alex (M-0002)" in pairs["text"]
        listing = await paired.scenario.say(coordinator, "/escalations")
        assert listing is not None and "#1 CRITICAL" in listing["text"]
        emu.user_sends(sam, "still here after the move")
        await emu.wait_for_bot_message(alex.id, "still here after the move", timeout=30)
    finally:
        await second.stop()


def test_backup_and_restore_refuse_with_one_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    postgres = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://bot@localhost/bot"}
    )
    assert operation("backup", [str(tmp_path / "b.sqlite3")], postgres) == 1
    assert operation("restore", [str(tmp_path / "b.sqlite3")], postgres) == 1
    missing_db = moved(settings, tmp_path / "nothing-here.sqlite3")
    assert operation("backup", [str(tmp_path / "b.sqlite3")], missing_db) == 1
    assert not (tmp_path / "nothing-here.sqlite3").exists()  # not created by looking

    live = sqlite3.connect(tmp_path / "test.sqlite3")
    live.execute("CREATE TABLE t (x)")
    live.close()
    assert operation("backup", [str(tmp_path / "no-such-folder" / "b.sqlite3")], settings) == 1
    existing = tmp_path / "taken.sqlite3"
    existing.write_bytes(b"an older backup")
    assert operation("backup", [str(existing)], settings) == 1
    itself = tmp_path / "test.sqlite3"
    assert operation("backup", [str(itself), "--force"], settings) == 1
    assert existing.read_bytes() == b"an older backup"
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("hello")
    assert operation("restore", [str(not_a_database)], settings) == 1
    other = sqlite3.connect(tmp_path / "other.sqlite3")
    other.execute("CREATE TABLE t (x)")
    other.close()
    assert operation("restore", [str(tmp_path / "other.sqlite3")], settings) == 1

    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "backup: DATABASE_URL: not a SQLite file; back up PostgreSQL with pg_dump and "
        "restore with pg_restore",
        "restore: DATABASE_URL: not a SQLite file; back up PostgreSQL with pg_dump and "
        "restore with pg_restore",
        f"backup: DATABASE_URL: no database at {tmp_path / 'nothing-here.sqlite3'}",
        f"backup: {tmp_path / 'no-such-folder'}: no such folder",
        f"backup: {existing}: already exists; use --force to overwrite it",
        f"backup: {tmp_path / 'test.sqlite3'}: is the database itself (or its log); "
        "choose another",
        f"restore: {not_a_database}: could not be copied as a SQLite database "
        "(file is not a database)",
        "restore: not a database of this bot (no migration history); nothing was changed",
    ]
    assert operation("backup", [str(existing), "--force"], settings) == 0
    assert quick_check(existing) == "ok"


def test_backup_and_restore_from_the_command_line(
    settings: Settings, emu: BotApiEmulator, tmp_path: Path
) -> None:
    env = clean_env(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        DATABASE_URL=settings.database_url,
    )

    def bot(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    migrated = bot("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "migrations: applied" in migrated.stdout
    made = bot("backup", "copy.sqlite3")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "copy.sqlite3").is_file()
    elsewhere = tmp_path / "elsewhere" / "bot.sqlite3"
    back = bot("restore", "copy.sqlite3", DATABASE_URL=f"sqlite+aiosqlite:///{elsewhere}")
    assert back.returncode == 0, back.stderr
    assert quick_check(elsewhere) == "ok"
