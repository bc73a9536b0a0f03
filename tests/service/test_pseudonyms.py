"""Pseudonyms are unique by what they look like, in the database and under concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.services import enrolment
from bot.services.members import find_member
from storage import migrate
from storage.db import create_engine, create_session_factory, transaction
from storage.models import EnrolmentDraft, Member
from tests.helpers import FakeClock, make_mentee, outbox_for

CYRILLIC_SAM = "\u0405am"  # Cyrillic Ѕ, then Latin "am"


async def test_the_database_refuses_a_look_alike_of_a_stored_name(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with transaction(session_factory) as s:
        make_mentee(s, pseudonym="Sam", now=clock.now())
    for look_alike in (CYRILLIC_SAM, "SAM"):
        with pytest.raises(IntegrityError):
            async with transaction(session_factory) as s:
                make_mentee(s, pseudonym=look_alike, now=clock.now())
    async with session_factory() as s:
        names = list(await s.scalars(select(Member.pseudonym)))
        found = await find_member(s, CYRILLIC_SAM)
    assert names == ["Sam"]
    # A coordinator who types the look-alike finds the one member it looks like.
    assert found is not None and found.pseudonym == "Sam"


async def test_look_alike_names_finishing_enrolment_at_once_make_one_member(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock.now()
    async with transaction(session_factory) as s:
        for n, name in enumerate(("Sam", CYRILLIC_SAM)):
            invite = await enrolment.create_invite(
                s, role="mentee", created_by=1000, now=now, ttl=timedelta(days=7)
            )
            s.add(
                EnrolmentDraft(
                    telegram_user_id=610 + n,
                    chat_id=610 + n,
                    invite_id=invite.id,
                    step=enrolment.Step.TAGS,
                    pseudonym=name,
                    timezone="UTC",
                    tags="",
                    created_at=now,
                )
            )

    async def finish(telegram_user_id: int) -> bool:
        async with transaction(session_factory) as s:
            draft = await enrolment.draft_for(s, telegram_user_id)
            assert draft is not None
            member = await enrolment.finish_enrolment(
                s, draft=draft, message_id=1, mentor_capacity=3, crisis_line="988", now=now
            )
            return member is not None

    results = await asyncio.gather(finish(610), finish(611))
    assert sorted(results) == [False, True]
    loser = 610 if not results[0] else 611
    async with session_factory() as s:
        members = list(await s.scalars(select(Member)))
        told = [m["text"] for m in await outbox_for(s, loser)]
        draft = await enrolment.draft_for(s, loser)
    assert len(members) == 1
    assert any(texts.PSEUDONYM_TAKEN in str(t) for t in told)
    # The one who lost keeps their invite and is asked for another name.
    assert draft is not None and draft.step == enrolment.Step.PSEUDONYM


async def test_upgrade_backfills_skeletons_and_keeps_existing_look_alikes(
    tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await asyncio.to_thread(command.upgrade, migrate.alembic_config(url), "0002")
    engine = create_engine(url)
    at = "'2026-03-02 12:00:00.000000'"
    async with engine.begin() as conn:
        for member_id, name in ((1, "Sam"), (2, CYRILLIC_SAM), (3, "Jo"), (4, "erased M-0004")):
            await conn.execute(
                text(
                    "INSERT INTO members (id, telegram_user_id, telegram_user_key, chat_id, role, "
                    "pseudonym, pseudonym_key, timezone, tags, reachable, created_at) VALUES "
                    f"({member_id}, 'x{member_id}', 'k{member_id}', 'x{member_id}', 'mentee', "
                    f":name, :key, 'UTC', '', 1, {at})"
                ),
                {"name": name, "key": name.casefold()},
            )
    await engine.dispose()

    await migrate.upgrade(url)

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT id, pseudonym_skeleton FROM members"))
            keys: dict[int, str] = {row[0]: row[1] for row in rows}
        assert keys[1] == keys[2].removesuffix("#2") and keys[2].endswith("#2")
        assert len(set(keys.values())) == 4
        # The first Sam holds the name: nobody new can take a third look-alike of it.
        with pytest.raises(IntegrityError):
            async with transaction(create_session_factory(engine)) as s:
                make_mentee(s, pseudonym="SAM", now=clock.now())
    finally:
        await engine.dispose()
