"""Webhook mode: Telegram POSTs each update to us; it goes into the same durable inbox.

An update is answered 200 only once it is committed to the inbox, so Telegram re-sends what
we did not store, and a re-sent update_id is ignored by the inbox. Everything else is turned
away before it touches the database: a missing or wrong secret token (compared in constant
time), a body over MAX_BODY_BYTES, JSON that is not an update, or an update type the bot
does not take.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web

from bot.inbox import ALLOWED_UPDATES, Inbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 256 * 1024  # updates are a few KB; a media group's caption at most a few more


def valid_update(data: object) -> bool:
    """A JSON object with an update_id and exactly one update of a type the bot takes."""
    if not isinstance(data, dict):
        return False
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return False
    kinds = [key for key in data if key != "update_id"]
    return len(kinds) == 1 and kinds[0] in ALLOWED_UPDATES and isinstance(data[kinds[0]], dict)


class WebhookServer:
    def __init__(self, inbox: Inbox, *, secret: str, path: str, host: str, port: int) -> None:
        self._inbox = inbox
        self._secret = secret.encode()
        self._path = path
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Event()
        self.port: int | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(self._path, self._receive)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self._port
        log.info("webhook listening port=%s", self.port)

    async def stop(self) -> None:
        """Stop taking updates (those being stored finish first)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def process(self, stop: asyncio.Event) -> None:
        """Process the inbox whenever updates arrive, until `stop` (and once at start, for
        what a crash left behind)."""
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                self._arrived.clear()
                if not await self._inbox.drain(stop):
                    # Storage or keys: the updates stay stored; try again after a pause.
                    await self._inbox.backoff(stop)
                    continue
                arrived = asyncio.ensure_future(self._arrived.wait())
                await asyncio.wait([arrived, stopping], return_when=asyncio.FIRST_COMPLETED)
                arrived.cancel()
        finally:
            stopping.cancel()

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request refused: bad secret token")
            return web.Response(status=403)
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.Response(status=413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        if not valid_update(data):
            return web.Response(status=400, text="not an update this bot takes")
        try:
            await self._inbox.store([data])
        except Exception as exc:
            log.warning("could not store update=%s (%s)", data["update_id"], type(exc).__name__)
            await self._inbox.blocked(exc)
            return web.Response(status=503)  # Telegram sends it again
        self._arrived.set()
        return web.Response(status=200)
