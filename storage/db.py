"""Engine and unit-of-work helpers.

SQLite write transactions are opened with BEGIN IMMEDIATE: a deferred transaction that reads
and then writes fails with "database is locked" under concurrency, whatever the busy timeout.
Sessions can hold append-only rows (the outbox) and write them in one statement when they are
first needed (`Session.insert_later`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, Insert, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session as OrmSession

from storage import sqlite_driver

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
DIR_MODE = 0o700  # the folder that holds the database: its owner only
FILE_MODE = 0o600  # the database and its -wal and -shm files (SQLite gives them the db's mode)


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases and :memory:)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def prepare_sqlite_file(path: Path) -> None:
    """Create the folder (0700) and an empty database file (0600) if they do not exist, so
    that health data is never in a file others can read, not even for a moment."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=DIR_MODE, exist_ok=True)
        path.parent.chmod(DIR_MODE)  # mkdir's mode is cut by the umask
    if not path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
        path.chmod(FILE_MODE)


def readable_by_others(database_url: str) -> list[str]:
    """The database's folder and files whose mode lets others than the owner in."""
    path = sqlite_path(database_url)
    if path is None:
        return []
    wider = []
    for candidate, allowed in [
        (path.parent, DIR_MODE),
        *((path.with_name(path.name + suffix), FILE_MODE) for suffix in ("", "-wal", "-shm")),
    ]:
        if candidate.exists():
            mode = stat.S_IMODE(candidate.stat().st_mode)
            if mode & ~allowed:
                wider.append(f"{candidate} ({mode:o})")
    return wider


class DatabaseLock:
    """An advisory lock beside a SQLite database file, held exclusively by the running bot
    and by `rotate-keys`: one bot per database (a second would send every queued message
    again), and keys never rotated under a running bot. Released when the process ends,
    however it ends. (Other databases: nothing is locked.)"""

    def __init__(self, database_url: str) -> None:
        path = sqlite_path(database_url)
        self._path = None if path is None else path.with_name(path.name + ".lock")
        self._fd: int | None = None

    def acquire(self, *, exclusive: bool) -> bool:
        """Take the lock without waiting; False if another process holds it."""
        if self._path is None or self._fd is not None:
            return True
        prepare_sqlite_file(self._path.with_name(self._path.name.removesuffix(".lock")))
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def create_engine(database_url: str) -> AsyncEngine:
    """Build the async engine; for SQLite, turn on WAL, foreign keys and IMMEDIATE writes."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)

    path = sqlite_path(database_url)
    if path is not None:
        prepare_sqlite_file(path)
    # hide_parameters: SQL errors must not carry stored text into logs.
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
    )

    @event.listens_for(engine.sync_engine, "do_connect")
    def _do_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        # aiosqlite, with a cursor that makes one trip to its thread per statement.
        return dialect.loaded_dbapi.connect(
            *cargs, async_creator_fn=sqlite_driver.connect, **cparams
        )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN (below) decide when a transaction starts, not pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted and overwritten rows are zeroed in the file, not left in free space: what an
        # erasure removes must not be readable from a copy of the database.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


# Execution option for a statement that neither reads nor needs rows waiting in
# `Session.insert_later`: it may run before they are written.
INDEPENDENT = "independent_of_later_inserts"
_LATER = "later_inserts"  # Session.info key of the rows waiting


class Session(OrmSession):
    """A session that can batch append-only inserts (outbox rows) until they matter.

    `insert_later` keeps the row in memory; all of them are written, one statement per kind,
    before the next statement that is not marked INDEPENDENT and before the commit. So every
    query in the transaction still sees them, and they are committed or rolled back with it.
    """

    def insert_later(self, statement: Insert, row: dict[str, Any]) -> None:
        self.info.setdefault(_LATER, {}).setdefault(statement, []).append(row)

    def write_later_inserts(self) -> None:
        waiting: dict[Insert, list[dict[str, Any]]] | None = self.info.pop(_LATER, None)
        for statement, rows in (waiting or {}).items():
            super().execute(statement, rows)

    def _before(self, statement: Any) -> None:
        if _LATER in self.info and not (
            isinstance(statement, Executable)
            and statement.get_execution_options().get(INDEPENDENT)
        ):
            self.write_later_inserts()

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._before(statement)
        return super().execute(statement, *args, **kwargs)

    def scalar(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._before(statement)
        return super().scalar(statement, *args, **kwargs)

    def scalars(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        self._before(statement)
        return super().scalars(statement, *args, **kwargs)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: OrmSession) -> None:
    if isinstance(session, Session):
        session.write_later_inserts()


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_LATER, None)  # rolled back (after a commit there is nothing left)


DEFAULT_LANGUAGE = "default_language"  # Session.info key: the program's language


def create_session_factory(
    engine: AsyncEngine, *, default_language: str = "en"
) -> async_sessionmaker[AsyncSession]:
    """Sessions for one program; each carries the program's language (`DEFAULT_LANGUAGE`),
    in which the outbox writes to group chats and to people it knows no language for."""
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        sync_session_class=Session,
        info={DEFAULT_LANGUAGE: default_language},
    )


def insert_later(session: AsyncSession, statement: Insert, row: dict[str, Any]) -> None:
    """Insert `row` with `statement` in this transaction, batched with others like it (see
    `Session`)."""
    sync = session.sync_session
    if isinstance(sync, Session):
        sync.insert_later(statement, row)
    else:
        raise TypeError("insert_later needs a session from create_session_factory")


@asynccontextmanager
async def transaction(
    factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with factory() as session:
        async with session.begin():
            yield session
        if session.info.pop(_CHECKPOINT, False) and session.bind is not None:
            await checkpoint_wal(session.bind)


_CHECKPOINT = "checkpoint_wal_after_commit"  # Session.info key


def checkpoint_after_commit(session: AsyncSession) -> None:
    """Fold SQLite's write-ahead log into the database file once this transaction commits
    (used after an erasure: old versions of the erased rows would otherwise linger in the
    -wal file until SQLite checkpoints on its own)."""
    session.info[_CHECKPOINT] = True


CHECKPOINT_WAIT_MS = 250


async def checkpoint_wal(bind: Any) -> bool:
    """`PRAGMA wal_checkpoint(TRUNCATE)` outside any transaction (nothing to do on other
    databases). Returns whether the log was emptied.

    A TRUNCATE checkpoint waits for every reader to reach the newest snapshot and holds off new
    writers meanwhile, so with the normal 30 s busy timeout one erasure could stall every
    write (sends, updates) for that long. It waits a quarter of a second at most here; if a
    reader is still busy, the log is emptied by the next erasure or by the daily retention
    job (which calls this too), and SQLite's own checkpoints reuse the log meanwhile.
    """
    engine = bind if isinstance(bind, AsyncEngine) else None
    if engine is None or engine.dialect.name != "sqlite":
        return True
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        dbapi = raw.driver_connection
        assert dbapi is not None
        await (await dbapi.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")).close()
        try:
            cursor = await dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = await cursor.fetchone()
            await cursor.close()
        finally:
            await (await dbapi.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")).close()
    busy = row is not None and row[0] != 0
    if busy:
        log.info("wal checkpoint deferred: a reader is busy")
    return not busy
