"""Builders and small tools shared by the tests."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.consent import CONSENT_VERSION
from bot.services.outbox import Priority, enqueue
from emulator import BotApiEmulator, FakeUser
from storage import migrate
from storage.crypto import DataCipher, generate_key, generate_lookup_key, lookup
from storage.db import create_engine, create_session_factory, transaction
from storage.models import Member, MemberConsent, OutboxMessage, Pairing


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **kwargs: float) -> None:
        self._now += timedelta(**kwargs)


_counter = iter(range(1, 10_000_000))


def make_member(
    session: AsyncSession,
    *,
    role: str = "mentee",
    pseudonym: str | None = None,
    timezone: str = "Europe/London",
    language: str | None = "en",
    tags: str = "",
    capacity: int | None = None,
    now: datetime,
    consented: bool = True,
) -> Member:
    n = next(_counter)
    pseudonym = pseudonym or f"{role.title()}{n}"
    member = Member(
        telegram_user_id=500_000 + n,
        chat_id=500_000 + n,
        role=role,
        pseudonym=pseudonym,
        pseudonym_key=pseudonym.casefold(),
        timezone=timezone,
        language=language,
        tags=tags,
        capacity=capacity if capacity is not None else (3 if role == "mentor" else None),
        reachable=True,
        created_at=now,
    )
    session.add(member)
    if consented:
        session.add(MemberConsent(member=member, version=CONSENT_VERSION, agreed_at=now))
    return member


def make_mentee(session: AsyncSession, *, now: datetime, **kwargs: object) -> Member:
    return make_member(session, role="mentee", now=now, **kwargs)  # type: ignore[arg-type]


def make_mentor(session: AsyncSession, *, now: datetime, **kwargs: object) -> Member:
    return make_member(session, role="mentor", now=now, **kwargs)  # type: ignore[arg-type]


async def outbox_for(session: AsyncSession, chat_id: int) -> list[dict[str, object]]:
    """What is queued for a chat: method and decoded payload, oldest first."""
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.chat_key == lookup(chat_id))
        .order_by(OutboxMessage.id)
    )
    return [{"method": r.method, **json.loads(r.payload)} for r in rows]


async def seed_pair(
    db_url: str, emu: BotApiEmulator, now: datetime, *, bulk_chats: int = 0
) -> tuple[FakeUser, FakeUser]:
    """Sam (mentee) paired with Alex (mentor), written straight to a migrated database, with
    their emulator chats open; optionally `bulk_chats` low-priority messages to other people."""
    await migrate.upgrade(db_url)
    engine = create_engine(db_url)
    sam, alex = emu.user(7100000001, "Samantha"), emu.user(7300000001, "Alexander")
    try:
        async with transaction(create_session_factory(engine)) as s:
            mentee = make_mentee(s, pseudonym="Sam", timezone="UTC", now=now)
            mentor = make_mentor(s, pseudonym="Alex", timezone="UTC", now=now)
            mentee.telegram_user_id = mentee.chat_id = sam.id
            mentor.telegram_user_id = mentor.chat_id = alex.id
            await s.flush()
            s.add(Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=now))
            for n in range(bulk_chats):
                emu.open_chat(FakeUser(9_000_000_000 + n, f"P{n}"))
                await enqueue(
                    s,
                    chat_id=9_000_000_000 + n,
                    method="sendMessage",
                    payload={"text": f"bulk {n}"},
                    now=now,
                    priority=Priority.BULK,
                )
    finally:
        await engine.dispose()
    emu.open_chat(sam)
    emu.open_chat(alex)
    return sam, alex


BOT_SETTING_PREFIXES = (
    "TELEGRAM_",
    "COORDINATOR_",
    "RATE_LIMIT_",
    "DATABASE_",
    "DATA_",
    "ALLOW_UNENCRYPTED",
    "ALLOW_NO_COORDINATOR",
)

# One pair of data keys for the whole test run: the bot in tests encrypts, as in production.
TEST_KEYS = {"data_encryption_key": generate_key(), "data_lookup_key": generate_lookup_key()}
TEST_CIPHER = DataCipher([TEST_KEYS["data_encryption_key"]], TEST_KEYS["data_lookup_key"])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the bot's own settings, plus the test keys and
    `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(BOT_SETTING_PREFIXES)}
    env.update({name.upper(): value for name, value in TEST_KEYS.items()})
    env.update(extra)
    return env


async def stored_bytes(db_url: str) -> bytes:
    """What a copy of the database holds: the SQLite file with its -wal and -shm files, or on
    PostgreSQL every row of every table, as a dump would carry it."""
    from pathlib import Path

    from sqlalchemy import text

    from storage.models import Base

    if db_url.startswith("sqlite"):
        path = Path(db_url.split("///", 1)[1])
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = []
            for table in Base.metadata.sorted_tables:
                result = await conn.execute(text(f'SELECT CAST(t AS text) FROM "{table.name}" t'))
                rows.extend(str(r[0]) for r in result)
    finally:
        await engine.dispose()
    return "\n".join(rows).encode()
