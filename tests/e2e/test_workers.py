"""Two bot worker processes on one PostgreSQL database and one emulator (in every run, like
test_migrate_data): every message is delivered exactly once, in order per chat, within
Telegram's limits, and both workers do part of the work; a worker killed with SIGKILL loses
its claims when their lease runs out, and the other sends them: nothing is lost."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.schedule import format_hhmm
from bot.services.outbox import Priority, enqueue
from emulator import BotApiEmulator, FakeUser
from storage import migrate
from storage.db import create_engine, create_session_factory, transaction
from storage.models import CheckIn, CheckInSchedule, OutboxMessage, Pairing
from tests.conftest import COORDINATOR_ID
from tests.helpers import clean_env, make_mentee, make_mentor
from tests.postgres import PostgresServer

CHECKINS = 1_000
PAIRS = 10
EACH = 5  # messages each side of a pair writes
PROMPT = "Daily check-in"


@pytest.fixture
async def pg_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A database of its own on the throw-away PostgreSQL server, at the current schema."""
    async with postgres_server.fresh_database() as url:
        await migrate.upgrade(url)
        yield url


class Worker:
    """`python -m bot run` as a process of its own, its log in a file."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log: Path) -> None:
        self.name = name
        self.process = process
        self.log = log

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start_worker(
    tmp_path: Path, emu: BotApiEmulator, db_url: str, name: str, **extra: str
) -> Worker:
    env = clean_env(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        DATABASE_URL=db_url,
        COORDINATOR_IDS=str(COORDINATOR_ID),
        WORKER_ID=name,
        **extra,
    )
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdout=out, stderr=out
        )
    return Worker(name, process, log)


async def seed_checkins_and_pairs(
    db_url: str, emu: BotApiEmulator, now: datetime
) -> tuple[list[int], list[tuple[FakeUser, FakeUser]]]:
    """CHECKINS mentees whose check-in fell due a minute ago (outside their quiet hours), and
    PAIRS paired mentees and mentors; all with their emulator chats open."""
    due_ids = [8_000_000_000 + n for n in range(CHECKINS)]
    pairs = [
        (emu.user(7_100_000_000 + n, f"Mentee{n}"), emu.user(7_300_000_000 + n, f"Mentor{n}"))
        for n in range(PAIRS)
    ]
    quiet_start = format_hhmm((now + timedelta(hours=3)).time())
    quiet_end = format_hhmm((now + timedelta(hours=4)).time())
    engine = create_engine(db_url)
    try:
        async with transaction(create_session_factory(engine)) as s:
            due = []
            for telegram_id in due_ids:
                member = make_mentee(s, pseudonym=f"D{telegram_id % 10_000}", timezone="UTC",
                                     now=now)
                member.telegram_user_id = member.chat_id = telegram_id
                due.append(member)
            paired = []
            for mentee_user, mentor_user in pairs:
                mentee = make_mentee(s, timezone="UTC", now=now)
                mentor = make_mentor(s, timezone="UTC", now=now)
                mentee.telegram_user_id = mentee.chat_id = mentee_user.id
                mentor.telegram_user_id = mentor.chat_id = mentor_user.id
                paired.append((mentee, mentor))
            await s.flush()
            for mentee, mentor in paired:
                s.add(Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=now))
                for member in (mentee, mentor):  # not due today: only the relays go to them
                    s.add(
                        CheckInSchedule(
                            member_id=member.id,
                            local_time=format_hhmm((now + timedelta(hours=2)).time()),
                            quiet_start=quiet_start,
                            quiet_end=quiet_end,
                            next_due_at=now + timedelta(hours=2),
                            missed_streak=0,
                        )
                    )
            for member in due:
                s.add(
                    CheckInSchedule(
                        member_id=member.id,
                        local_time=format_hhmm((now + timedelta(hours=2)).time()),
                        quiet_start=quiet_start,
                        quiet_end=quiet_end,
                        next_due_at=now - timedelta(minutes=1),
                        missed_streak=0,
                    )
                )
    finally:
        await engine.dispose()
    for telegram_id in due_ids:
        emu.open_chat(FakeUser(telegram_id, f"P{telegram_id}"))
    for mentee_user, mentor_user in pairs:
        emu.open_chat(mentee_user)
        emu.open_chat(mentor_user)
    emu.open_chat(emu.user(COORDINATOR_ID, "Casey"))
    return due_ids, pairs


def texts_in(emu: BotApiEmulator, chat_id: int, prefix: str) -> list[str]:
    return [
        str(m["text"])
        for m in emu.bot_messages(chat_id)
        if str(m.get("text") or "").startswith(prefix)
    ]


def prompts_in(emu: BotApiEmulator, chat_id: int) -> int:
    return sum(PROMPT in str(m.get("text") or "") for m in emu.bot_messages(chat_id))


async def sent_by_worker(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(OutboxMessage.claimed_by, func.count())
                .where(OutboxMessage.status == "sent")
                .group_by(OutboxMessage.claimed_by)
            )
            return {str(worker): int(n) for worker, n in rows}
    finally:
        await engine.dispose()


async def outbox_drained(db_url: str, timeout: float) -> None:
    """Wait until nothing is left to send (notices follow the prompts and copies)."""
    engine = create_engine(db_url)
    left: list[tuple[str, int]] = []
    try:
        for _ in range(int(timeout * 4)):
            async with engine.connect() as conn:
                left = [
                    (str(method), int(n))
                    for method, n in await conn.execute(
                        select(OutboxMessage.method, func.count())
                        .where(OutboxMessage.status != "sent")
                        .group_by(OutboxMessage.method)
                    )
                ]
            if not left:
                return
            await asyncio.sleep(0.25)
        async with engine.connect() as conn:
            details = (
                await conn.execute(
                    select(
                        OutboxMessage.id,
                        OutboxMessage.chat_key,
                        OutboxMessage.status,
                        OutboxMessage.method,
                        OutboxMessage.attempts,
                        OutboxMessage.not_before,
                        OutboxMessage.lease_until,
                        OutboxMessage.claimed_by,
                        OutboxMessage.last_error,
                        OutboxMessage.relay_id,
                        OutboxMessage.priority,
                    ).where(OutboxMessage.status != "sent")
                )
            ).all()
    finally:
        await engine.dispose()
    raise AssertionError(f"still in the outbox: {left}: {details[:40]}")


async def test_two_workers_deliver_every_message_once_in_order_within_the_limits(
    emu: BotApiEmulator, pg_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    due_ids, pairs = await seed_checkins_and_pairs(pg_url, emu, now)
    emu.enforce_limits = True  # Telegram's own: 30/s for the bot, about 1/s per chat
    # Production limits per chat; 24/s for the bot (production: 28/s), a little more room
    # for a worker stalled on this shared machine between claiming and sending. Two workers
    # that each kept their own limits would send 48/s.
    workers = [
        await start_worker(tmp_path, emu, pg_url, name, RATE_LIMIT_GLOBAL_PER_S="24")
        for name in ("w1", "w2")
    ]
    try:
        await emu.wait_for(
            lambda: sum(method == "getMe" for method, _ in emu.calls) >= 2,
            timeout=60,
            what="both workers to start",
        )
        for n in range(EACH):  # both ways, interleaved, while the check-ins drain
            for number, (mentee, mentor) in enumerate(pairs):
                emu.user_sends(mentee, f"msg {number}.{n}")
                emu.user_sends(mentor, f"reply {number}.{n}")
            await asyncio.sleep(0.2)

        def all_delivered() -> bool:
            return all(prompts_in(emu, chat) for chat in due_ids) and all(
                len(set(texts_in(emu, mentor.id, "msg "))) == EACH
                and len(set(texts_in(emu, mentee.id, "reply "))) == EACH
                for mentee, mentor in pairs
            )

        await emu.wait_for(all_delivered, timeout=180, what="every check-in and relayed message")
        await outbox_drained(pg_url, timeout=60)
    finally:
        for worker in workers:
            await worker.stop()
    logs = "\n".join(w.log.read_text() for w in workers)

    # Exactly once: one prompt per person, one copy of each relayed message, nothing else
    # repeated (a worker that stopped cleanly leaves nothing in flight).
    assert Counter(prompts_in(emu, chat) for chat in due_ids) == {1: CHECKINS}
    for number, (mentee, mentor) in enumerate(pairs):
        # In order per chat, each once.
        assert texts_in(emu, mentor.id, "msg ") == [
            f"msg {number}.{n}" for n in range(EACH)
        ]
        assert texts_in(emu, mentee.id, "reply ") == [
            f"reply {number}.{n}" for n in range(EACH)
        ]
    # Within Telegram's limits: the emulator never had to answer 429; and one worker at a
    # time asked for updates (no getUpdates cut short by another's).
    assert emu.rate_limited == 0
    assert emu.poll_conflicts == 0
    engine = create_engine(pg_url)
    try:
        async with engine.connect() as conn:
            checkins = await conn.scalar(select(func.count()).select_from(CheckIn))
            pending = await conn.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status != "sent")
            )
    finally:
        await engine.dispose()
    assert checkins == CHECKINS
    assert pending == 0
    # Both did part of the work.
    by_worker = await sent_by_worker(pg_url)
    assert set(by_worker) == {"w1", "w2"}, by_worker
    assert min(by_worker.values()) >= 100, by_worker
    assert "Traceback" not in logs, logs[-3000:]
    print(f"sent by worker: {by_worker}")


BULK = 300
RELAYED = 30


async def test_sigkill_of_one_worker_the_other_sends_its_claims_after_the_lease(
    emu: BotApiEmulator, pg_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    sam, alex = emu.user(7_100_000_001, "Samantha"), emu.user(7_300_000_001, "Alexander")
    engine = create_engine(pg_url)
    try:
        async with transaction(create_session_factory(engine)) as s:
            mentee = make_mentee(s, pseudonym="Sam", timezone="UTC", now=now)
            mentor = make_mentor(s, pseudonym="Alex", timezone="UTC", now=now)
            mentee.telegram_user_id = mentee.chat_id = sam.id
            mentor.telegram_user_id = mentor.chat_id = alex.id
            await s.flush()
            s.add(Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=now))
            for n in range(BULK):
                emu.open_chat(FakeUser(9_000_000_000 + n, f"P{n}"))
                await enqueue(
                    s,
                    chat_id=9_000_000_000 + n,
                    method="sendMessage",
                    payload={"text": f"bulk {n}"},
                    now=now,
                    priority=Priority.BULK,
                )
    finally:
        await engine.dispose()
    emu.open_chat(sam)
    emu.open_chat(alex)
    extra = {
        "LEASE_SECONDS": "5",
        "RATE_LIMIT_GLOBAL_PER_S": "60",
        "RATE_LIMIT_CHAT_PER_S": "20",
        "FLOOD_MESSAGES_PER_MINUTE": "1000",  # a scripted burst, not a person
    }
    first = await start_worker(tmp_path, emu, pg_url, "w1", **extra)
    second = await start_worker(tmp_path, emu, pg_url, "w2", **extra)
    try:
        for n in range(RELAYED // 2):
            emu.user_sends(sam, f"relay {n}")

        def bulk_sent() -> list[str]:
            return [
                str(p["text"])
                for method, p in emu.calls
                if method == "sendMessage" and str(p.get("text", "")).startswith("bulk ")
            ]

        await emu.wait_for(
            lambda: len(bulk_sent()) >= 60 and len(texts_in(emu, alex.id, "relay ")) >= 3,
            timeout=60,
            what="both workers to be under way",
        )
        first.process.kill()  # SIGKILL: no chance to finish or release anything
        await first.process.wait()
        killed_at = datetime.now(UTC)
        # What the killed worker held: rows still claimed by it, under a live lease.
        engine = create_engine(pg_url)
        try:
            async with engine.connect() as conn:
                held = (
                    await conn.execute(
                        select(OutboxMessage.id).where(
                            OutboxMessage.status == "pending",
                            OutboxMessage.claimed_by == "w1",
                            OutboxMessage.lease_until > killed_at,
                        )
                    )
                ).scalars().all()
        finally:
            await engine.dispose()
        for n in range(RELAYED // 2, RELAYED):  # the survivor takes the updates over too
            emu.user_sends(sam, f"relay {n}")
        await emu.wait_for(
            lambda: len(set(bulk_sent())) == BULK
            and len(set(texts_in(emu, alex.id, "relay "))) == RELAYED,
            timeout=90,
            what="every message after the kill",
        )
        # What the killed worker held may have reached Telegram already; the survivor sends
        # it again once the lease has run out, and records it.
        await outbox_drained(pg_url, timeout=60)
    finally:
        await first.stop()
        await second.stop()

    engine = create_engine(pg_url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.claimed_by)
                )
            ).all()
    finally:
        await engine.dispose()
    by_id = {row.id: row for row in rows}
    # Nothing lost: every row sent, what the killed worker held sent by the survivor.
    assert {row.status for row in rows} == {"sent"}
    assert all(by_id[row_id].claimed_by == "w2" for row_id in held)
    # Repeated at most what the killed worker had in flight.
    copies = texts_in(emu, alex.id, "relay ")
    bulk = [
        str(m["text"])
        for n in range(BULK)
        for m in emu.bot_messages(9_000_000_000 + n)
        if str(m.get("text", "")).startswith("bulk ")
    ]
    duplicates = sum(n - 1 for n in Counter(copies).values())
    duplicates += sum(n - 1 for n in Counter(bulk).values())
    assert duplicates <= len(held)
    assert list(dict.fromkeys(copies)) == [f"relay {n}" for n in range(RELAYED)]
    by_worker = await sent_by_worker(pg_url)
    assert by_worker.get("w1", 0) > 0 and by_worker.get("w2", 0) > 0, by_worker
