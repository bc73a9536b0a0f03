"""The delivery worker's Bot API client: a JSON request, a JSON answer, nothing more.

Outbox payloads are already the Bot API's JSON, so building python-telegram-bot objects for
them and parsing the sent Message back into objects was half the cost of a send. Errors are
raised as python-telegram-bot's exception types, with the same meaning as PTB gives them, so
callers handle both paths alike. Uploads (photos, documents) still go through PTB.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import aiohttp
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
_TIMEOUT = aiohttp.ClientTimeout(sock_connect=CONNECT_TIMEOUT_S, sock_read=READ_TIMEOUT_S)


class BotApiClient:
    """POSTs JSON to `<base_url>/<method>`; one connection pool, opened on first use. Used by
    the delivery worker for sends and by the inbox for getUpdates."""

    def __init__(self, base_url: str, *, connections: int) -> None:
        self._base_url = base_url.rstrip("/")
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def call(
        self, method: str, payload: dict[str, Any], *, read_timeout: float | None = None
    ) -> Any:
        """The call's `result`; PTB's exception types on any failure. A long poll needs a
        `read_timeout` longer than its own."""
        session = self._session_for_loop()
        timeout = (
            _TIMEOUT
            if read_timeout is None
            else aiohttp.ClientTimeout(sock_connect=CONNECT_TIMEOUT_S, sock_read=read_timeout)
        )
        try:
            async with session.post(
                f"{self._base_url}/{method}", json=payload, timeout=timeout
            ) as response:
                body = await response.read()
                status = response.status
        except TimeoutError as exc:
            raise TimedOut("Timed out") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"{type(exc).__name__}") from exc
        try:
            data = json.loads(body)
        except ValueError:
            raise NetworkError(f"invalid answer with HTTP status {status}") from None
        if not isinstance(data, dict):
            raise NetworkError(f"invalid answer with HTTP status {status}")
        if data.get("ok"):
            return data.get("result")
        raise _error_for(status, data)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _session_for_loop(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections), raise_for_status=False
            )
        return self._session


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked to wait (PTB gives an int or a timedelta, by its settings)."""
    delay = exc.retry_after
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


def _error_for(status: int, data: dict[str, Any]) -> TelegramError:
    """The exception python-telegram-bot raises for the same answer."""
    description = str(data.get("description") or "Unknown error")
    code = data.get("error_code", status)
    parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    assert isinstance(parameters, dict)
    if isinstance(parameters.get("retry_after"), int):
        return RetryAfter(parameters["retry_after"])
    if isinstance(parameters.get("migrate_to_chat_id"), int):
        return ChatMigrated(parameters["migrate_to_chat_id"])
    if code == 403:
        return Forbidden(description)
    if code in (401, 404):
        return InvalidToken(description)
    if code == 400:
        return BadRequest(description)
    if code == 409:
        return Conflict(description)
    return NetworkError(f"{description} ({code})")
