"""`python -m bot backup PATH`, `python -m bot restore PATH` and `python -m bot migrate`.

A backup is an online copy made with SQLite's backup API: one read transaction copies every
page, so it is consistent even while the bot runs and writes (WAL mode lets both go on).
It is written beside the target and renamed into place, so a half-written backup never
carries the target's name. It holds what the database holds: encrypted, and useless without
the keys, which must be kept apart from it.

A restore refuses while a bot holds the database (the same lock the bot takes at start),
checks that the file is a database of this project and that the configured keys open it,
and only then puts it in place, keeping the file it replaces beside it.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError

from bot.config import ConfigError, Settings, data_cipher
from storage import crypto, migrate
from storage.db import FILE_MODE, DatabaseLock, create_engine, create_session_factory, sqlite_path
from storage.db import transaction as unit_of_work
from storage.keycheck import KeyMismatch, verify_keys

SQLITE_SUFFIXES = ("-wal", "-shm", "-journal")
BUSY_TIMEOUT_S = 30.0


class OperationError(Exception):
    """Why a backup, restore or migration did not happen: one line, no secrets."""


def database_file(database_url: str) -> Path:
    path = sqlite_path(database_url)
    if path is None:
        raise OperationError(
            "DATABASE_URL: not a SQLite file; back up PostgreSQL with pg_dump "
            "and restore with pg_restore"
        )
    return path


def backup_database(database_url: str, target: Path, *, force: bool = False) -> Path:
    """Copy the live database to `target` (consistent, atomic); blocking."""
    source = database_file(database_url)
    if not source.is_file():
        raise OperationError(f"DATABASE_URL: no database at {source}")
    target = target.expanduser()
    if target.is_dir():
        raise OperationError(f"{target}: is a folder; give the backup file's name")
    live = source.resolve()
    if target.resolve() in {Path(f"{live}{s}") for s in ("", ".lock", *SQLITE_SUFFIXES)}:
        raise OperationError(f"{target}: is the database itself (or its log); choose another")
    if target.exists() and not force:
        raise OperationError(f"{target}: already exists; use --force to overwrite it")
    if not target.parent.is_dir():
        raise OperationError(f"{target.parent}: no such folder")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        fd = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    except OSError as exc:
        raise OperationError(f"{target.parent}: cannot write there ({exc.strerror})") from None
    os.close(fd)
    try:
        _copy(source, temporary)
        _place(temporary, target, overwrite=force)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def _copy(source: Path, destination: Path, *, mode: str = "rw") -> None:
    # mode rw or ro: never create an empty database where the real one was expected.
    src = sqlite3.connect(f"file:{source}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_S)
    dst = sqlite3.connect(destination)
    try:
        # pages=-1: every page in one step, inside one read transaction (a consistent copy).
        src.backup(dst, pages=-1)
        # A single file that needs nothing beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        (result,) = dst.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise OperationError("the copy failed SQLite's check; nothing was written")
        dst.commit()
    except sqlite3.Error as exc:
        raise OperationError(
            f"{source}: could not be copied as a SQLite database ({exc})"
        ) from None
    finally:
        dst.close()
        src.close()
    with open(destination, "rb") as f:
        os.fsync(f.fileno())


def _place(temporary: Path, target: Path, *, overwrite: bool) -> None:
    """Rename `temporary` to `target` atomically; without `overwrite`, never over a file
    that appeared meanwhile (a hard link fails if the name exists)."""
    if overwrite:
        os.replace(temporary, target)
    else:
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise OperationError(
                f"{target}: already exists; use --force to overwrite it"
            ) from None
        temporary.unlink()
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


async def restore_database(settings: Settings, source: Path, now: datetime) -> Path | None:
    """Put the backup `source` in place of the configured database; returns where the old
    file was kept (None when there was none). Refuses, changing nothing, while a bot runs,
    for a file that is not this project's database, or when the keys do not open it."""
    target = database_file(settings.database_url)
    try:
        cipher = data_cipher(settings)
    except ConfigError as exc:
        raise OperationError(str(exc)) from None
    source = source.expanduser()
    if not source.is_file():
        raise OperationError(f"{source}: no such file")
    had_database = target.is_file() and target.stat().st_size > 0
    lock = DatabaseLock(settings.database_url)
    if not lock.acquire(exclusive=True):
        raise OperationError(
            "A bot (or rotate-keys) is running on this database: stop it first. "
            "Nothing was changed."
        )
    staged = target.with_name(f".{target.name}.{os.getpid()}.restoring")
    try:
        try:
            _copy(source, staged, mode="ro")
            await _check_restorable(staged, cipher)
        except BaseException:
            for suffix in ("", *SQLITE_SUFFIXES):
                Path(f"{staged}{suffix}").unlink(missing_ok=True)
            if not had_database and target.is_file() and target.stat().st_size == 0:
                target.unlink()  # made empty by the lock; nothing was there
            raise
        kept = _set_aside(target, now) if had_database else None
        if not had_database:
            for suffix in SQLITE_SUFFIXES:
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(staged, target)
        _sync_folder(target.parent)
        return kept
    finally:
        lock.release()


async def _check_restorable(staged: Path, cipher: crypto.DataCipher) -> None:
    connection = sqlite3.connect(staged)
    try:
        found = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        revision = (
            connection.execute("SELECT version_num FROM alembic_version").fetchone()
            if found
            else None
        )
    except sqlite3.DatabaseError:
        raise OperationError("not a SQLite database; nothing was changed") from None
    finally:
        connection.close()
    if revision is None:
        raise OperationError(
            "not a database of this bot (no migration history); nothing was changed"
        )
    url = f"sqlite+aiosqlite:///{staged}"
    try:
        ScriptDirectory.from_config(migrate.alembic_config(url)).get_revision(revision[0])
    except CommandError:
        raise OperationError(
            f"the backup is at revision {revision[0]}, which this version of the bot does not "
            "know (made by a newer version?); nothing was changed"
        ) from None
    # Brought to this version's schema (what starting the bot would do) to check the keys.
    before = crypto.configured()
    crypto.configure(cipher)
    engine = create_engine(url)
    try:
        await migrate.upgrade(url)
        async with unit_of_work(create_session_factory(engine)) as session:
            await verify_keys(session, cipher, None)
    except KeyMismatch as exc:
        raise OperationError(f"{exc}; nothing was changed") from None
    finally:
        await engine.dispose()
        crypto.configure(before)
    # Fold the log written meanwhile into the file, which is then moved alone.
    connection = sqlite3.connect(staged)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _set_aside(target: Path, now: datetime) -> Path:
    """Keep the database being replaced (and its -wal, which may hold its last commits)."""
    try:
        connection = sqlite3.connect(f"file:{target}?mode=rw", uri=True)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.Error:
        pass  # a damaged file is kept as it is, with whatever lies beside it
    kept = target.with_name(f"{target.name}.before-restore-{now:%Y%m%dT%H%M%SZ}")
    for suffix in ("", *SQLITE_SUFFIXES):
        beside = Path(f"{target}{suffix}")
        if beside.exists():
            os.replace(beside, Path(f"{kept}{suffix}"))
    return kept


async def migrate_database(settings: Settings) -> str | None:
    """Apply pending migrations with no bot running; returns the revision now."""
    lock = DatabaseLock(settings.database_url)
    if not lock.acquire(exclusive=True):
        raise OperationError("A bot is running on this database: stop it, migrate, then start it.")
    try:
        await migrate.upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()
    finally:
        lock.release()


USAGE = (
    "usage: python -m bot backup PATH [--force] | python -m bot restore PATH | "
    "python -m bot migrate"
)


def main(command: str, args: list[str], settings: Settings) -> int:
    """Run one of the subcommands; one line on stderr when it refuses."""
    force = "--force" in args
    paths = [a for a in args if a != "--force"]
    try:
        if command == "migrate" and not args:
            revision = asyncio.run(migrate_database(settings))
            print(f"migrations: applied (database at {revision})")
            return 0
        if command == "backup" and len(paths) == 1:
            written = backup_database(settings.database_url, Path(paths[0]), force=force)
            print(f"backup written to {written}")
            return 0
        if command == "restore" and len(paths) == 1 and not force:
            target = database_file(settings.database_url)
            kept = asyncio.run(restore_database(settings, Path(paths[0]), datetime.now(UTC)))
            print(f"restored {paths[0]} to {target}")
            if kept is not None:
                print(f"the database it replaced is kept as {kept}")
            return 0
    except OperationError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 1
    print(USAGE, file=sys.stderr)
    return 2
