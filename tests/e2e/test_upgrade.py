"""Upgrading: a database written by the previous release (schema 0007, before outbox ids
were made never to be reused) is brought up to date at start-up and everything in it works;
with AUTO_MIGRATE=0 the bot refuses to start on it until `python -m bot migrate`."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from alembic import command

from bot.app import BotRuntime
from bot.backup import migrate_database
from bot.config import ConfigError, Settings
from bot.services import alarms
from bot.services.escalation import EscalationPolicy
from bot.services.members import seed_coordinators
from bot.services.outbox import enqueue
from emulator import BotApiEmulator, FakeUser
from storage import migrate
from storage.db import create_engine, create_session_factory, transaction
from storage.models import Pairing
from tests.conftest import COORDINATOR_ID
from tests.helpers import FakeClock, make_mentee, make_mentor

PREVIOUS_RELEASE = "0007"


async def revision(db_url: str) -> str | None:
    engine = create_engine(db_url)
    try:
        return await migrate.current_revision(engine)
    finally:
        await engine.dispose()


async def previous_release_database(
    settings: Settings, emu: BotApiEmulator, now: datetime
) -> tuple[FakeUser, FakeUser]:
    """Sam and Alex paired, Sam's /sos open, and messages waiting in the outbox, all written
    to a database built by the previous release's migrations."""
    url = settings.database_url
    # Written by today's code (which reads tables that release did not have), then taken
    # back down to that release's schema: the data stays, as the old bot would have left it.
    await asyncio.to_thread(command.upgrade, migrate.alembic_config(url), "head")
    sam, alex = emu.user(7100000001, "Samantha"), emu.user(7300000001, "Alexander")
    emu.open_chat(sam)
    emu.open_chat(alex)
    engine = create_engine(url)
    try:
        async with transaction(create_session_factory(engine)) as s:
            await seed_coordinators(s, settings.coordinator_ids, now)  # as the old bot did
            mentee = make_mentee(s, pseudonym="Sam", timezone="UTC", now=now)
            mentor = make_mentor(s, pseudonym="Alex", timezone="UTC", now=now)
            mentee.telegram_user_id = mentee.chat_id = sam.id
            mentor.telegram_user_id = mentor.chat_id = alex.id
            await s.flush()
            s.add(Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=now))
            await s.flush()
            await alarms.sos(
                s, member=mentee, policy=EscalationPolicy.from_settings(settings), now=now
            )
            for n in range(3):
                await enqueue(
                    s,
                    chat_id=alex.id,
                    method="sendMessage",
                    payload={"text": f"queued before the upgrade {n}"},
                    now=now,
                )
    finally:
        await engine.dispose()
    await asyncio.to_thread(command.downgrade, migrate.alembic_config(url), PREVIOUS_RELEASE)
    assert await revision(url) == PREVIOUS_RELEASE
    return sam, alex


async def test_the_previous_releases_database_is_upgraded_at_start_and_works(
    settings: Settings, emu: BotApiEmulator, clock: FakeClock
) -> None:
    sam, alex = await previous_release_database(settings, emu, clock.now())
    casey = emu.user(COORDINATOR_ID, "Casey")
    emu.open_chat(casey)
    assert settings.telegram_bot_token is not None
    runtime = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await runtime.start()
    try:
        assert await revision(settings.database_url) == migrate.head_revision(
            settings.database_url
        )
        # What was waiting is sent, in order; the open escalation reaches the staff.
        await emu.wait_for_bot_message(alex.id, "queued before the upgrade 2", timeout=30)
        queued = [
            m["text"] for m in emu.bot_messages(alex.id) if "queued before" in m.get("text", "")
        ]
        assert queued == [f"queued before the upgrade {n}" for n in range(3)]
        await emu.wait_for_bot_message(casey.id, "Escalation #1", timeout=30)
        await emu.wait_for_bot_message(sam.id, "988", timeout=30)

        async def say(text: str) -> str:
            before = len(emu.bot_messages(casey.id))
            emu.user_sends(casey, text)
            await emu.wait_for(
                lambda: len(emu.bot_messages(casey.id)) > before, 30, what=f"an answer to {text}"
            )
            return str(emu.bot_messages(casey.id)[before].get("text"))

        assert "Sam (M-0001) ↔ Alex (M-0002)" in await say("/pairs")
        assert "#1 CRITICAL" in await say("/escalations")
        emu.user_sends(sam, "written after the upgrade")
        await emu.wait_for_bot_message(alex.id, "written after the upgrade", timeout=30)
    finally:
        await runtime.stop()


async def test_with_auto_migrate_off_start_refuses_until_migrate_is_run(
    settings: Settings, emu: BotApiEmulator, clock: FakeClock
) -> None:
    await previous_release_database(settings, emu, clock.now())
    manual = settings.model_copy(update={"auto_migrate": False})
    assert manual.telegram_bot_token is not None
    token = manual.telegram_bot_token.get_secret_value()
    head = migrate.head_revision(settings.database_url)
    with pytest.raises(ConfigError) as refused:
        await BotRuntime(manual, token, clock=clock, poll_timeout=1).start()
    assert str(refused.value) == (
        f"AUTO_MIGRATE=0: the database is at revision {PREVIOUS_RELEASE}, this version needs "
        f"{head}; back it up, then run `python -m bot migrate`"
    )
    assert await revision(settings.database_url) == PREVIOUS_RELEASE  # untouched
    assert emu.bot_messages(7300000001) == []  # nothing was sent

    assert await migrate_database(manual) == head
    runtime = BotRuntime(manual, token, clock=clock, poll_timeout=1)
    await runtime.start()
    try:
        await emu.wait_for_bot_message(7300000001, "queued before the upgrade 2", timeout=30)
    finally:
        await runtime.stop()
