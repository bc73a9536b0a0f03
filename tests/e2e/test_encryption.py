"""Encryption at rest: a copied database file does not give away what people wrote, the keys
rotate, and the bot will not start without keys unless told it is for local use."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import BotRuntime
from bot.config import ConfigError, Settings, load_settings
from bot.keys import rotate_keys
from bot.services.members import member_by_telegram_id
from emulator import BotApiEmulator, FakeUser
from storage import crypto
from storage.crypto import DataCipher, DecryptionError, generate_key, generate_lookup_key
from storage.db import create_engine, create_session_factory
from storage.models import CheckIn, Escalation
from tests.e2e.conftest import Program
from tests.helpers import TEST_KEYS, clean_env, stored_bytes

NOTE = "slept badly, zebra-crossing anxiety"
DANGER = "quokka: i cant do this anymore, tonight im going to end it all"
OUTCOME = "called her sister, paramedics on the way, pangolin"


async def write_sensitive_things(program: Program, sam: FakeUser) -> None:
    emu = program.emu
    prompt = await program.scenario.say(sam, "/checkin")
    assert prompt is not None
    for label in ("🙁", "very high", "yes"):
        await program.settle()
        current = emu.chats[sam.id].messages[prompt["message_id"]]
        await program.scenario.press_label(sam, current, label)
    await program.settle()
    emu.user_sends(sam, NOTE)
    await emu.wait_for_bot_message(sam.id, "Note saved")
    emu.user_sends(sam, DANGER)
    await emu.wait_for_bot_message(program.coordinator.id, "Escalation #1")
    await program.scenario.say(program.coordinator, f"/resolve 1 {OUTCOME}")
    await program.settle()


async def test_notes_flagged_messages_and_outcomes_are_not_readable_in_the_file(
    paired: Program, sam: FakeUser, db_url: str
) -> None:
    await write_sensitive_things(paired, sam)
    async with paired.runtime.session_factory() as s:
        checkin = (await s.scalars(select(CheckIn))).one()
        escalation = await s.get(Escalation, 1)
    # The bot reads them back...
    assert checkin.note == NOTE
    assert escalation is not None and DANGER in (escalation.flagged_text or "")
    assert escalation.outcome == OUTCOME
    # ...but the database file (and its write-ahead log) does not show them.
    raw = await stored_bytes(db_url)
    for secret in (b"zebra-crossing", b"quokka", b"pangolin"):
        assert secret not in raw


async def test_keys_rotate_and_a_wrong_key_reads_nothing(
    paired: Program, sam: FakeUser, settings: Settings, db_url: str
) -> None:
    await write_sensitive_things(paired, sam)
    await paired.runtime.stop()

    new_key = generate_key()
    rotated = settings.model_copy(
        update={
            "data_encryption_key": load_settings(
                _env_file=None, data_encryption_key=f"{new_key},{TEST_KEYS['data_encryption_key']}"
            ).data_encryption_key
        }
    )
    assert await rotate_keys(rotated) == 0

    # Only the new key now: everything still reads.
    crypto.configure(DataCipher([new_key], TEST_KEYS["data_lookup_key"]))
    engine = create_engine(db_url)
    try:
        async with create_session_factory(engine)() as s:
            assert (await s.scalars(select(CheckIn))).one().note == NOTE
            escalation = await s.get(Escalation, 1)
            assert escalation is not None and escalation.outcome == OUTCOME

        # An unrelated key opens nothing, and says so instead of returning garbage.
        crypto.configure(DataCipher([generate_key()], generate_lookup_key()))
        async with create_session_factory(engine)() as s:
            with pytest.raises(DecryptionError):
                (await s.scalars(select(CheckIn))).one()
    finally:
        await engine.dispose()


def test_the_bot_refuses_to_start_without_keys(emu: BotApiEmulator, db_url: str) -> None:
    settings = load_settings(
        telegram_bot_token=emu.token,
        telegram_api_base_url=emu.base_url,
        database_url=db_url,
        _env_file=None,
    )
    with pytest.raises(ConfigError, match="DATA_ENCRYPTION_KEY.*ALLOW_UNENCRYPTED=1"):
        BotRuntime(settings, emu.token)
    with pytest.raises(ConfigError, match="DATA_LOOKUP_KEY"):
        BotRuntime(
            settings.model_copy(
                update={"data_encryption_key": load_settings(**TEST_KEYS).data_encryption_key}
            ),
            emu.token,
        )
    # Explicitly waived, for local use: it starts.
    BotRuntime(settings.model_copy(update={"allow_unencrypted": True}), emu.token)


async def test_python_m_bot_says_why_it_will_not_start(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    env = clean_env(
        TELEGRAM_BOT_TOKEN=emu.token, TELEGRAM_API_BASE_URL=emu.base_url, DATABASE_URL=db_url
    )
    del env["DATA_ENCRYPTION_KEY"], env["DATA_LOOKUP_KEY"]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "DATA_ENCRYPTION_KEY" in stderr.decode() and "keygen" in stderr.decode()


def test_malformed_keys_are_refused_with_the_setting_named() -> None:
    with pytest.raises(ConfigError, match="DATA_ENCRYPTION_KEY"):
        load_settings(_env_file=None, data_encryption_key="not-a-key")
    with pytest.raises(ConfigError, match="DATA_LOOKUP_KEY"):
        load_settings(_env_file=None, data_lookup_key="short")


async def test_a_copied_database_does_not_say_who_is_enrolled(
    paired: Program, sam: FakeUser, alex: FakeUser, db_url: str
) -> None:
    await write_sensitive_things(paired, sam)
    emu = paired.emu
    emu.user_sends(alex, "proud of you for writing")
    await emu.wait_for_bot_message(sam.id, "proud of you")
    await paired.settle()
    # The bot still finds them by their Telegram ids...
    async with paired.runtime.session_factory() as s:
        found = await member_by_telegram_id(s, sam.id)
        assert found is not None and found.pseudonym == "Sam" and found.chat_id == sam.id
    # ...but their ids are nowhere in the file, as text or as stored integers.
    raw = await stored_bytes(db_url)
    for person in (sam, alex):
        assert str(person.id).encode() not in raw
        for width in (6, 8):  # SQLite's integer encodings big enough for these ids
            assert person.id.to_bytes(width, "big") not in raw
