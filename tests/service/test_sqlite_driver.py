"""The one-trip aiosqlite cursor behaves like a DB-API cursor under SQLAlchemy."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_driver

pytestmark = pytest.mark.sqlite_only(reason="the one-trip aiosqlite cursor is SQLite's driver")

async def test_the_engine_uses_the_one_trip_cursor(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite_driver.Connection)


async def test_rows_row_counts_and_inserted_ids(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
        first = await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        second = await conn.execute(text("INSERT INTO t (v) VALUES ('b')"))
        assert (first.lastrowid, second.lastrowid) == (1, 2)
        many = await conn.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": f"x{n}"} for n in range(5)]
        )
        assert many.rowcount == 5
        updated = await conn.execute(text("UPDATE t SET v = v || '!' WHERE v LIKE 'x%'"))
        assert updated.rowcount == 5

        rows = (await conn.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
        assert rows[:2] == [(1, "a"), (2, "b")] and len(rows) == 7
        result = await conn.execute(text("SELECT v FROM t ORDER BY id"))
        assert result.keys() == ["v"]
        assert result.fetchone() == ("a",)
        assert result.fetchmany(2) == [("b",), ("x0!",)]
        assert [v for (v,) in result] == ["x1!", "x2!", "x3!", "x4!"]
        one = await conn.scalar(
            text("SELECT v FROM t WHERE id = :id").bindparams(bindparam("id")), {"id": 2}
        )
        assert one == "b"
        assert (await conn.execute(text("SELECT v FROM t WHERE id = 99"))).first() is None


async def test_errors_reach_the_caller_and_roll_back(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
        await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (v) VALUES ('b')"))
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
    with pytest.raises(OperationalError):
        async with engine.connect() as conn:
            await conn.execute(text("SELECT nothing FROM nowhere"))
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT v FROM t"))).scalars().all() == ["a"]
