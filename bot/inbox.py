"""The durable inbox: updates are stored and committed before Telegram is told we have them,
then processed one by one, each in one transaction with its effects and outbox rows.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.error import RetryAfter, TelegramError

from bot import texts
from bot.bot_api import BotApiClient, retry_after_seconds
from bot.clock import Clock
from bot.context import CURRENT_UNIT, BotApplication, UnitOfWork
from bot.delivery import DeliveryWorker
from bot.i18n import t, t_item
from bot.services.health import IntakeStatus
from bot.services.members import coordinator_ids
from bot.services.outbox import send_text
from storage.crypto import DecryptionError
from storage.db import transaction
from storage.models import INBOX, InboxUpdate

log = logging.getLogger(__name__)

BATCH_SIZE = 50
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "channel_post", "my_chat_member"]


# A failing handler pages the coordinators at most this often (the rest are counted).
FAILURE_PAGE_EVERY = timedelta(minutes=15)
BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 60.0


class _Rollback(Exception):
    pass


class IntakeBlocked(Exception):
    """Updates cannot be stored or processed now, through no fault of theirs (the database
    cannot be written, or stored data cannot be decrypted). They stay, and are retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def blocking_reason(exc: BaseException | None) -> str | None:
    """ "keys" or "storage" when `exc` (or what caused it) is no fault of the update."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, IntakeBlocked):
            return exc.reason
        if isinstance(exc, DecryptionError):
            return "keys"
        if isinstance(exc, sa_exc.OperationalError | sqlite3.OperationalError | OSError):
            return "storage"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


class Inbox:
    def __init__(
        self,
        application: BotApplication,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        delivery: DeliveryWorker,
        *,
        poll_timeout: int = 10,
    ) -> None:
        self._app = application
        self._factory = session_factory
        self._clock = clock
        self._delivery = delivery
        self._poll_timeout = poll_timeout
        self._lock = asyncio.Lock()
        self.status = IntakeStatus()
        self.backoff_first = BACKOFF_FIRST_S
        self.backoff_max = BACKOFF_MAX_S
        self._delay = BACKOFF_FIRST_S
        self._told = False  # the coordinators know about the current problem

    async def store(self, raw_updates: Iterable[dict[str, Any]]) -> None:
        """Commit raw updates; an update_id seen before is ignored."""
        rows = [
            {
                "update_id": int(raw["update_id"]),
                "payload": json.dumps(raw),
                "received_at": self._clock.now(),
                "failed": False,
            }
            for raw in raw_updates
            if isinstance(raw.get("update_id"), int)
        ]
        if not rows:
            return
        async with transaction(self._factory) as session:
            dialect = (await session.connection()).dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            await session.execute(
                insert(InboxUpdate).on_conflict_do_nothing(index_elements=["update_id"]), rows
            )

    async def next_offset(self) -> int | None:
        async with transaction(self._factory) as session:
            highest = await session.scalar(select(func.max(InboxUpdate.update_id)))
        return None if highest is None else int(highest) + 1

    async def process_pending(self, stop: asyncio.Event | None = None) -> int:
        """Process stored updates in order, a batch per transaction; returns the count.

        A batch commits its updates' effects, outbox rows and "processed" marks together. If
        one update in it fails, the batch is rolled back and its updates are processed one per
        transaction, so only the failing one is set aside. Stops between two updates once
        `stop` is set; the rest wait for the next start. Raises IntakeBlocked, leaving the
        update where it is, when it fails through no fault of its own (storage, keys).
        """
        done = 0
        async with self._lock:
            while stop is None or not stop.is_set():
                processed, retry = await self._process_batch(stop)
                for update_id in retry:
                    if stop is not None and stop.is_set():
                        break
                    await self._process_one(update_id)
                    processed += 1
                if not processed:
                    break
                done += processed
                self._delivery.wake()
        return done

    async def _process_batch(self, stop: asyncio.Event | None) -> tuple[int, list[int]]:
        """Returns how many updates were committed, and the ids to redo one by one."""
        update_ids: list[int] = []
        try:
            async with transaction(self._factory) as session:
                rows = (
                    await session.execute(
                        select(InboxUpdate.update_id, InboxUpdate.payload)
                        .where(InboxUpdate.processed_at.is_(None))
                        .order_by(InboxUpdate.update_id)
                        .limit(BATCH_SIZE)
                    )
                ).all()
                update_ids = [int(update_id) for update_id, _ in rows]
                unit = UnitOfWork(session)
                token = CURRENT_UNIT.set(unit)
                done: list[int] = []
                try:
                    for update_id, payload in rows:
                        if stop is not None and stop.is_set():
                            break
                        update = Update.de_json(json.loads(payload), self._app.bot)
                        await self._app.process_update(update)
                        if unit.failed:
                            raise _Rollback
                        done.append(int(update_id))
                finally:
                    CURRENT_UNIT.reset(token)
                if done:
                    await session.execute(
                        sql_update(INBOX)
                        .where(INBOX.c.update_id.in_(done))
                        # The update's content has served its purpose: don't keep it.
                        .values(processed_at=self._clock.now(), payload="{}")
                    )
                    log.debug("updates=%s processed", ",".join(map(str, done)))
                return len(done), []
        except _Rollback:
            return 0, update_ids
        except Exception as exc:
            if not update_ids and blocking_reason(exc) is not None:
                raise IntakeBlocked(str(blocking_reason(exc))) from exc
            log.error("inbox batch failed; processing its updates one by one", exc_info=exc)
            return 0, update_ids

    async def _process_one(self, update_id: int) -> None:
        unit: UnitOfWork | None = None
        try:
            async with transaction(self._factory) as session:
                row = await session.get(InboxUpdate, update_id)
                if row is None or row.processed_at is not None:
                    return
                unit = UnitOfWork(session)
                token = CURRENT_UNIT.set(unit)
                try:
                    update = Update.de_json(json.loads(row.payload), self._app.bot)
                    await self._app.process_update(update)
                finally:
                    CURRENT_UNIT.reset(token)
                if unit.failed:
                    raise _Rollback
                row.processed_at = self._clock.now()
                row.payload = "{}"  # the text has served its purpose; don't keep it
            log.debug("update=%s processed", update_id)
        except Exception as exc:
            cause = unit.error if isinstance(exc, _Rollback) and unit is not None else exc
            reason = blocking_reason(cause)
            if reason is not None:
                # Not the update's fault: keep it as it is, to be processed once that is fixed.
                log.warning("update=%s waits: %s (%s)", update_id, reason, type(cause).__name__)
                raise IntakeBlocked(reason) from exc
            if not isinstance(exc, _Rollback):
                log.error("update=%s could not be processed", update_id, exc_info=exc)
            await self._mark_failed(update_id)

    async def _mark_failed(self, update_id: int) -> None:
        """Set a failed update aside (never retried forever) and tell the people involved.

        The coordinators are paged at most once per FAILURE_PAGE_EVERY, with a count of the
        failures since the last page: whoever can make a handler fail cannot page staff at will.
        """
        now = self._clock.now()
        status = self.status
        page = status.last_page_at is None or now - status.last_page_at >= FAILURE_PAGE_EVERY
        async with transaction(self._factory) as session:
            row = await session.get(InboxUpdate, update_id)
            if row is None:
                return
            chat_id = _chat_id_of(row.payload)
            row.processed_at = now
            row.failed = True
            row.payload = "{}"
            if chat_id is not None and chat_id > 0:
                await send_text(session, chat_id, t(texts.SOMETHING_BROKE), now=now)
            if page:
                text = t(
                    texts.BOT_ERRORS_FOR_COORDINATORS,
                    ref=f"update {update_id}",
                    count=status.failed_not_paged + 1,
                )
                for coordinator in await coordinator_ids(session):
                    await send_text(session, coordinator, text, now=now)
        # Committed: count it.
        status.failed_since_start += 1
        if page:
            status.last_page_at = now
            status.failed_not_paged = 0
        else:
            status.failed_not_paged += 1
            log.warning(
                "update=%s set aside; coordinators not paged (%s since the last page)",
                update_id,
                status.failed_not_paged,
            )

    async def drain(self, stop: asyncio.Event | None = None) -> bool:
        """Process what is stored, surviving any error: False when something blocks it (the
        update stays, the caller waits `backoff()` and calls again)."""
        try:
            await self.process_pending(stop)
        except Exception as exc:
            await self.blocked(exc)
            return False
        await self.unblocked()
        return True

    async def blocked(self, exc: BaseException) -> None:
        """Note that updates cannot be stored or processed; tell the coordinators once."""
        reason = blocking_reason(exc) or "error"
        if reason == "error":
            log.error("inbox processing failed", exc_info=exc)
        else:
            log.warning("inbox blocked: %s (%s)", reason, type(exc).__name__)
        now = self._clock.now()
        if self.status.problem is None:
            self.status.problem_since = now
        self.status.problem = reason
        if self._told:
            return
        try:
            async with transaction(self._factory) as session:
                text = t(
                    texts.INTAKE_BLOCKED_FOR_COORDINATORS,
                    reason=t_item(texts.INTAKE_REASONS, reason),
                )
                for coordinator in await coordinator_ids(session):
                    await send_text(session, coordinator, text, now=now)
        except Exception as notice_error:
            log.warning("could not tell the coordinators (%s)", type(notice_error).__name__)
            return
        self._told = True
        self._delivery.wake()

    async def unblocked(self) -> None:
        """Updates flow again: reset the backoff and say so once, if they did not."""
        self._delay = self.backoff_first
        status = self.status
        if status.problem is None or status.problem_since is None:
            return
        now = self._clock.now()
        reason, since = status.problem, status.problem_since
        try:
            async with transaction(self._factory) as session:
                text = t(
                    texts.INTAKE_RESUMED_FOR_COORDINATORS,
                    start=since.strftime("%Y-%m-%d %H:%M"),
                    end=now.strftime("%Y-%m-%d %H:%M"),
                    reason=t_item(texts.INTAKE_REASONS, reason),
                )
                for coordinator in await coordinator_ids(session):
                    await send_text(session, coordinator, text, now=now)
        except Exception as exc:
            log.warning("could not tell the coordinators (%s)", type(exc).__name__)
            return  # said at the next successful round
        log.info("inbox unblocked after %s", reason)
        status.problem = status.problem_since = None
        status.last_outage = (reason, since, now)
        self._told = False
        self._delivery.wake()

    async def backoff(self, stop: asyncio.Event) -> None:
        """Wait before retrying after a problem: 1 s, 2 s, 4 s … at most `backoff_max`,
        or until `stop`."""
        delay = min(self._delay, self.backoff_max)
        self._delay = min(self._delay * 2, self.backoff_max)
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except TimeoutError:
            pass

    async def poll(self, stop: asyncio.Event) -> None:
        """Long-poll getUpdates until `stop`; confirm an update only after it is committed.

        Raw JSON is fetched with the plain Bot API client: PTB's get_updates parses (and on a
        parse error logs the raw data, message text included) before we could store it.
        """
        api = BotApiClient(self._app.bot.base_url, connections=1)
        stopping = asyncio.ensure_future(stop.wait())
        waiting = True  # stored updates to process: at start, what a crash left behind
        offset: int | None = None
        known = False  # whether `offset` was read from the inbox
        try:
            while not stop.is_set():
                # Storage or keys may fail at any step: nothing is confirmed that is not
                # stored, nothing is set aside for it, and the loop goes on after a pause.
                if waiting:
                    waiting = not await self.drain(stop)
                if not known:
                    try:
                        offset, known = await self.next_offset(), True
                    except Exception as exc:
                        await self.blocked(exc)  # without an offset, nothing is confirmed
                        waiting = True
                if waiting or not known:
                    await self.backoff(stop)
                    if stop.is_set():
                        break
                body: dict[str, Any] = {
                    "timeout": self._poll_timeout,
                    "allowed_updates": ALLOWED_UPDATES,
                }
                if offset is not None:
                    body["offset"] = offset
                fetch = asyncio.ensure_future(
                    api.call("getUpdates", body, read_timeout=self._poll_timeout + 10)
                )
                # Only the long poll is abandoned on stop, never an update being processed.
                await asyncio.wait([fetch, stopping], return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():
                    fetch.cancel()
                    break
                try:
                    updates = _updates_in(fetch.result())
                except RetryAfter as exc:
                    log.warning("getUpdates rate limited")
                    await asyncio.sleep(retry_after_seconds(exc))
                    continue
                except TelegramError as exc:
                    log.warning("getUpdates failed: %s", type(exc).__name__)
                    await asyncio.sleep(1.0)
                    continue
                if not updates:
                    continue
                try:
                    await self.store(updates)
                except Exception as exc:
                    # Not committed, so not confirmed: the same updates come again.
                    await self.blocked(exc)
                    waiting = True
                    continue
                offset = max(int(u["update_id"]) for u in updates) + 1
                waiting = True
        finally:
            stopping.cancel()
            await api.close()


def _updates_in(result: object) -> list[dict[str, Any]]:
    if not isinstance(result, list):
        return []
    return [u for u in result if isinstance(u, dict) and isinstance(u.get("update_id"), int)]


def _chat_id_of(payload: str) -> int | None:
    try:
        raw = json.loads(payload)
    except ValueError:
        return None
    for key in ("message", "edited_message"):
        if isinstance(raw.get(key), dict):
            chat = raw[key].get("chat", {})
            return chat.get("id") if isinstance(chat.get("id"), int) else None
    query = raw.get("callback_query")
    if isinstance(query, dict) and isinstance(query.get("from", {}).get("id"), int):
        return int(query["from"]["id"])
    return None
