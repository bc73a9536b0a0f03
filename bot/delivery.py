"""The delivery worker: sends what the outbox holds, in order per chat, highest priority first.

A row is marked sent (with Telegram's message id) only after Telegram accepted it, so a crash
between the two can repeat that one message but never lose one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    MessageEntity,
    ReplyParameters,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.services.outbox import RESOLVE_MESSAGE_ID_FROM_RELAY, RESOLVE_REPLY_TO_RELAY
from storage.db import transaction
from storage.models import Member, OutboxMessage, RelayedMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 300.0
IDLE_POLL_S = 1.0


@dataclass
class _Result:
    row_id: int
    message_id: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    transient: bool = False
    forbidden: bool = False


_METHODS = {
    "sendMessage": "send_message",
    "copyMessage": "copy_message",
    "editMessageText": "edit_message_text",
    "editMessageReplyMarkup": "edit_message_reply_markup",
    "sendPhoto": "send_photo",
    "sendDocument": "send_document",
}


async def call_bot_api(bot: Bot, method: str, payload: dict[str, Any]) -> object:
    """Make the Telegram call an outbox row describes, with PTB's typed method."""
    kwargs = dict(payload)
    if "reply_markup" in kwargs:
        kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(kwargs["reply_markup"], bot)
    if "reply_parameters" in kwargs:
        kwargs["reply_parameters"] = ReplyParameters(**kwargs["reply_parameters"])
    if "link_preview_options" in kwargs:
        kwargs["link_preview_options"] = LinkPreviewOptions(**kwargs["link_preview_options"])
    for key in ("entities", "caption_entities"):
        if key in kwargs:
            kwargs[key] = [MessageEntity.de_json(e, bot) for e in kwargs[key]]
    if "photo_bytes" in kwargs:
        kwargs["photo"] = bytes.fromhex(kwargs.pop("photo_bytes"))
    if "document_bytes" in kwargs:
        kwargs["document"] = InputFile(
            bytes.fromhex(kwargs.pop("document_bytes")), filename=kwargs.pop("filename", "file")
        )
    function = getattr(bot, _METHODS[method])
    return await function(**kwargs)


def backoff_seconds(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter, capped."""
    return float(rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))))


class DeliveryWorker:
    """Drains the outbox. One worker per database; it is the only sender."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        *,
        batch_size: int = 50,
        concurrency: int = 16,
        rng: random.Random | None = None,
    ) -> None:
        self._factory = session_factory
        self._bot = bot
        self._clock = clock
        self._batch_size = batch_size
        self._semaphore = asyncio.Semaphore(concurrency)
        self._rng = rng or random.Random()
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; a batch in flight is finished first."""
        while not stop.is_set():
            try:
                sent = await self.drain_once()
            except Exception:
                log.exception("delivery batch failed")
                sent = 0
            if sent:
                continue
            self._wakeup.clear()
            waiters = [
                asyncio.ensure_future(self._wakeup.wait()),
                asyncio.ensure_future(stop.wait()),
            ]
            await asyncio.wait(waiters, timeout=IDLE_POLL_S, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def drain_once(self) -> int:
        """Send one batch: the oldest due message of each chat, by priority. Returns its size."""
        now = self._clock.now()
        async with transaction(self._factory) as session:
            heads = (
                select(func.min(OutboxMessage.id))
                .where(OutboxMessage.status == "pending")
                .group_by(OutboxMessage.chat_id)
            )
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(heads), OutboxMessage.not_before <= now)
                    .order_by(OutboxMessage.priority, OutboxMessage.id)
                    .limit(self._batch_size)
                )
            ).all()
            jobs = [(row.id, row.method, await self._resolve(session, row)) for row in rows]
        if not jobs:
            return 0
        results = await asyncio.gather(*(self._send(*job) for job in jobs))
        await self._record(results)
        return len(results)

    async def _resolve(self, session: AsyncSession, row: OutboxMessage) -> dict[str, Any] | None:
        """Fill in message ids known only once an earlier copy was sent."""
        payload: dict[str, Any] = json.loads(row.payload)
        reply_relay = payload.pop(RESOLVE_REPLY_TO_RELAY, None)
        if reply_relay is not None:
            target = await session.get(RelayedMessage, reply_relay)
            if target is not None and target.dest_message_id is not None:
                payload["reply_parameters"] = {
                    "message_id": target.dest_message_id,
                    "allow_sending_without_reply": True,
                }
        edit_relay = payload.pop(RESOLVE_MESSAGE_ID_FROM_RELAY, None)
        if edit_relay is not None:
            target = await session.get(RelayedMessage, edit_relay)
            if target is None or target.dest_message_id is None:
                return None
            payload["message_id"] = target.dest_message_id
        return payload

    async def _send(self, row_id: int, method: str, payload: dict[str, Any] | None) -> _Result:
        if payload is None:
            return _Result(row_id, error="the message it refers to was never delivered")
        async with self._semaphore:
            try:
                result = await call_bot_api(self._bot, method, payload)
            except RetryAfter as exc:
                delay = exc.retry_after
                seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
                return _Result(row_id, error="429 retry after", retry_after_s=seconds)
            except Forbidden as exc:
                return _Result(row_id, error=f"forbidden: {exc.message}"[:300], forbidden=True)
            except BadRequest as exc:
                if "message is not modified" in exc.message:
                    return _Result(row_id)
                return _Result(row_id, error=f"bad request: {exc.message}"[:300])
            except (NetworkError, TelegramError) as exc:
                return _Result(
                    row_id, error=f"{type(exc).__name__}: {exc.message}"[:300], transient=True
                )
        message_id = getattr(result, "message_id", None)
        return _Result(row_id, message_id=message_id)

    async def _record(self, results: list[_Result]) -> None:
        now = self._clock.now()
        async with transaction(self._factory) as session:
            for result in results:
                row = await session.get(OutboxMessage, result.row_id)
                assert row is not None
                if result.error is None:
                    row.status = "sent"
                    row.sent_at = now
                    row.telegram_message_id = result.message_id
                    row.payload = "{}"  # nothing a person wrote stays behind once delivered
                    log.debug("outbox id=%s method=%s sent", row.id, row.method)
                    if row.relay_id is not None and result.message_id is not None:
                        await session.execute(
                            update(RelayedMessage)
                            .where(RelayedMessage.id == row.relay_id)
                            .values(dest_message_id=result.message_id)
                        )
                    continue
                row.last_error = result.error
                if result.retry_after_s is not None:
                    row.not_before = now + timedelta(seconds=result.retry_after_s)
                    log.warning("outbox id=%s rate limited for %ss", row.id, result.retry_after_s)
                elif result.transient and row.attempts + 1 < MAX_ATTEMPTS:
                    row.attempts += 1
                    delay = backoff_seconds(row.attempts, self._rng)
                    row.not_before = now + timedelta(seconds=delay)
                    log.warning(
                        "outbox id=%s attempt=%s failed, retry in %.1fs",
                        row.id,
                        row.attempts,
                        delay,
                    )
                else:
                    row.attempts += 1
                    await self._park(session, row)
                    if result.forbidden:
                        await self._mark_unreachable(session, row.chat_id)

    async def _park(self, session: AsyncSession, row: OutboxMessage) -> None:
        row.status = "dead"
        row.payload = "{}"
        log.error("outbox id=%s method=%s parked as dead", row.id, row.method)

    async def _mark_unreachable(self, session: AsyncSession, chat_id: int) -> None:
        """Someone blocked the bot: stop queueing for them until they /start again."""
        member_id = await session.scalar(select(Member.id).where(Member.chat_id == chat_id))
        await session.execute(
            update(Member).where(Member.chat_id == chat_id).values(reachable=False)
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending")
            .values(status="dead", last_error="recipient unreachable", payload="{}")
        )
        log.warning("member=%s is unreachable (bot blocked or account deleted)", member_id)
