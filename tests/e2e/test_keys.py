"""The data keys and the database belong together: a bot started with other keys refuses to
start, keys are never rotated under a running bot, an update that cannot be decrypted waits
(never erased), a database started unencrypted can be encrypted, and the files are private."""

from __future__ import annotations

import asyncio
import logging
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy import Text, select, type_coerce, update

from bot.app import BotRuntime
from bot.config import ConfigError, Settings, load_settings
from bot.keys import rotate_keys
from emulator import BotApiEmulator, FakeUser
from storage import crypto
from storage.crypto import DataCipher, generate_key, generate_lookup_key
from storage.models import InboxUpdate, Member
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import TEST_KEYS, FakeClock, clean_env, seed_pair

DANGER = "i cant do this anymore, tonight im going to end it all"


def with_keys(settings: Settings, **keys: str | bool | None) -> Settings:
    values = load_settings(_env_file=None, **{k: v for k, v in keys.items() if v is not None})
    return settings.model_copy(
        update={
            "data_encryption_key": values.data_encryption_key,
            "data_lookup_key": values.data_lookup_key,
            "allow_unencrypted": values.allow_unencrypted,
        }
    )


async def started(settings: Settings, clock: FakeClock) -> BotRuntime:
    assert settings.telegram_bot_token is not None
    runtime = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await runtime.start()
    return runtime


async def run_bot(tmp_path: Path, env: dict[str, str], command: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        command,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 30)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"`python -m bot {command}` did not stop") from None
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


async def test_other_keys_than_the_databases_are_refused_with_one_line(
    settings: Settings, emu: BotApiEmulator, clock: FakeClock, db_url: str, tmp_path: Path
) -> None:
    first = await started(settings, clock)  # a fresh database records its keys
    await first.stop()
    env = clean_env(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        DATABASE_URL=db_url,
        COORDINATOR_IDS=str(COORDINATOR_ID),
    )
    other_lookup = generate_lookup_key()
    code, output = await run_bot(tmp_path, {**env, "DATA_LOOKUP_KEY": other_lookup}, "run")
    assert code == 2
    assert output.strip().splitlines() == [output.strip()]  # one line, no traceback
    assert "DATA_LOOKUP_KEY" in output and other_lookup not in output

    other_key = generate_key()
    code, output = await run_bot(tmp_path, {**env, "DATA_ENCRYPTION_KEY": other_key}, "run")
    assert code == 2 and len(output.strip().splitlines()) == 1
    assert "DATA_ENCRYPTION_KEY" in output and other_key not in output

    # The doctor tests the keys too.
    code, output = await run_bot(tmp_path, {**env, "DATA_ENCRYPTION_KEY": other_key}, "doctor")
    assert code == 1 and "error  keys: DATA_ENCRYPTION_KEY" in output
    code, output = await run_bot(tmp_path, env, "doctor")
    assert "ok  keys: " in output


async def test_a_database_started_unencrypted_is_encrypted_by_rotate_keys(
    settings: Settings, emu: BotApiEmulator, clock: FakeClock, db_url: str
) -> None:
    plain = with_keys(settings, allow_unencrypted=True)
    crypto.configure(DataCipher.unencrypted())  # written as an ALLOW_UNENCRYPTED bot writes
    sam, alex = await seed_pair(db_url, emu, clock.now())
    runtime = await started(plain, clock)
    await runtime.stop()

    # Keys configured, database not yet converted: refused, instead of finding nobody.
    with pytest.raises(ConfigError, match="DATA_ENCRYPTION_KEY.*rotate-keys"):
        await started(settings, clock)

    assert await rotate_keys(settings) == 0
    runtime = await started(settings, clock)
    try:
        emu.user_sends(sam, "hello after the keys")
        await emu.wait_for_bot_message(alex.id, "hello after the keys")
        async with runtime.session_factory() as s:
            stored = (await s.scalars(select(type_coerce(Member.telegram_user_id, Text)))).all()
        assert stored and all(str(v).startswith("enc:") for v in stored)
        assert not [m for m in emu.bot_messages(sam.id) if "invite" in (m.get("text") or "")]
    finally:
        await runtime.stop()


@pytest.mark.sqlite_only(
    reason="the lock a running bot holds is beside the SQLite file; on PostgreSQL none is taken "
    "(README: stop the bot yourself)"
)
async def test_keys_are_not_rotated_under_a_running_bot(
    paired: Program, sam: FakeUser, alex: FakeUser, settings: Settings, clock: FakeClock
) -> None:
    new_key = generate_key()
    rotated = with_keys(
        settings,
        data_encryption_key=f"{new_key},{TEST_KEYS['data_encryption_key']}",
        data_lookup_key=TEST_KEYS["data_lookup_key"],
    )
    assert await rotate_keys(rotated) != 0  # refused: the bot runs with the old key only
    # The bot goes on: a crisis message is relayed and assessed.
    paired.emu.user_sends(sam, DANGER)
    await paired.emu.wait_for_bot_message(alex.id, DANGER)
    await paired.emu.wait_for_bot_message(COORDINATOR_ID, "Escalation #1")
    await paired.settle()

    # Stopped, the rotation runs; then the old key alone does not open the data.
    await paired.runtime.stop()
    assert await rotate_keys(rotated) == 0
    old_only = with_keys(settings, **TEST_KEYS)
    with pytest.raises(ConfigError, match="DATA_ENCRYPTION_KEY"):
        await started(old_only, clock)
    new_only = with_keys(
        settings, data_encryption_key=new_key, data_lookup_key=TEST_KEYS["data_lookup_key"]
    )
    runtime = await started(new_only, clock)
    try:
        paired.emu.user_sends(sam, "after the rotation")
        await paired.emu.wait_for_bot_message(alex.id, "after the rotation")
    finally:
        await runtime.stop()


async def test_an_update_that_cannot_be_decrypted_waits_and_is_never_erased(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu, runtime = paired.emu, paired.runtime
    runtime.inbox.backoff_max = 0.2  # seconds
    await paired.settle()
    # Alex's stored chat id is now under a key this bot does not have (as after a rotation
    # or a restore it did not know about).
    foreign = DataCipher([generate_key()], generate_lookup_key()).encrypt(str(alex.id))
    raw = type_coerce(Member.chat_id, Text)
    async with runtime.session_factory() as s, s.begin():
        alex_row = await s.scalar(select(Member.id).where(Member.pseudonym == "Alex"))
        original = await s.scalar(select(raw).where(Member.id == alex_row))
        await s.execute(
            update(Member).where(Member.id == alex_row).values({raw: type_coerce(foreign, Text)})
        )

    emu.user_sends(sam, DANGER)
    await emu.wait_for_bot_message(COORDINATOR_ID, "cannot take in")
    async with runtime.session_factory() as s:
        waiting = (
            await s.scalars(select(InboxUpdate).where(InboxUpdate.processed_at.is_(None)))
        ).all()
    assert len(waiting) == 1 and not waiting[0].failed
    assert DANGER in waiting[0].payload  # kept, not erased
    assert not [m for m in emu.bot_messages(alex.id) if m.get("text") == DANGER]

    # The keys are put right: the waiting message goes through, and is assessed.
    async with runtime.session_factory() as s, s.begin():
        await s.execute(
            update(Member).where(Member.id == alex_row).values({raw: type_coerce(original, Text)})
        )
    await emu.wait_for_bot_message(alex.id, DANGER)
    await emu.wait_for_bot_message(COORDINATOR_ID, "Escalation #1")
    await emu.wait_for_bot_message(COORDINATOR_ID, "taking in messages again")
    await paired.settle()
    async with runtime.session_factory() as s:
        assert (await s.scalars(select(InboxUpdate).where(InboxUpdate.failed))).all() == []


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_is_created_private_and_wider_files_are_reported(
    settings: Settings, clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "fresh" / "data"
    db = folder / "bot.sqlite3"
    fresh = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{db}"})
    runtime = await started(fresh, clock)
    try:
        await runtime.inbox_pending()  # the database is open, with its -wal and -shm
        assert mode(folder) == 0o700
        files = [db, db.with_name("bot.sqlite3-wal"), db.with_name("bot.sqlite3-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        await runtime.stop()
    assert "readable by others" not in caplog.text

    # Files made by something else, readable by others: one warning line at start.
    db.chmod(0o644)
    folder.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        runtime = await started(fresh, clock)
        await runtime.stop()
    warnings = [r for r in caplog.records if "readable by others" in r.getMessage()]
    assert len(warnings) == 1 and "bot.sqlite3 (644)" in warnings[0].getMessage()
