"""Building the Application and running the bot: intake, processing and delivery."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes

from bot.clock import Clock, SystemClock
from bot.config import (
    ConfigError,
    Settings,
    StartupError,
    data_cipher,
    limits_from,
    webhook_settings,
)
from bot.context import BotApplication, BotContext, BotData, Services
from bot.delivery import MAX_IN_FLIGHT, DeliveryWorker
from bot.inbox import ALLOWED_UPDATES, Inbox
from bot.logs import quiet_noisy_loggers
from bot.preflight import NO_COORDINATOR, check_database_writable, reach_telegram
from bot.services import checkins, concerns, escalation, menus, oncall, reports, retention
from bot.services.escalation import EscalationPolicy
from bot.services.flood import FloodGate
from bot.services.members import coordinator_ids, seed_coordinators
from bot.webhook import WebhookServer
from handlers import register_all
from storage import crypto, migrate
from storage.db import (
    DatabaseLock,
    checkpoint_wal,
    create_engine,
    create_session_factory,
    readable_by_others,
    transaction,
)
from storage.keycheck import KeyMismatch, verify_keys
from storage.models import InboxUpdate, OutboxMessage

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 10.0
CHECKIN_BATCH = 100
ESCALATION_TICK_S = 15.0


def build_application(settings: Settings, token: str) -> BotApplication:
    """The only place an Application is built. Updates are fetched by `Inbox`, not an Updater."""
    context_types = ContextTypes(context=BotContext, bot_data=BotData)
    base = settings.telegram_api_base_url.rstrip("/")
    app: BotApplication = (
        ApplicationBuilder()
        .token(token)
        .base_url(base)
        .base_file_url(base.replace("/bot", "/file/bot") if base.endswith("/bot") else base)
        .context_types(context_types)
        .updater(None)
        # Connections for the delivery worker's sends in flight and a few more; httpcore
        # checks every pooled connection on each request, so a big pool costs CPU per message.
        .connection_pool_size(MAX_IN_FLIGHT + 4)
        .build()
    )
    register_all(app)
    return app


class BotRuntime:
    """Everything the running bot owns, started and stopped in order."""

    def __init__(
        self,
        settings: Settings,
        token: str,
        *,
        clock: Clock | None = None,
        delivery_clock: Clock | None = None,
        poll_timeout: int = 10,
        webhook: bool = False,
    ) -> None:
        self.settings = settings
        # Before anything touches the database: refuses to go on without keys (ConfigError).
        crypto.configure(data_cipher(settings))
        # Then what else would stop it later, each with one line: crisis resources to show
        # someone in danger, a database it can write.
        self.escalation_policy = EscalationPolicy.from_settings(settings)
        check_database_writable(settings)
        self.clock = clock or SystemClock()
        self.engine: AsyncEngine = create_engine(settings.database_url)
        self.session_factory: async_sessionmaker[AsyncSession] = create_session_factory(
            self.engine, default_language=settings.default_language
        )
        self.app = build_application(settings, token)
        # Backoff and rate limits are about real time at Telegram, whatever the program's clock
        # (tests of delayed sends give it a clock of their own).
        self.delivery = DeliveryWorker(
            self.session_factory,
            self.app.bot,
            delivery_clock or SystemClock(),
            limits=limits_from(settings),
        )
        self.inbox = Inbox(
            self.app, self.session_factory, self.clock, self.delivery, poll_timeout=poll_timeout
        )
        self.app.bot_data.services_ = Services(
            settings=settings,
            clock=self.clock,
            session_factory=self.session_factory,
            delivery=self.delivery,
            escalations=self.escalation_policy,
            flood=FloodGate(settings.flood_messages_per_minute),
            intake=self.inbox.status,
        )
        self.checkin_policy = checkins.CheckInPolicy.from_settings(settings)
        self._checkin_lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._stopped = False
        self._tasks: list[asyncio.Task[Any]] = []
        self._db_lock = DatabaseLock(settings.database_url)
        self.webhook: WebhookServer | None = None
        if webhook:
            url, secret = webhook_settings(settings)
            self._webhook_url = url
            self.webhook = WebhookServer(
                self.inbox,
                secret=secret,
                path=urlsplit(url).path or "/",
                host=settings.webhook_listen,
                port=settings.webhook_port,
            )

    async def start(self) -> None:
        """Start everything; StartupError (one line naming the cause and the fix) when it
        cannot: the database is in use or cannot be opened, the keys are not the ones it was
        written with, there is no coordinator, Telegram refuses the token or cannot be reached.
        """
        quiet_noisy_loggers()
        # Held until the process ends: one bot per SQLite database (two would both send every
        # queued message), and `rotate-keys` refuses to run under a running bot.
        if not self._db_lock.acquire(exclusive=True):
            raise ConfigError(
                "DATABASE_URL: another bot, or `python -m bot rotate-keys`, is using this "
                "database; run one bot per SQLite database (stop the other one first)"
            )
        try:
            await self._open_database()
            # getMe: a refused token or an unreachable Telegram stops start-up here, in one line.
            await reach_telegram(self.app.bot, self.settings)
            try:
                await self.app.initialize()
            except TelegramError as exc:  # PTB's own text of InvalidToken holds the token
                raise StartupError(
                    f"Telegram failed while the bot started ({type(exc).__name__}); "
                    "start it again, and run `python -m bot doctor` if it happens again"
                ) from None
        except BaseException:
            await self._abandon_start()
            raise
        await self._start_running()

    async def _open_database(self) -> None:
        try:
            await self._bring_schema_up_to_date()
            async with transaction(self.session_factory) as session:
                await verify_keys(session, crypto.active(), self.clock.now())
        except KeyMismatch as exc:
            raise ConfigError(str(exc)) from None
        except (OSError, SQLAlchemyError) as exc:
            # The message of a driver error can carry SQL parameters or a password: only its
            # kind is named.
            raise StartupError(
                f"DATABASE_URL: the database cannot be opened or updated "
                f"({type(getattr(exc, 'orig', None) or exc).__name__}); check that its server "
                "is up and its disk not full, and run `python -m bot doctor`"
            ) from None
        wider = readable_by_others(self.settings.database_url)
        if wider:
            log.warning(
                "database files readable by others than their owner (want 700/600): %s",
                ", ".join(wider),
            )
        async with transaction(self.session_factory) as session:
            await seed_coordinators(session, self.settings.coordinator_ids, self.clock.now())
            staff = await coordinator_ids(session)
            await menus.set_startup_menus(session, coordinators=staff, now=self.clock.now())
        if not staff:
            if not self.settings.allow_no_coordinator:
                raise ConfigError(NO_COORDINATOR)
            log.warning(
                "no coordinator: alarms reach nobody; set COORDINATOR_IDS and restart "
                "(ALLOW_NO_COORDINATOR=1 is only for learning your id with /id)"
            )

    async def _abandon_start(self) -> None:
        """Undo what a failed start took: the lock, the connections."""
        await self.app.shutdown()
        await self.app.bot.shutdown()
        await self.app.bot.request.shutdown()  # used by getMe before the bot was initialized
        await self.engine.dispose()
        self._db_lock.release()

    async def _start_running(self) -> None:
        await self._use_forum_topics()
        await self.app.start()
        job_queue = self.app.job_queue
        assert job_queue is not None  # the job-queue extra is a dependency
        # One recurring job claims whatever check-ins are due; schedules live in the database.
        job_queue.run_repeating(
            self._checkin_tick,
            interval=self.settings.checkin_tick_seconds,
            first=0.05,
            name="checkins",
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
        job_queue.run_repeating(
            self._retention_tick,
            interval=timedelta(days=1),
            first=timedelta(minutes=1),
            name="retention",
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
        # The weekly digest: which weeks went out is in the database, so it goes once a week.
        job_queue.run_repeating(
            self._digest_tick,
            interval=timedelta(minutes=15),
            first=timedelta(minutes=1),
            name="weekly-digest",
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
        # Escalation reminders: their due times live in the database, so they survive restarts.
        job_queue.run_repeating(
            self._escalation_tick,
            interval=ESCALATION_TICK_S,
            first=0.1,
            name="escalations",
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
        if self.webhook is not None:
            await self.webhook.start()
            assert self.settings.webhook_secret is not None
            await self.app.bot.set_webhook(
                self._webhook_url,
                secret_token=self.settings.webhook_secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
                # One request at a time: updates are stored in the order Telegram sends them,
                # so a chat's messages are processed in order (storing takes milliseconds).
                max_connections=1,
            )
            intake = self.webhook.process(self._stop)
        else:
            # A webhook left over from webhook mode would make getUpdates fail (409).
            await self.app.bot.delete_webhook()
            intake = self.inbox.poll(self._stop)
        self._tasks = [
            asyncio.create_task(self.delivery.run(self._stop, SHUTDOWN_GRACE_S), name="delivery"),
            asyncio.create_task(intake, name="intake"),
        ]
        log.info("bot started as @%s", self.app.bot.username)

    async def _use_forum_topics(self) -> None:
        """A staff chat that is a forum gets a topic per person; otherwise plain cards. Asked
        at every start (an admin may turn topics on or off meanwhile)."""
        chat_id = self.settings.coordinator_chat_id
        if chat_id is None:
            return
        try:
            chat = await self.app.bot.get_chat(chat_id)
        except TelegramError as exc:
            log.warning("could not ask whether the staff chat has topics (%s)", type(exc).__name__)
            return
        forum = chat_id if chat.is_forum else None
        self.escalation_policy = replace(self.escalation_policy, forum_chat_id=forum)
        self.checkin_policy = replace(self.checkin_policy, forum_chat_id=forum)
        self.app.bot_data.services.escalations = self.escalation_policy
        log.info("staff chat topics=%s", "yes" if forum else "no")

    async def _bring_schema_up_to_date(self) -> None:
        """Apply pending migrations, or (AUTO_MIGRATE=0) refuse to start while any are."""
        if self.settings.auto_migrate:
            await migrate.upgrade(self.settings.database_url)
            return
        current = await migrate.current_revision(self.engine)
        head = migrate.head_revision(self.settings.database_url)
        if current != head:  # the caller releases the lock and the connections
            raise ConfigError(
                f"AUTO_MIGRATE=0: the database is at revision {current}, this version needs "
                f"{head}; back it up, then run `python -m bot migrate`"
            )

    async def stop(self) -> None:
        """Stop taking updates, let sends in flight finish (bounded), close the database."""
        if self._stopped:
            return
        self._stopped = True
        if self.webhook is not None:
            await self.webhook.stop()  # take no more updates
        self._stop.set()
        done, pending = (
            await asyncio.wait(self._tasks, timeout=SHUTDOWN_GRACE_S)
            if self._tasks
            else (set(), set())
        )
        for task in pending:
            task.cancel()
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                log.error("task %s failed", task.get_name(), exc_info=task.exception())
        await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = []
        await self.delivery.close()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        await self.engine.dispose()
        self._db_lock.release()
        log.info("bot stopped")

    async def run_checkins(self) -> int:
        """Queue the check-ins that are due now; returns how many prompts (the recurring job).

        Small transactions, so that relayed messages are not held up behind a big batch.
        """
        prompts = 0
        async with self._checkin_lock:
            while True:
                async with transaction(self.session_factory) as session:
                    result = await checkins.run_due(
                        session, self.checkin_policy, self.clock.now(), limit=CHECKIN_BATCH
                    )
                prompts += result.prompts
                self.delivery.wake()
                if result.people < CHECKIN_BATCH:
                    return prompts

    async def run_escalation_timers(self) -> int:
        """Remind coordinators of unacknowledged critical escalations (the recurring job)."""
        async with transaction(self.session_factory) as session:
            reminded = await escalation.remind_unacknowledged(
                session, self.escalation_policy, self.clock.now()
            )
        self.delivery.wake()
        return reminded

    async def run_daily_summary(self) -> int:
        """List alarms still unacknowledged after the fallback rounds, once a day each."""
        async with transaction(self.session_factory) as session:
            listed = await oncall.summarize_unacknowledged(
                session, policy=self.escalation_policy, now=self.clock.now()
            )
        self.delivery.wake()
        return listed

    async def run_concern_timers(self) -> int:
        """Send concerns nobody answered in time to the coordinators (the recurring job)."""
        async with transaction(self.session_factory) as session:
            climbed = await concerns.climb_unanswered(
                session, self.escalation_policy, self.clock.now()
            )
        self.delivery.wake()
        return climbed

    async def run_retention(self) -> retention.Purged:
        """Purge what is past its retention period (the daily job)."""
        async with transaction(self.session_factory) as session:
            purged = await retention.purge_expired(
                session,
                now=self.clock.now(),
                retention=timedelta(days=self.settings.retention_days),
                escalation_retention=timedelta(days=self.settings.escalation_retention_days),
            )
        # Purged rows must not linger in the write-ahead log either (nor a deferred erasure's).
        await checkpoint_wal(self.engine)
        log.info(
            "retention purge routing=%s held=%s outbox=%s inbox=%s escalations=%s",
            purged.routing,
            purged.held,
            purged.outbox,
            purged.inbox,
            purged.escalations,
        )
        return purged

    async def run_weekly_digest(self) -> bool:
        """Send the week's digest of the program's figures if it is due (the recurring job)."""
        async with transaction(self.session_factory) as session:
            sent = await reports.send_weekly_digest(
                session,
                now=self.clock.now(),
                timezone=self.settings.default_timezone,
                staff_chat_id=self.settings.coordinator_chat_id,
                default_capacity=self.settings.mentor_capacity,
            )
        self.delivery.wake()
        return sent

    async def _digest_tick(self, _context: object) -> None:
        try:
            await self.run_weekly_digest()
        except Exception:
            log.exception("weekly digest failed")

    async def _retention_tick(self, _context: object) -> None:
        try:
            await self.run_retention()
        except Exception:
            log.exception("retention purge failed")

    async def _escalation_tick(self, _context: object) -> None:
        try:
            await self.run_concern_timers()
            await self.run_escalation_timers()
            await self.run_daily_summary()
        except Exception:
            log.exception("escalation reminder tick failed")

    async def _checkin_tick(self, _context: object) -> None:
        try:
            await self.run_checkins()
        except Exception:
            log.exception("check-in tick failed")

    async def outbox_pending(self) -> int:
        async with transaction(self.session_factory) as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status == "pending")
                )
                or 0
            )

    async def inbox_pending(self) -> int:
        async with transaction(self.session_factory) as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(InboxUpdate)
                    .where(InboxUpdate.processed_at.is_(None))
                )
                or 0
            )

    async def wait_until_idle(self, timeout: float = 10.0) -> None:
        """Wait until every stored update is processed and every queued message sent and
        recorded (demo, tests, bench)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while await self.inbox_pending() or await self.outbox_pending() or self.delivery.in_flight:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the outbox did not drain")
            await asyncio.sleep(0.01)

    async def run_until(self, stopped: asyncio.Event) -> None:
        await self.start()
        try:
            await stopped.wait()
        finally:
            await self.stop()
