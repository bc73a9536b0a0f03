"""The delivery worker: sends what the outbox holds, in order per chat, highest priority first.

A row is marked sent (with Telegram's message id) only after Telegram accepted it, so a crash
between the two can repeat that one message but never lose one.

Several workers can share one database (PostgreSQL): a worker claims a row before sending it
(claimed_by, lease_until), and takes a chat's next row only when no row of that chat is under
a live claim, so each message is sent by one worker and a chat's messages go in order. Claims
take turns through the lock on the shared rate bucket (see `bot.ratelimit`). A worker that
dies loses its claims when their lease runs out, and another sends those rows: the one case
where a message Telegram had already accepted is sent again.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    MessageEntity,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.bot_api import BotApiClient, retry_after_seconds
from bot.clock import Clock
from bot.ratelimit import Limits, SharedRateLimiter
from bot.services.desk import thread_id_for, thread_unusable, topic_created, topic_not_created
from bot.services.escalation import card_delivered, card_undeliverable
from bot.services.outbox import (
    CARD_RECEIPT,
    MENU_METHODS,
    RESOLVE_MESSAGE_ID_FROM_RELAY,
    RESOLVE_REPLY_TO_RELAY,
    RESOLVE_THREAD_OF_MEMBER,
    THREAD_RETRIED,
    TOPIC_RECEIPT,
    Priority,
)
from bot.services.reachability import mark_unreachable
from bot.services.relay import report_undeliverable
from storage.db import transaction
from storage.models import OUTBOX, RELAYED, OutboxMessage, RelayedMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Sends in flight at once: plenty for Telegram's 30/s at real-world latencies.
MAX_IN_FLIGHT = 32
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 300.0
IDLE_POLL_S = 1.0
DEFAULT_LEASE_S = 60.0
# While Telegram rejects the token: getMe, at these growing intervals, until it works again.
TOKEN_PROBE_FIRST_S = 1.0
TOKEN_PROBE_CAP_S = 60.0


@dataclass
class _Result:
    row_id: int
    relay_id: int | None = None
    message_id: int | None = None
    error: str | None = None
    retry_after_s: float | None = None
    transient: bool = False
    forbidden: bool = False
    unauthorized: bool = False  # 401: the bot's token was revoked, not this message's fault
    receipt: dict[str, Any] | None = None  # an escalation card's (see outbox.CARD_RECEIPT)
    chat_id: int | None = None
    topic_for: int | None = None  # a createForumTopic's member (see outbox.TOPIC_RECEIPT)
    thread_id: int | None = None  # the topic Telegram created
    used_thread: int | None = None  # the topic a message was sent to


_UPLOAD_KEYS = frozenset({"photo_bytes", "document_bytes"})
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


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def backoff_seconds(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter, capped."""
    return float(rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))))


class DeliveryWorker:
    """Drains the outbox. One worker per database; it is the only sender.

    One loop does all database work: it records finished sends, then claims more. A chat with a
    message in flight gets no other until that one is recorded, so order per chat holds.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        api: BotApiClient | None = None,
        *,
        limits: Limits | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        candidates: int = 500,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        worker_id: str = "worker",
        lease_s: float = DEFAULT_LEASE_S,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._factory = session_factory
        self._bot = bot
        self._api = api or BotApiClient(bot.base_url, connections=max_in_flight)
        self._clock = clock
        self._limiter = SharedRateLimiter(limits or Limits(), wall)
        self.worker_id = worker_id[:64]
        self._lease = timedelta(seconds=lease_s)
        # Claims and their leases are about real time, whatever the program's clock.
        self._wall = wall
        self._wait_s = 0.0  # until the shared bucket has a token again (last claim's view)
        self._paused_until = 0.0  # a 429 seen by this worker (wall clock), until recorded
        self._max_in_flight = max_in_flight
        self._candidates = candidates
        self._rng = rng or random.Random()
        self._monotonic = monotonic
        self._wakeup = asyncio.Event()
        # Set when Telegram answers 401: nothing is sent until a getMe probe succeeds.
        self.token_rejected_since: datetime | None = None
        self._probe_at = 0.0
        self._probe_interval = TOKEN_PROBE_FIRST_S
        self._in_flight: dict[str, asyncio.Task[_Result]] = {}  # chat key -> send
        self._done: list[tuple[str, _Result]] = []

    def wake(self) -> None:
        self._wakeup.set()

    async def release_all_claims(self) -> int:
        """Free every claim (SQLite: this is the only worker, its predecessor is gone)."""
        async with transaction(self._factory) as session:
            result = await session.execute(
                update(OUTBOX).where(OUTBOX.c.lease_until.is_not(None)).values(lease_until=None)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def release_own_claims(self) -> int:
        """Free the claims made under this worker's id by an earlier run of it (WORKER_ID)."""
        async with transaction(self._factory) as session:
            result = await session.execute(
                update(OUTBOX)
                .where(
                    OUTBOX.c.status == "pending",
                    OUTBOX.c.claimed_by == self.worker_id,
                    OUTBOX.c.lease_until.is_not(None),
                )
                .values(lease_until=None)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def _locally_paused(self) -> bool:
        return self._wall() < self._paused_until

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def run(self, stop: asyncio.Event, grace_s: float = 10.0) -> None:
        """Send until `stop` is set, then let sends in flight finish (at most `grace_s`)."""
        while not stop.is_set():
            try:
                await self._record_done()
                started = await self._dispatch()
            except Exception:
                log.exception("delivery round failed")
                started = 0
            if started and len(self._in_flight) < self._max_in_flight:
                continue
            self._wakeup.clear()
            await self._sleep(stop)
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()), timeout=grace_s)
        try:
            await self._record_done()
        finally:
            for task in self._in_flight.values():
                task.cancel()

    async def _sleep(self, stop: asyncio.Event) -> None:
        timeout = IDLE_POLL_S
        wait = max(self._wait_s, self._paused_until - self._wall())
        if wait > 0:
            timeout = min(timeout, wait + 0.001)
        elif self._pending_hint:
            timeout = 0.02  # messages wait only for their chat's rate limit
        waiters: list[asyncio.Future[Any]] = [
            asyncio.ensure_future(self._wakeup.wait()),
            asyncio.ensure_future(stop.wait()),
        ]
        waiters += [asyncio.ensure_future(asyncio.shield(t)) for t in self._in_flight.values()]
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def drain_once(self) -> int:
        """Start one round of sends and wait for them to be recorded. Returns how many."""
        started = await self._dispatch()
        if self._in_flight:
            await asyncio.wait(list(self._in_flight.values()))
        await self._record_done()
        return started

    _pending_hint = False

    async def _dispatch(self) -> int:
        """Claim the next messages the limits allow (one per chat) and start sending them."""
        if self.token_rejected_since is not None and not await self._token_works_again():
            self._pending_hint = False
            return 0
        room = self._max_in_flight - len(self._in_flight)
        if room <= 0 or self._locally_paused():
            return 0
        now = self._clock.now()
        async with transaction(self._factory) as session:
            # Locks the shared bucket: claims by other workers wait until this one commits,
            # and then see its claims.
            budget = await self._limiter.open(session)
            self._wait_s = budget.wait_s()
            if not budget.global_available():
                return 0
            lease_now = datetime.fromtimestamp(budget.now, UTC)
            pending = OUTBOX.c.status == "pending"
            # A chat with a message under a live claim (this worker's or another's) waits
            # until that one is recorded: order per chat.
            claimed_chats = select(OUTBOX.c.chat_key).where(
                pending, OUTBOX.c.lease_until > lease_now, OUTBOX.c.chat_key.is_not(None)
            )
            heads = select(func.min(OUTBOX.c.id)).where(pending).group_by(OUTBOX.c.chat_key)
            # Escalations jump the queue of their chat; everything else keeps chat order.
            urgent = (
                select(func.min(OUTBOX.c.id))
                .where(pending, OUTBOX.c.priority == int(Priority.ESCALATION))
                .group_by(OUTBOX.c.chat_key)
            )
            # Candidates without their payloads: only the chosen few are read and decrypted.
            rows = (
                await session.execute(
                    select(OUTBOX.c.id, OUTBOX.c.chat_key, OUTBOX.c.is_group)
                    .where(
                        or_(OUTBOX.c.id.in_(heads), OUTBOX.c.id.in_(urgent)),
                        or_(OUTBOX.c.not_before.is_(None), OUTBOX.c.not_before <= now),
                        OUTBOX.c.chat_key.not_in(claimed_chats),
                    )
                    .order_by(OUTBOX.c.priority, OUTBOX.c.id)
                    .limit(self._candidates)
                )
            ).all()
            rows = [r for r in rows if r.chat_key not in self._in_flight]
            await budget.load_chats(session, {r.chat_key: bool(r.is_group) for r in rows})
            chosen: dict[int, str] = {}  # row id -> chat key
            seen: set[str] = set()
            for row_id, chat_key, _is_group in rows:
                if len(chosen) >= room or not budget.global_available():
                    break
                if chat_key in seen:
                    continue
                seen.add(chat_key)
                if budget.can_send(chat_key):
                    budget.take(chat_key)
                    chosen[row_id] = chat_key
            self._pending_hint = len(rows) > len(chosen)
            jobs = []
            if chosen:
                # Rows another transaction holds (an erasure deleting them) are left alone.
                claimed = {
                    row.id: row
                    for row in await session.execute(
                        select(OUTBOX.c.id, OUTBOX.c.relay_id, OUTBOX.c.method, OUTBOX.c.payload)
                        .where(OUTBOX.c.id.in_(list(chosen)), pending)
                        .with_for_update(skip_locked=True)
                    )
                }
                await session.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id.in_(list(claimed)))
                    .values(claimed_by=self.worker_id, lease_until=lease_now + self._lease)
                )
                for row_id, chat_key in chosen.items():  # in priority order
                    if row_id not in claimed:
                        continue
                    row = claimed[row_id]
                    payload = await self._resolve(session, row.payload)
                    receipt = payload.pop(CARD_RECEIPT, None) if payload is not None else None
                    topic = payload.pop(TOPIC_RECEIPT, None) if payload is not None else None
                    jobs.append(
                        (chat_key, row_id, row.relay_id, row.method, payload, receipt, topic)
                    )
            await budget.save(session)
            self._wait_s = budget.wait_s()
        for chat_key, row_id, relay_id, method, payload, receipt, topic in jobs:
            task = asyncio.create_task(
                self._send(row_id, relay_id, method, payload, receipt, topic)
            )
            self._in_flight[chat_key] = task
            task.add_done_callback(functools.partial(self._finished, chat_key))
        return len(jobs)

    def _token_rejected(self, now: datetime) -> None:
        if self.token_rejected_since is None:
            self.token_rejected_since = now
            self._probe_interval = TOKEN_PROBE_FIRST_S
            self._probe_at = self._monotonic() + self._probe_interval
            log.error(
                "Telegram rejected the bot token (401): sending paused, every message kept; "
                "resuming by itself when the token works again"
            )

    async def _token_works_again(self) -> bool:
        """Probe with getMe when due (growing intervals); resume sending if it is accepted."""
        if self._monotonic() < self._probe_at:
            return False
        try:
            await self._api.call("getMe", {})
        except InvalidToken:
            self._probe_interval = min(TOKEN_PROBE_CAP_S, self._probe_interval * 2)
            self._probe_at = self._monotonic() + self._probe_interval
            log.warning("bot token still rejected; next check in %.0fs", self._probe_interval)
            return False
        except TelegramError as exc:  # Telegram unreachable: ask again soon, unchanged
            self._probe_at = self._monotonic() + self._probe_interval
            log.warning("could not check the bot token (%s)", type(exc).__name__)
            return False
        log.warning("Telegram accepts the bot token again: sending resumes")
        self.token_rejected_since = None
        return True

    def _finished(self, chat_key: str, task: asyncio.Task[_Result]) -> None:
        if task.cancelled():
            return
        self._done.append((chat_key, task.result()))
        self._wakeup.set()

    async def _record_done(self) -> None:
        if not self._done:
            return
        done, self._done = self._done, []
        try:
            await self._record([result for _, result in done])
        except Exception:
            self._done = done + self._done
            raise
        for chat_key, _ in done:
            self._in_flight.pop(chat_key, None)

    async def _resolve(self, session: AsyncSession, stored: str) -> dict[str, Any] | None:
        """Fill in message ids known only once an earlier copy was sent."""
        payload: dict[str, Any] = json.loads(stored)
        reply_relay = payload.pop(RESOLVE_REPLY_TO_RELAY, None)
        if reply_relay is not None:
            target = await session.get(RelayedMessage, reply_relay)
            if target is not None and target.dest_message_id is not None:
                payload["reply_parameters"] = {
                    "message_id": target.dest_message_id,
                    "allow_sending_without_reply": True,
                }
        if RESOLVE_THREAD_OF_MEMBER in payload:
            thread = await thread_id_for(session, payload)
            del payload[RESOLVE_THREAD_OF_MEMBER]
            payload.pop(THREAD_RETRIED, None)
            if thread is not None:
                payload["message_thread_id"] = thread
        edit_relay = payload.pop(RESOLVE_MESSAGE_ID_FROM_RELAY, None)
        if edit_relay is not None:
            target = await session.get(RelayedMessage, edit_relay)
            if target is None or target.dest_message_id is None:
                return None
            payload["message_id"] = target.dest_message_id
        return payload

    async def _send(
        self,
        row_id: int,
        relay_id: int | None,
        method: str,
        payload: dict[str, Any] | None,
        receipt: dict[str, Any] | None,
        topic: int | None = None,
    ) -> _Result:
        result = await self._call(row_id, method, payload)
        result.relay_id = relay_id
        if payload is not None:
            result.chat_id = _int_or_none(payload.get("chat_id"))  # menus have a scope instead
            result.used_thread = _int_or_none(payload.get("message_thread_id"))
        if receipt is not None and payload is not None:
            result.receipt = receipt
        result.topic_for = topic
        return result

    async def _call(self, row_id: int, method: str, payload: dict[str, Any] | None) -> _Result:
        if payload is None:
            return _Result(row_id, error="the message it refers to was never delivered")
        try:
            if _UPLOAD_KEYS.isdisjoint(payload):
                result = await self._api.call(method, payload)
            else:
                result = await call_bot_api(self._bot, method, payload)
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            # Paused here at once; for every worker once the result is recorded.
            self._paused_until = max(self._paused_until, self._wall() + seconds)
            return _Result(row_id, error="429 retry after", retry_after_s=seconds)
        except Forbidden as exc:
            return _Result(row_id, error=f"forbidden: {exc.message}"[:300], forbidden=True)
        except InvalidToken:
            return _Result(row_id, error="401 unauthorized: bot token rejected", unauthorized=True)
        except ChatMigrated as exc:
            # Not a network error: every retry gets the same answer. Parked at once (a card
            # then falls back to the coordinators), saying what to change.
            return _Result(
                row_id,
                error=(
                    "bad request: the group was upgraded to a supergroup; its new id is "
                    f"{exc.new_chat_id} (set COORDINATOR_CHAT_ID to it)"
                ),
            )
        except BadRequest as exc:
            # PTB strips "Bad Request: " and capitalises ("Message is not modified: ...").
            if "message is not modified" in exc.message.lower():
                return _Result(row_id)
            if "topic_not_modified" in exc.message.lower():  # reopened by staff meanwhile
                return _Result(row_id)
            return _Result(row_id, error=f"bad request: {exc.message}"[:300])
        except TelegramError as exc:  # NetworkError, TimedOut, 5xx and the like
            return _Result(
                row_id, error=f"{type(exc).__name__}: {exc.message}"[:300], transient=True
            )
        except Exception as exc:
            log.error("outbox id=%s send failed unexpectedly", row_id, exc_info=exc)
            return _Result(row_id, error=f"unexpected {type(exc).__name__}", transient=True)
        if isinstance(result, dict):
            message_id = result.get("message_id")
            thread_id = _int_or_none(result.get("message_thread_id"))
        else:
            message_id = getattr(result, "message_id", None)
            thread_id = None
        return _Result(
            row_id,
            message_id=message_id if isinstance(message_id, int) else None,
            thread_id=thread_id,
        )

    async def close(self) -> None:
        await self._api.close()

    async def _record(self, results: list[_Result]) -> None:
        now = self._clock.now()
        sent = [r for r in results if r.error is None]
        failed = [r for r in results if r.error is not None]
        async with transaction(self._factory) as session:
            if sent:
                # The common case, in two statements however many rows.
                await session.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == bindparam("row_id"))
                    .values(
                        status="sent",
                        sent_at=now,
                        lease_until=None,
                        payload="{}",
                        telegram_message_id=bindparam("message_id"),
                        # A person's chat key is not kept once sent (only pending rows need
                        # it, for order); a group's says which staff chat works (/health).
                        chat_key=case((OUTBOX.c.is_group, OUTBOX.c.chat_key), else_=None),
                    ),
                    [{"row_id": r.row_id, "message_id": r.message_id} for r in sent],
                )
                copies = [r for r in sent if r.relay_id is not None and r.message_id is not None]
                if copies:
                    await session.execute(
                        update(RELAYED)
                        .where(RELAYED.c.id == bindparam("relay"))
                        .values(dest_message_id=bindparam("message_id")),
                        [{"relay": r.relay_id, "message_id": r.message_id} for r in copies],
                    )
                for r in sent:
                    log.debug("outbox id=%s sent", r.row_id)
                    if r.receipt is not None and r.chat_id is not None:
                        await card_delivered(
                            session,
                            receipt=r.receipt,
                            chat_id=r.chat_id,
                            now=now,
                            message_id=r.message_id,
                        )
                    if r.topic_for is not None and r.chat_id is not None and r.thread_id:
                        await topic_created(
                            session,
                            member_id=r.topic_for,
                            chat_id=r.chat_id,
                            thread_id=r.thread_id,
                        )
            if any(r.unauthorized for r in failed):
                self._token_rejected(now)
            pauses = [r.retry_after_s for r in failed if r.retry_after_s is not None]
            if pauses:
                await self._limiter.pause_for(session, max(pauses))
            for result in failed:
                row = await session.get(OutboxMessage, result.row_id)
                if row is None:  # cancelled while in flight (its member was erased)
                    continue
                if row.status != "pending" or row.claimed_by != self.worker_id:
                    # Our lease ran out and another worker took the row: its result counts.
                    continue
                row.lease_until = None
                row.last_error = result.error
                final = (
                    not result.unauthorized
                    and result.retry_after_s is None
                    and not (result.transient and row.attempts + 1 < MAX_ATTEMPTS)
                )
                if final and result.topic_for is not None:
                    await topic_not_created(session, member_id=result.topic_for)
                if final and not result.transient:
                    if await thread_unusable(
                        session,
                        row=row,
                        error=result.error or "",
                        used=result.used_thread,
                        now=now,
                    ):
                        continue  # queued again, for a topic recreated or reopened
                if result.unauthorized:
                    continue  # stays pending, attempts untouched: sent once the token works
                if row.method in MENU_METHODS and not self._will_retry(row, result):
                    # A command menu is cosmetic: refused, it is dropped, never parked as
                    # undeliverable nor taken as a sign that the person blocked the bot.
                    log.warning(
                        "outbox id=%s method=%s refused (%s); command menu left as it was",
                        row.id,
                        row.method,
                        (result.error or "").split(":", 1)[0],
                    )
                    await session.delete(row)
                    continue
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
                elif result.forbidden:
                    row.attempts += 1
                    assert row.chat_key is not None  # pending rows keep theirs
                    # Cards among what waited for this chat fall back (escalation service).
                    await mark_unreachable(session, chat_key=row.chat_key, failed_row=row, now=now)
                else:
                    row.attempts += 1
                    await self._park(session, row)
                    if row.relay_id is not None and row.method == "copyMessage":
                        await report_undeliverable(session, relay_id=row.relay_id, now=now)
                    await self._card_failed(session, result, result.error or "", now)

    @staticmethod
    def _will_retry(row: OutboxMessage, result: _Result) -> bool:
        """Whether a failed send is tried again (a 429, or a transient error with attempts
        left)."""
        return result.retry_after_s is not None or (
            result.transient and row.attempts + 1 < MAX_ATTEMPTS
        )

    async def _card_failed(
        self, session: AsyncSession, result: _Result, reason: str, now: datetime
    ) -> None:
        if result.receipt is not None and result.chat_id is not None:
            await card_undeliverable(
                session, receipt=result.receipt, chat_id=result.chat_id, reason=reason, now=now
            )

    async def _park(self, session: AsyncSession, row: OutboxMessage) -> None:
        row.status = "dead"
        row.payload = "{}"
        log.error("outbox id=%s method=%s parked as dead", row.id, row.method)
