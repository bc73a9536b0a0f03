"""`python -m bot migrate-data --from URL --to URL`: copy a program's data from one database to
another (SQLite to PostgreSQL, as a program outgrows one machine).

The source must be at this version's schema and not in use (a SQLite source is locked as
`rotate-keys` locks it: a running bot refuses to share it). The target must be empty: a blank
database is first brought to the schema, one already at it must hold no rows; anything else is
refused and nothing is written. Tables are copied parents first (foreign keys), all in one
transaction on the target, so a failure leaves it empty. Encrypted columns are copied as the
ciphertext they are, never decrypted: no key is needed and none can be mixed up. Then
PostgreSQL's id sequences are moved past the highest id copied (and past SQLite's outbox
AUTOINCREMENT counter, so an outbox id is never reused across the move either).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Column, MetaData, Table, Text, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import migrate
from storage.db import DatabaseLock, create_engine, sqlite_path
from storage.models import Base
from storage.types import EncryptedInt, EncryptedText

BATCH = 1000
SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class TransferError(Exception):
    """The copy was refused or failed; one line saying why. The target is unchanged."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


def driver_url(url: str) -> str:
    """`sqlite:///x` and `postgresql://...` as the bot's async drivers spell them."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in SCHEMES:
        raise TransferError(
            f"{scheme or url!r}: not a database URL the bot can use "
            "(sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER:PASSWORD@HOST/NAME)"
        )
    return f"{SCHEMES[scheme]}://{rest}"


def _raw_table(table: Table) -> Table:
    """The table with its encrypted columns as plain text: ciphertext is copied as it is."""
    columns = [
        Column(
            c.name,
            Text() if isinstance(c.type, EncryptedText | EncryptedInt) else c.type,
            primary_key=c.primary_key,
            autoincrement=False,
        )
        for c in table.columns
    ]
    return Table(table.name, MetaData(), *columns)


TABLES = [_raw_table(t) for t in Base.metadata.sorted_tables]  # parents before children


def _table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def _check_source(engine: AsyncEngine, url: str) -> None:
    try:
        current = await migrate.current_revision(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise TransferError(f"--from: cannot open the database ({type(exc).__name__})") from None
    head = migrate.head_revision(url)
    if current != head:
        raise TransferError(
            f"--from: the database is at revision {current}, this version at {head}; "
            "run `python -m bot migrate` on it first"
        )


async def _prepare_target(engine: AsyncEngine, url: str) -> None:
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(_table_names)
    except (SQLAlchemyError, OSError) as exc:
        raise TransferError(f"--to: cannot open the database ({type(exc).__name__})") from None
    if not names:
        await migrate.upgrade(url)
    current = await migrate.current_revision(engine)
    head = migrate.head_revision(url)
    if current != head:
        raise TransferError(
            f"--to: the database is at revision {current}, not {head}, and not blank; "
            "copy only into a new, empty database"
        )
    async with engine.connect() as conn:
        for table in TABLES:
            if await conn.scalar(select(func.count()).select_from(table)):
                raise TransferError(
                    f"--to: the database already holds data (table {table.name}); "
                    "copy only into a new, empty database"
                )


async def _sqlite_sequences(conn: AsyncConnection) -> dict[str, int]:
    """SQLite's AUTOINCREMENT counters (the outbox's), which may be past the highest id."""
    if conn.dialect.name != "sqlite":
        return {}
    exists = await conn.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
    )
    if not exists:
        return {}
    rows = await conn.execute(text("SELECT name, seq FROM sqlite_sequence"))
    return {str(name): int(seq) for name, seq in rows}


async def _reset_sequences(conn: AsyncConnection, floors: dict[str, int]) -> None:
    """Move each PostgreSQL id sequence past the highest id copied (and SQLite's counter)."""
    if conn.dialect.name != "postgresql":
        return  # SQLite's counters follow the ids inserted
    for table in TABLES:
        if "id" not in table.c:
            continue
        sequence = await conn.scalar(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        )
        if sequence is None:
            continue
        highest = await conn.scalar(text(f'SELECT max(id) FROM "{table.name}"'))
        last = max(int(highest or 0), floors.get(table.name, 0))
        if last:
            await conn.execute(text("SELECT setval(:seq, :last)"), {"seq": sequence, "last": last})


async def copy_data(source_url: str, target_url: str) -> list[Copied]:
    """Copy every row from `source_url` to `target_url` (see the module's docstring)."""
    source_url, target_url = driver_url(source_url), driver_url(target_url)
    try:
        same = make_url(source_url) == make_url(target_url)
    except ArgumentError:
        raise TransferError("--from/--to: not a database URL") from None
    if same:
        raise TransferError("--from and --to are the same database")
    path = sqlite_path(source_url)
    if path is not None and not path.exists():
        raise TransferError(f"--from: no database at {path}")
    lock = DatabaseLock(source_url)
    if not lock.acquire(exclusive=True):
        raise TransferError(
            "--from: a bot (or another command) is running on this database; stop it first"
        )
    source = create_engine(source_url)
    target = create_engine(target_url)
    try:
        await _check_source(source, source_url)
        await _prepare_target(target, target_url)
        copied: list[Copied] = []
        async with source.connect() as reading, target.begin() as writing:
            floors = await _sqlite_sequences(reading)
            for table in TABLES:
                count = 0
                result = await reading.execute(select(table).order_by(*table.primary_key))
                for rows in result.partitions(BATCH):
                    await writing.execute(insert(table), [dict(row._mapping) for row in rows])
                    count += len(rows)
                copied.append(Copied(table.name, count))
            await _reset_sequences(writing, floors)
            for entry in copied:
                table = next(t for t in TABLES if t.name == entry.table)
                stored = await writing.scalar(select(func.count()).select_from(table))
                if stored != entry.rows:
                    raise TransferError(
                        f"{entry.table}: {entry.rows} rows read but {stored} written; "
                        "nothing was kept"
                    )
        return copied
    except SQLAlchemyError as exc:
        raise TransferError(f"the copy failed ({type(exc).__name__}); nothing was kept") from None
    finally:
        await source.dispose()
        await target.dispose()
        lock.release()


def main(argv: Sequence[str]) -> int:
    """`migrate-data --from URL --to URL`: 0 when copied, 1 (one line on stderr) if not."""
    parser = argparse.ArgumentParser(
        prog="python -m bot migrate-data",
        description="Copy a program's data into a new, empty database (keys are not needed).",
    )
    parser.add_argument("--from", dest="source", required=True, help="the database now")
    parser.add_argument("--to", dest="target", required=True, help="the new, empty database")
    args = parser.parse_args(list(argv))
    try:
        copied = asyncio.run(copy_data(args.source, args.target))
    except TransferError as exc:
        print(f"migrate-data: {exc}", file=sys.stderr)
        return 1
    for entry in copied:
        print(f"{entry.table}: {entry.rows} rows")
    print("migrate-data: done; point DATABASE_URL at the new database and run doctor")
    return 0
