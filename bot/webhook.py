"""Webhook mode: Telegram POSTs each update to us; it goes into the same durable inbox.

An update is answered 200 only once it is committed to the inbox, so Telegram re-sends what
we did not store, and a re-sent update_id is ignored by the inbox. Everything else is turned
away before it touches the database: a missing or wrong secret token (compared in constant
time), a body over MAX_BODY_BYTES, JSON that is not an update, or an update type the bot
does not take. A body with the right secret is still not trusted: JSON nested past Python's
recursion limit, numbers no database column holds, NaN, bytes that are not UTF-8, lone
surrogates and updates python-telegram-bot cannot read get 400 like any malformed body.

Slow or idle clients cannot hold the server: a connection must send its request headers within
REQUEST_TIMEOUT of connecting (aiohttp's keepalive_timeout, which also closes idle keep-alive
connections) and its body within REQUEST_TIMEOUT more; at most MAX_CONNECTIONS are open at
once, and at that limit the oldest one not in the middle of a request is closed to make room
(so a flood of half-sent requests cannot crowd Telegram out, nor use up file descriptors).
It is meant to listen on loopback behind a TLS-terminating reverse proxy (see the README).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
from typing import Any

from aiohttp import web
from telegram import Update

from bot.inbox import ALLOWED_UPDATES, Inbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 256 * 1024  # updates are a few KB; a media group's caption at most a few more
MAX_CONNECTIONS = 100  # Telegram uses one (max_connections=1); a proxy a few more
REQUEST_TIMEOUT = 5.0  # seconds to send the headers, then as many to send the body
LOOK_AGAIN_S = 1.0  # the inbox is processed at least this often (several workers)
LINGER_SECONDS = 2.0  # a body we answered without reading (403, 413) is drained this long
REFUSED = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
# Telegram's integers fit in 64 bits (ids in 52); a larger one could not be stored.
MAX_INT = 2**63 - 1


def _bounded_int(digits: str) -> int:
    value = int(digits)  # ValueError past sys.get_int_max_str_digits()
    if not -MAX_INT <= value <= MAX_INT:
        raise ValueError("integer out of range")
    return value


def _finite_float(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON a Telegram update contains")


def parse_update(body: bytes) -> dict[str, Any] | None:
    """The update in a webhook body, or None if it is not one this bot takes."""
    try:
        data: Any = json.loads(
            body,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
        # A lone surrogate is valid JSON but not text: it could be neither stored nor sent on.
        json.dumps(data, ensure_ascii=False).encode()
    except (ValueError, RecursionError):  # UnicodeDecode/EncodeError are ValueErrors
        return None
    if not valid_update(data):
        return None
    try:
        Update.de_json(data, None)  # copies what it reads; `data` is stored as received
    except Exception:  # any way python-telegram-bot fails to read it: it is not an update
        return None
    return dict(data)


def valid_update(data: object) -> bool:
    """A JSON object with an update_id and exactly one update of a type the bot takes."""
    if not isinstance(data, dict):
        return False
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return False
    kinds = [key for key in data if key != "update_id"]
    return len(kinds) == 1 and kinds[0] in ALLOWED_UPDATES and isinstance(data[kinds[0]], dict)


class _Refused(asyncio.Protocol):
    """A connection over the limit when every open one is busy: answered 503 and closed."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(REFUSED)
        transport.close()


class _ConnectionLimit:
    """The listening socket's protocol factory: aiohttp's handler for each connection, with
    at most `limit` open at once. At the limit the oldest connection that is not in the middle
    of a request (headers not all sent yet, or idle) is closed to make room; if all are busy,
    the newcomer is refused."""

    def __init__(self, server: web.Server, limit: int) -> None:
        self._server = server
        self._limit = limit
        self.busy: set[web.RequestHandler] = set()  # handling a request (see `_receive`)

    def __call__(self) -> asyncio.Protocol:
        # In the order they connected; one whose peer is gone may linger until its task ends.
        open_ = [c for c in self._server.connections if c.connected]
        if len(open_) >= self._limit:
            idle = next((c for c in open_ if c not in self.busy), None)
            if idle is None:
                log.warning("webhook connection refused: %s busy connections", len(open_))
                return _Refused()
            idle.force_close()
        return self._server()


class WebhookServer:
    def __init__(
        self,
        inbox: Inbox,
        *,
        secret: str,
        path: str,
        host: str,
        port: int,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self._inbox = inbox
        self._secret = secret.encode()
        self._path = path
        self._host = host
        self._port = port
        self._max_connections = max_connections
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self._limit: _ConnectionLimit | None = None
        self._arrived = asyncio.Event()
        self.port: int | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(self._path, self._receive)
        self._runner = web.AppRunner(
            app,
            access_log=None,
            handler_cancellation=False,  # an update being stored is committed all the same
            keepalive_timeout=REQUEST_TIMEOUT,  # from connecting to the headers, and when idle
            lingering_time=LINGER_SECONDS,
        )
        await self._runner.setup()
        assert self._runner.server is not None
        # aiohttp has no connection limit, so the listening socket is opened here (as its
        # TCPSite does) with a factory that keeps one.
        self._limit = _ConnectionLimit(self._runner.server, self._max_connections)
        self._listener = await asyncio.get_running_loop().create_server(
            self._limit, self._host, self._port
        )
        self.port = int(self._listener.sockets[0].getsockname()[1])
        log.info("webhook listening port=%s", self.port)

    async def stop(self) -> None:
        """Stop taking updates (those being stored finish first)."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None
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
                # Also now and then: with several workers, an update this one stored may have
                # waited for a chat another worker was at.
                await asyncio.wait(
                    [arrived, stopping],
                    timeout=LOOK_AGAIN_S,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                arrived.cancel()
        finally:
            stopping.cancel()

    async def _receive(self, request: web.Request) -> web.Response:
        assert self._limit is not None
        self._limit.busy.add(request.protocol)
        try:
            return await self._answer(request)
        finally:
            self._limit.busy.discard(request.protocol)

    async def _answer(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request refused: bad secret token")
            return web.Response(status=403)
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.Response(status=413)
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        except TimeoutError:
            log.warning("webhook request dropped: body not sent in time")
            response = web.Response(status=408)
            response.force_close()
            return response
        data = parse_update(body)
        if data is None:
            return web.Response(status=400, text="not an update this bot takes")
        try:
            await self._inbox.store([data])
        except Exception as exc:
            log.warning("could not store update=%s (%s)", data["update_id"], type(exc).__name__)
            await self._inbox.blocked(exc)
            return web.Response(status=503)  # Telegram sends it again
        self._arrived.set()
        return web.Response(status=200)
