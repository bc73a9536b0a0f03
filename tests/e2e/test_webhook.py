"""Webhook mode: Telegram (the emulator) posts updates; anything else is turned away."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from bot.app import BotRuntime
from bot.config import Settings, StartupError
from emulator import BotApiEmulator
from storage.models import InboxUpdate
from tests.conftest import COORDINATOR_ID
from tests.helpers import FakeClock, clean_env

SECRET = "a-webhook-secret_0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def settings(settings: Settings) -> Settings:
    port = free_port()
    return settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}/telegram/updates",
            "webhook_secret": SecretStr(SECRET),
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
        }
    )


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[BotRuntime]:
    assert settings.telegram_bot_token is not None
    rt = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, webhook=True
    )
    await rt.start()
    yield rt
    await rt.stop()


async def stored_updates(runtime: BotRuntime) -> int:
    async with runtime.session_factory() as s:
        return int(await s.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


async def test_updates_arrive_by_webhook_and_are_answered(
    runtime: BotRuntime, emu: BotApiEmulator, settings: Settings
) -> None:
    assert emu.webhook_url == settings.webhook_url and emu.webhook_secret == SECRET
    assert [int(p["max_connections"]) for m, p in emu.calls if m == "setWebhook"] == [1]
    casey = emu.user(COORDINATOR_ID, "Casey")
    emu.user_sends(casey, "/pairs")
    await emu.wait_for_bot_message(COORDINATOR_ID, "No active pairings")
    assert not any(method == "getUpdates" for method, _ in emu.calls)
    assert emu.webhook_answers == [200]


async def test_a_lost_answer_to_set_webhook_is_retried_and_updates_are_answered(
    emu: BotApiEmulator, settings: Settings, clock: FakeClock
) -> None:
    # Telegram set the webhook, but its answer never came back: Telegram now posts to us, so
    # the bot must go on to take them (it used to die here, taking the webhook down with it).
    emu.inject("lost", method="setWebhook")
    assert settings.telegram_bot_token is not None
    rt = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, webhook=True
    )
    await rt.start()
    try:
        assert [m for m, _ in emu.calls].count("setWebhook") == 2
        assert emu.webhook_url == settings.webhook_url
        casey = emu.user(COORDINATOR_ID, "Casey")
        emu.user_sends(casey, "/pairs")
        await emu.wait_for_bot_message(COORDINATOR_ID, "No active pairings")
        assert emu.webhook_answers == [200]
    finally:
        await rt.stop()


async def test_a_webhook_telegram_keeps_refusing_stops_start_up_in_one_line(
    emu: BotApiEmulator, settings: Settings, clock: FakeClock
) -> None:
    settings = settings.model_copy(update={"telegram_startup_attempts": 2})
    emu.inject("500", method="setWebhook", times=2)
    assert settings.telegram_bot_token is not None and settings.webhook_port is not None
    rt = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, webhook=True
    )
    with pytest.raises(StartupError, match="setWebhook") as refused:
        await rt.start()
    assert emu.token not in str(refused.value)
    assert [m for m, _ in emu.calls].count("setWebhook") == 2
    # Nothing is left listening, and the database is free for the next start.
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", settings.webhook_port)
    again = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, webhook=True
    )
    await again.start()
    await again.stop()


async def _post(settings: Settings, body: bytes, headers: dict[str, str] | None = None) -> int:
    assert settings.webhook_url is not None
    sent = {"Content-Type": "application/json", **(headers or {})}
    async with aiohttp.ClientSession() as session:
        async with session.post(settings.webhook_url, data=body, headers=sent) as response:
            return response.status


def _update(update_id: int, text: str = "/pairs") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": COORDINATOR_ID, "type": "private"},
            "from": {"id": COORDINATOR_ID, "is_bot": False, "first_name": "Casey"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_anything_but_telegram_is_turned_away_and_changes_nothing(
    runtime: BotRuntime, emu: BotApiEmulator, settings: Settings
) -> None:
    emu.open_chat(emu.user(COORDINATOR_ID, "Casey"))
    good = json.dumps(_update(900_001)).encode()
    secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

    assert await _post(settings, good) == 403  # no secret
    assert await _post(settings, good, {"X-Telegram-Bot-Api-Secret-Token": "x" * 27}) == 403
    assert await _post(settings, good, {"X-Telegram-Bot-Api-Secret-Token": "short"}) == 403
    assert await _post(settings, b"{not json", secret) == 400
    assert await _post(settings, b"[1, 2]", secret) == 400
    assert await _post(settings, b'{"message": {}}', secret) == 400  # no update_id
    assert await _post(settings, b'{"update_id": 5, "poll": {"id": "1"}}', secret) == 400
    two_kinds = {**_update(6), "edited_message": _update(6)["message"]}
    assert await _post(settings, json.dumps(two_kinds).encode(), secret) == 400
    huge = json.dumps(_update(7, "/pairs " + "x" * 400_000)).encode()
    assert await _post(settings, huge, secret) == 413
    assert await stored_updates(runtime) == 0
    assert emu.bot_messages(COORDINATOR_ID) == []

    # The real thing, twice (Telegram re-sends when unsure): stored and answered once.
    assert await _post(settings, good, secret) == 200
    assert await _post(settings, good, secret) == 200
    await emu.wait_for_bot_message(COORDINATOR_ID, "No active pairings")
    await runtime.wait_until_idle()
    assert await stored_updates(runtime) == 1
    assert len(emu.bot_messages(COORDINATOR_ID)) == 1


async def test_webhook_mode_says_what_it_needs(emu: BotApiEmulator, tmp_path: Path) -> None:
    env = clean_env(TELEGRAM_BOT_TOKEN=emu.token, TELEGRAM_API_BASE_URL=emu.base_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--webhook",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "WEBHOOK_URL" in stderr.decode()


async def test_hostile_bodies_with_the_right_secret_get_400_and_store_nothing(
    runtime: BotRuntime, emu: BotApiEmulator, settings: Settings
) -> None:
    emu.open_chat(emu.user(COORDINATOR_ID, "Casey"))
    secret = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    good = _update(900_002)
    message = json.dumps(good["message"])
    hostile = {
        "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
        "nested objects": b'{"a":' * 30_000 + b"1" + b"}" * 30_000,
        "nested inside an update": (
            b'{"update_id": 8, "message": ' + b"[" * 60_000 + b"]" * 60_000 + b"}"
        ),
        "a 5,000-digit update_id": b'{"update_id": ' + b"9" * 5000 + b', "message": {}}',
        "an update_id past 64 bits": json.dumps({**good, "update_id": 2**70}).encode(),
        "a huge float update_id": b'{"update_id": 1e999, "message": ' + message.encode() + b"}",
        "NaN in a message": json.dumps({**good, "message": {**good["message"], "date": "N"}})
        .replace('"N"', "NaN")
        .encode(),
        "Infinity in a message": message.replace('"date": 0', '"date": Infinity').encode(),
        "a huge number in a message": json.dumps(
            {**good, "message": {**good["message"], "message_id": 10**300}}
        ).encode(),
        "not UTF-8": b'{"update_id": 9, "message": {"text": "\xff\xfe"}}',
        "a lone surrogate": json.dumps(_update(10, "/pairs \ud800")).encode(),
        "a string": b'"update"',
        "a number": b"12",
        "null": b"null",
        "a list of updates": json.dumps([good]).encode(),
        "update_id true": json.dumps({**good, "update_id": True}).encode(),
        "update_id -1": json.dumps({**good, "update_id": -1}).encode(),
        "update_id a string": json.dumps({**good, "update_id": "900002"}).encode(),
        "a message that is not one": b'{"update_id": 11, "message": {}}',
        "a button press that is not one": b'{"update_id": 12, "callback_query": {"id": "1"}}',
        "empty": b"",
    }
    answers = {name: await _post(settings, body, secret) for name, body in hostile.items()}
    assert answers == dict.fromkeys(hostile, 400)
    assert await stored_updates(runtime) == 0

    # Still serving: the real thing is stored and answered.
    assert await _post(settings, json.dumps(good).encode(), secret) == 200
    await emu.wait_for_bot_message(COORDINATOR_ID, "No active pairings")
    await runtime.wait_until_idle()
    assert await stored_updates(runtime) == 1
    assert len(emu.bot_messages(COORDINATOR_ID)) == 1


async def test_slow_and_idle_connections_are_closed_by_the_bot(
    runtime: BotRuntime, emu: BotApiEmulator, settings: Settings
) -> None:
    emu.open_chat(emu.user(COORDINATOR_ID, "Casey"))
    body = json.dumps(_update(900_003)).encode()
    head = (
        f"POST /telegram/updates HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n"
    ).encode()

    async def answer(request: bytes) -> bytes:
        """All the bot sends back on a connection, until the bot closes it."""
        reader, writer = await asyncio.open_connection("127.0.0.1", settings.webhook_port)
        writer.write(request)
        try:
            return await asyncio.wait_for(reader.read(), 20)  # b"" or more, then EOF
        finally:
            writer.close()

    idle, unfinished_body, unfinished_headers = await asyncio.gather(
        # A real update on a keep-alive connection that then sits idle.
        answer(head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body),
        answer(head + b'Content-Length: 2000\r\n\r\n{"update_id": '),
        answer(b"POST /telegram/updates HTTP/1.1\r\nHost: bot\r\n"),
    )
    assert idle.startswith(b"HTTP/1.1 200")
    assert unfinished_body.startswith(b"HTTP/1.1 408")
    assert unfinished_headers == b""
    await emu.wait_for_bot_message(COORDINATOR_ID, "No active pairings")
    await runtime.wait_until_idle()
    assert await stored_updates(runtime) == 1
