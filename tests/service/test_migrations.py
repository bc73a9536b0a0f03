"""Migrations produce exactly the schema the models describe."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.members import member_by_telegram_id
from bot.services.relay import record_for
from storage import migrate
from storage.crypto import lookup
from storage.db import create_engine, create_session_factory
from storage.models import Base, HeldMessage, OutboxMessage


async def test_migrated_schema_matches_models(engine: AsyncEngine, db_url: str) -> None:
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []
    assert await migrate.current_revision(engine) == migrate.head_revision(db_url)


async def test_upgrading_a_database_with_people_in_it_encrypts_their_ids(tmp_path: Path) -> None:
    """A database from before ids were encrypted (revision 0001) keeps working after 0002."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await asyncio.to_thread(command.upgrade, migrate.alembic_config(url), "0001")
    engine = create_engine(url)
    at = "'2026-03-02 12:00:00.000000'"
    async with engine.begin() as conn:
        for member_id, telegram_id, role in ((1, 7100000001, "mentee"), (2, 7300000001, "mentor")):
            await conn.execute(
                text(
                    "INSERT INTO members (id, telegram_user_id, chat_id, role, pseudonym, "
                    "pseudonym_key, timezone, tags, reachable, created_at) VALUES "
                    f"({member_id}, {telegram_id}, {telegram_id}, '{role}', 'P{member_id}', "
                    f"'p{member_id}', 'UTC', '', 1, {at})"
                )
            )
        await conn.execute(
            text(
                "INSERT INTO pairings (id, mentee_id, mentor_id, created_at) "
                f"VALUES (1, 1, 2, {at})"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO relayed_messages (id, pairing_id, direction, source_chat_id, "
                "source_message_id, dest_chat_id, dest_message_id, is_text, created_at) VALUES "
                f"(1, 1, 'to_mentor', 7100000001, 11, 7300000001, 22, 1, {at})"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO outbox (id, chat_id, priority, method, payload, status, attempts, "
                f"created_at) VALUES (1, 7300000001, 1, 'sendMessage', "
                f'\'{{"chat_id": 7300000001, "text": "waiting"}}\', \'pending\', 0, {at})'
            )
        )
        await conn.execute(
            text(
                "INSERT INTO held_messages (id, member_id, source_chat_id, source_message_id, "
                "reason, status, created_at) "
                f"VALUES (1, 1, 7100000001, 12, 'unpaired', 'held', {at})"
            )
        )
    await engine.dispose()

    await migrate.upgrade(url)

    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as s:
            mentee = await member_by_telegram_id(s, 7100000001)
            assert mentee is not None and (mentee.id, mentee.chat_id) == (1, 7100000001)
            record = await record_for(s, 7300000001, 22)
            assert record is not None and record.source_chat_id == 7100000001
            [queued] = (await s.scalars(select(OutboxMessage))).all()
            assert (queued.status, queued.chat_key, queued.is_group) == (
                "pending",
                lookup(7300000001),
                False,
            )
            held = await s.get(HeldMessage, 1)
            assert held is not None and held.source_chat_id == 7100000001
    finally:
        await engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("old.sqlite3*"))
    assert b"7100000001" not in raw.replace(b'"chat_id": 7300000001', b"")
