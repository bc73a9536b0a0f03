"""aiosqlite with one trip to its thread per statement.

aiosqlite runs every call on the connection's own thread and hands the result back to the
event loop; SQLAlchemy's adapter makes four such trips per statement (create the cursor,
execute, fetch, close), each one a thread switch and an event-loop wake-up. This cursor does
all four in one trip, which roughly halves the CPU the bot spends per relayed message.
Everything else (the thread, the queue, commit, rollback, close) is aiosqlite's own.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

ITER_CHUNK_SIZE = 64

_Description = tuple[tuple[Any, ...], ...] | None
_Outcome = tuple[_Description, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Outcome:
    """On the connection's thread: execute, read every row, close."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy uses; rows are read at execute."""

    arraysize = 1

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _run(self, sql: str, parameters: Any, many: bool) -> OneTripCursor:
        outcome: _Outcome = await self._connection._execute(  # type: ignore[no-untyped-call]
            _run, self._connection._conn, sql, parameters, many
        )
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)
        return self

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        return await self._run(sql, () if parameters is None else parameters, False)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        return await self._run(sql, parameters, True)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


class Connection(aiosqlite.Connection):
    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)


def connect(database: str, **kwargs: Any) -> Connection:
    """Like aiosqlite.connect, with OneTripCursor; await the result to open it."""

    def connector() -> sqlite3.Connection:
        opened: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return opened

    connection: Connection = Connection(connector, ITER_CHUNK_SIZE)
    connection._thread.daemon = True
    return connection
