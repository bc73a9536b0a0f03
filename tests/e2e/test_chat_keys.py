"""The keyed hash of a person's chat (`chat_key`) does not outlive what it was needed for:
sent outbox rows drop it, and after an erasure it is nowhere in the database files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from emulator import BotApiEmulator, FakeUser
from storage.crypto import lookup
from storage.models import OutboxMessage
from tests.e2e.conftest import Program


def database_bytes(db_url: str) -> bytes:
    """The database file and its -wal and -shm files."""
    path = Path(db_url.split("///", 1)[1])
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_a_strangers_chat_key_is_not_kept_in_sent_rows(
    program: Program, emu: BotApiEmulator
) -> None:
    stranger = emu.user(4242, "Curious")
    reply = await program.scenario.say(stranger, "/start")
    assert reply is not None
    await program.settle()
    async with program.runtime.session_factory() as s:
        sent = await s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
        )
        keyed = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_key == lookup(stranger.id))
        )
    assert sent and keyed == 0


@pytest.mark.sqlite_only(
    reason="reads SQLite's files for erased bytes (secure_delete); PostgreSQL keeps dead rows "
    "in its files until VACUUM"
)
async def test_after_an_erasure_the_members_chat_key_is_not_in_the_database_files(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, db_url: str
) -> None:
    emu.user_sends(sam, "hello")
    await emu.wait_for_bot_message(alex.id, "hello")
    emu.user_sends(alex, "hi sam")
    await emu.wait_for_bot_message(sam.id, "hi sam")
    await paired.settle()
    key = lookup(sam.id).encode()
    assert key in database_bytes(db_url)  # the test looks for something that was there
    ask = await paired.scenario.say(sam, "/deleteme")
    assert ask is not None
    await paired.scenario.press_label(sam, ask, "Yes, erase")
    await emu.wait_for_bot_message(sam.id, "Your data has been erased")
    await paired.settle()
    assert key not in database_bytes(db_url)
