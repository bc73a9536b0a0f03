"""The bot as a real process: SIGKILL in the middle of a burst, SIGTERM, and the doctor."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.services.outbox import enqueue
from emulator import BotApiEmulator, FakeUser
from storage import migrate
from storage.db import create_engine, create_session_factory, transaction
from storage.models import OutboxMessage, RelayedMessage
from tests.conftest import COORDINATOR_ID
from tests.helpers import clean_env, seed_pair

RELAYED = 40
BULK = 300


def bot_env(emu: BotApiEmulator, db_url: str, **extra: str) -> dict[str, str]:
    return clean_env(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        DATABASE_URL=db_url,
        COORDINATOR_IDS=str(COORDINATOR_ID),
        # The restarted bot is the same worker: on PostgreSQL it takes back at once what the
        # killed one had claimed, instead of waiting for the lease to run out.
        WORKER_ID="bot-1",
        **extra,
    )


async def start_bot(tmp_path: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def relay_copies(emu: BotApiEmulator, alex: FakeUser) -> list[str]:
    return [
        m["text"] for m in emu.bot_messages(alex.id) if (m.get("text") or "").startswith("relay ")
    ]


def bulk_texts(emu: BotApiEmulator) -> list[str]:
    return [
        str(p["text"])
        for method, p in emu.calls
        if method == "sendMessage" and str(p.get("text", "")).startswith("bulk ")
    ]


async def in_flight_at_kill(db_url: str, emu: BotApiEmulator) -> int:
    """Messages Telegram had accepted whose outbox row was still pending when the bot died."""
    copied = {int(p["message_id"]) for method, p in emu.calls if method == "copyMessage"}
    sent_bulk = set(bulk_texts(emu))
    engine = create_engine(db_url)
    count = 0
    async with create_session_factory(engine)() as s:
        for row in (
            await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending"))
        ).all():
            if row.relay_id is not None:
                record = await s.get(RelayedMessage, row.relay_id)
                count += record is not None and record.source_message_id in copied
            else:
                count += json.loads(row.payload).get("text") in sent_bulk
    await engine.dispose()
    return count


async def test_sigkill_mid_burst_loses_nothing_and_repeats_only_what_was_in_flight(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    sam, alex = await seed_pair(db_url, emu, datetime.now(UTC), bulk_chats=BULK)
    for n in range(RELAYED):
        emu.user_sends(sam, f"relay {n}")
    env = bot_env(
        emu,
        db_url,
        RATE_LIMIT_CHAT_PER_S="10",
        RATE_LIMIT_GLOBAL_PER_S="100",
        FLOOD_MESSAGES_PER_MINUTE="1000",  # a scripted burst, not a person
    )

    first = await start_bot(tmp_path, env, "run")
    await emu.wait_for(
        lambda: len(relay_copies(emu, alex)) >= 10, timeout=30, what="the burst to be under way"
    )
    first.kill()
    await first.wait()
    delivered_before = len(relay_copies(emu, alex)), len(bulk_texts(emu))
    assert delivered_before[0] < RELAYED or delivered_before[1] < BULK  # killed mid-burst
    in_flight = await in_flight_at_kill(db_url, emu)

    second = await start_bot(tmp_path, env, "run")
    try:
        await emu.wait_for(
            lambda: (
                len(set(relay_copies(emu, alex))) == RELAYED and len(set(bulk_texts(emu))) == BULK
            ),
            timeout=60,
            what="every message after the restart",
        )
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.communicate(), 30)

    copies = relay_copies(emu, alex)
    duplicates = sum(n - 1 for n in Counter(copies).values())
    duplicates += sum(n - 1 for n in Counter(bulk_texts(emu)).values())
    assert duplicates <= in_flight
    # Order per chat: the first copy of each message arrives in the order they were written.
    first_seen = list(dict.fromkeys(copies))
    assert first_seen == [f"relay {n}" for n in range(RELAYED)]


async def test_sigterm_stops_cleanly(emu: BotApiEmulator, db_url: str, tmp_path: Path) -> None:
    casey = emu.user(COORDINATOR_ID, "Casey")
    process = await start_bot(tmp_path, bot_env(emu, db_url), "run")
    emu.user_sends(casey, "/pairs")
    await emu.wait_for_bot_message(COORDINATOR_ID, "No active pairings", timeout=30)
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert "bot stopped" in stderr.decode()
    assert emu.token not in stderr.decode()


async def test_doctor_reports_checks_and_outbox(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    await migrate.upgrade(db_url)
    engine = create_engine(db_url)
    emu.open_chat(emu.user(COORDINATOR_ID, "Casey"))
    async with transaction(create_session_factory(engine)) as s:
        for minutes in (5, 1):
            await enqueue(
                s,
                chat_id=COORDINATOR_ID,
                method="sendMessage",
                payload={"text": "x"},
                now=datetime.now(UTC) - timedelta(minutes=minutes),
            )
    await engine.dispose()
    process = await start_bot(tmp_path, bot_env(emu, db_url), "doctor")
    stdout, _ = await asyncio.wait_for(process.communicate(), 60)
    out = stdout.decode()
    assert process.returncode == 0, out
    assert "ok  database: " in out and "ok  migrations: " in out
    assert f"ok  token: @{emu.bot_username}" in out
    assert "Outbox: 2 waiting, oldest waiting 5 min" in out


async def test_doctor_reports_a_revoked_token_and_a_broken_staff_chat(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    staff_chat = -100500
    await migrate.upgrade(db_url)
    engine = create_engine(db_url)
    async with transaction(create_session_factory(engine)) as s:
        await enqueue(
            s,
            chat_id=staff_chat,
            method="sendMessage",
            payload={"text": "Escalation #1"},
            now=datetime.now(UTC) - timedelta(minutes=3),
        )
    async with transaction(create_session_factory(engine)) as s:
        row = await s.scalar(select(OutboxMessage))
        assert row is not None
        row.status, row.payload = "dead", "{}"
        row.last_error = "forbidden: Forbidden: bot was kicked from the group chat"
    await engine.dispose()
    emu.token_revoked = True
    env = bot_env(emu, db_url, COORDINATOR_CHAT_ID=str(staff_chat))
    process = await start_bot(tmp_path, env, "doctor")
    stdout, _ = await asyncio.wait_for(process.communicate(), 60)
    out = stdout.decode()
    assert process.returncode == 1, out
    assert "error  token: TELEGRAM_BOT_TOKEN: Telegram rejected this token (401" in out
    assert "Telegram rejected the bot token" in out and "nothing is being sent" in out
    assert "Staff chat (COORDINATOR_CHAT_ID) is broken" in out and "kicked" in out
