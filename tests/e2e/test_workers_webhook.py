"""Webhook mode with two workers behind one address (PostgreSQL, in every run): a proxy hands
Telegram's posts to one worker, then the other. Each update is stored once and processed once,
and a chat's updates in order, whichever worker received them."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.app import BotRuntime
from bot.config import load_settings
from emulator import BotApiEmulator
from storage import migrate
from tests.conftest import COORDINATOR_ID
from tests.e2e.test_webhook import SECRET, free_port
from tests.helpers import TEST_KEYS, seed_pair
from tests.postgres import PostgresServer

EACH = 25
PATH = "/telegram/updates"


@pytest.fixture
async def pg_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    async with postgres_server.fresh_database() as url:
        await migrate.upgrade(url)
        yield url


class RoundRobin:
    """One public address in front of several workers, as a load balancer would be."""

    def __init__(self, ports: list[int]) -> None:
        self._targets = itertools.cycle(ports)
        self.received: Counter[int] = Counter()
        self.port = free_port()
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(PATH, self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        port = next(self._targets)
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
        headers["Content-Type"] = "application/json"
        try:
            async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{port}{PATH}", data=await request.read(), headers=headers
            ) as answer:
                status = answer.status
        except aiohttp.ClientError:
            return web.Response(status=502)
        if status == 200:
            self.received[port] += 1
        return web.Response(status=status)


async def test_two_webhook_workers_store_and_process_each_update_once_in_order(
    emu: BotApiEmulator, pg_url: str
) -> None:
    sam, alex = await seed_pair(pg_url, emu, datetime.now(UTC))
    ports = [free_port(), free_port()]
    proxy = RoundRobin(ports)
    await proxy.start()
    workers = []
    try:
        for number, port in enumerate(ports, start=1):
            settings = load_settings(
                telegram_bot_token=emu.token,
                telegram_api_base_url=emu.base_url,
                database_url=pg_url,
                coordinator_ids=str(COORDINATOR_ID),
                rate_limit_chat_per_s=50,
                rate_limit_chat_burst=20,
                rate_limit_global_per_s=200,
                flood_messages_per_minute=1000,
                worker_id=f"w{number}",
                webhook_url=f"http://127.0.0.1:{proxy.port}{PATH}",
                webhook_secret=SecretStr(SECRET),
                webhook_listen="127.0.0.1",
                webhook_port=port,
                _env_file=None,
                **TEST_KEYS,
            )
            assert settings.telegram_bot_token is not None
            worker = BotRuntime(
                settings, settings.telegram_bot_token.get_secret_value(), webhook=True
            )
            await worker.start()
            workers.append(worker)
        for n in range(EACH):
            emu.user_sends(sam, f"relay {n}")
            emu.user_sends(alex, f"back {n}")

        def copies(chat_id: int, prefix: str) -> list[str]:
            return [
                str(m["text"])
                for m in emu.bot_messages(chat_id)
                if str(m.get("text") or "").startswith(prefix)
            ]

        await emu.wait_for(
            lambda: len(set(copies(alex.id, "relay "))) == EACH
            and len(set(copies(sam.id, "back "))) == EACH,
            timeout=60,
            what="every message relayed",
        )
        for worker in workers:
            await worker.wait_until_idle(timeout=30)
    finally:
        for worker in workers:
            await worker.stop()
        await proxy.stop()
    # Both workers received updates; each update was processed once, in order per chat.
    assert set(proxy.received) == set(ports) and sum(proxy.received.values()) == 2 * EACH
    assert copies(alex.id, "relay ") == [f"relay {n}" for n in range(EACH)]
    assert copies(sam.id, "back ") == [f"back {n}" for n in range(EACH)]
