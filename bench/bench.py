"""Delivery benchmarks (not part of the test suite's pass/fail).

    python bench/bench.py [--quick]

1. Relay throughput and CPU per message: our bot relaying between many pairs, beside a bare
   python-telegram-bot echo bot, on the same local emulator, in the same run, rate limits off;
   three alternating rounds of each, medians reported.
2. Relay latency while 10,000 daily check-in prompts (real ones, sent by the bot's own
   scheduler) drain under Telegram's 30/s limit, and the drain rate as a fraction of that
   limit (the emulator enforces the limits and counts 429s).
   Meanwhile, every 5 s a message that needs staff now: the time until its escalation card
   reaches the coordinator is measured too.
3. Peak memory of the bot process with 10,000 enrolled pairs.
4. PostgreSQL (`--postgres` runs only these, on a throw-away server as the tests make one):
   relay throughput with one and two bot workers beside SQLite's one, and 10,000 check-ins
   drained by two workers under Telegram's limits.

The bots run as separate processes; the emulator runs here, so timings include real HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator import BotApiEmulator, FakeUser  # noqa: E402
from storage import crypto, migrate  # noqa: E402
from storage.crypto import generate_key, generate_lookup_key  # noqa: E402
from storage.db import create_engine, create_session_factory, transaction  # noqa: E402
from storage.models import CheckInSchedule, Member, Pairing  # noqa: E402

MENTEE_BASE = 7_100_000_000
MENTOR_BASE = 7_300_000_000
BULK_BASE = 9_000_000_000
COORDINATOR = 1000
# The bot encrypts as in production; this process seeds its database with the same keys.
KEYS = (generate_key(), generate_lookup_key())
crypto.configure(crypto.DataCipher([KEYS[0]], KEYS[1]))
NO_LIMITS = {
    "RATE_LIMIT_GLOBAL_PER_S": "1000000",
    "RATE_LIMIT_CHAT_PER_S": "1000000",
    "RATE_LIMIT_CHAT_BURST": "1000000",
    "RATE_LIMIT_GROUP_PER_MIN": "1000000",
}


@dataclass
class Proc:
    process: asyncio.subprocess.Process

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start(args: list[str], env: dict[str, str], cwd: Path) -> Proc:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return Proc(process)


def midday_zone(now: datetime) -> tuple[str, str]:
    """A fixed-offset zone where it is about 13:00 now, and the local time a minute ago."""
    offset = (13 - now.hour + 12) % 24 - 12
    zone = "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/ signs are inverted
    local = (now - timedelta(minutes=1)).astimezone(ZoneInfo(zone))
    return zone, f"{local.hour:02d}:{local.minute:02d}"


async def seed(db_url: str, emu: BotApiEmulator, pairs: int, bulk: int = 0) -> None:
    """Enrolled, paired members, and `bulk` mentees whose check-in is due, straight to the db."""
    await migrate.upgrade(db_url)
    engine = create_engine(db_url)
    now = datetime.now(UTC)
    async with transaction(create_session_factory(engine)) as s:
        for n in range(pairs):
            mentee = Member(
                telegram_user_id=MENTEE_BASE + n,
                chat_id=MENTEE_BASE + n,
                role="mentee",
                pseudonym=f"Mentee{n}",
                pseudonym_key=f"mentee{n}",
                timezone="UTC",
                tags="",
                reachable=True,
                created_at=now,
            )
            mentor = Member(
                telegram_user_id=MENTOR_BASE + n,
                chat_id=MENTOR_BASE + n,
                role="mentor",
                pseudonym=f"Mentor{n}",
                pseudonym_key=f"mentor{n}",
                timezone="UTC",
                tags="",
                capacity=3,
                reachable=True,
                created_at=now,
            )
            s.add_all([mentee, mentor])
            await s.flush()
            s.add(Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=now))
            emu.open_chat(FakeUser(MENTEE_BASE + n, f"E{n}"))
            emu.open_chat(FakeUser(MENTOR_BASE + n, f"O{n}"))
        # The flood is real check-ins: mentees whose daily check-in is due now, somewhere
        # where it is midday (outside quiet hours); the bot's own recurring job sends them.
        zone, local_due = midday_zone(now)
        for n in range(bulk):
            emu.open_chat(FakeUser(BULK_BASE + n, f"B{n}"))
            member = Member(
                telegram_user_id=BULK_BASE + n,
                chat_id=BULK_BASE + n,
                role="mentee",
                pseudonym=f"Checkin{n}",
                pseudonym_key=f"checkin{n}",
                timezone=zone,
                tags="",
                reachable=True,
                created_at=now,
            )
            s.add(member)
            await s.flush()
            s.add(
                CheckInSchedule(
                    member_id=member.id,
                    local_time=local_due,
                    quiet_start="22:00",
                    quiet_end="08:00",
                    next_due_at=now - timedelta(minutes=1),
                    missed_streak=0,
                )
            )
    await engine.dispose()


def bot_env(emu: BotApiEmulator, db_url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("TELEGRAM_", "COORDINATOR_", "RATE_LIMIT_", "DATABASE_", "DATA_", "ALLOW_")
        )
    }
    env.update(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        DATABASE_URL=db_url,
        DATA_ENCRYPTION_KEY=KEYS[0],
        DATA_LOOKUP_KEY=KEYS[1],
        # Scripted writers, far faster than people: per-person flood control is not measured.
        FLOOD_MESSAGES_PER_MINUTE="1000",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


async def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.005)


def card_times(emu: BotApiEmulator) -> list[float]:
    """When escalation cards reached the coordinator, in order."""
    return [
        at
        for (method, params), at in zip(emu.calls, emu.call_times, strict=True)
        if method == "sendMessage" and "Escalation #" in str(params.get("text", ""))
    ]


def count(emu: BotApiEmulator, method: str) -> int:
    return sum(1 for m, _ in emu.calls if m == method)


EVERYDAY = (
    "hey, are we still meeting at the coffee place tomorrow morning?",
    "work was long today but I made it to the evening group",
    "my sister is visiting this weekend, kind of nervous about it",
    "slept better last night, thanks for the tip about the phone",
    "can you remind me what time the Thursday meeting starts?",
    "got the job interview for Monday!! need to find a shirt",
    "feeling ok, a little tired, going to cook something simple",
    "gracias por escucharme ayer, hoy me siento mucho mejor",
)


async def throughput(
    kind: str, messages: int, pairs: int, tmp: Path, db_url: str | None = None, workers: int = 1
) -> dict[str, float]:
    """Messages per second and CPU ms per message, for 'ours' or the 'echo' baseline (ours:
    on `db_url` if given, SQLite otherwise, with `workers` bot processes)."""
    emu = BotApiEmulator()
    await emu.start()
    try:
        db_url = db_url or f"sqlite+aiosqlite:///{tmp / f'{kind}.sqlite3'}"
        await seed(db_url, emu, pairs)
        if kind == "ours":
            procs = [
                await start(
                    ["-m", "bot", "run"],
                    bot_env(emu, db_url, {**NO_LIMITS, "WORKER_ID": f"bench-{n}"}),
                    tmp,
                )
                for n in range(workers)
            ]
        else:
            procs = [
                await start(
                    [str(ROOT / "bench" / "echo_bot.py"), emu.token, emu.base_url],
                    bot_env(emu, db_url, {}),
                    tmp,
                )
            ]
        await wait_until(lambda: count(emu, "getUpdates") > 0, 60)
        await wait_until(lambda: count(emu, "getMe") >= len(procs), 60)
        await asyncio.sleep(1.0)
        cpu0, t0 = sum(p.cpu_seconds() for p in procs), time.monotonic()
        for n in range(messages):
            user = FakeUser(MENTEE_BASE + n % pairs, "x")
            # Everyday chat of usual length, so the risk models score it as they would.
            emu.user_sends(user, f"{EVERYDAY[n % len(EVERYDAY)]} ({n})")
        await wait_until(lambda: count(emu, "copyMessage") >= messages, 300)
        elapsed = time.monotonic() - t0
        cpu = sum(p.cpu_seconds() for p in procs) - cpu0
        for proc in procs:
            await proc.stop()
        return {"rate": messages / elapsed, "cpu_ms": 1000 * cpu / messages}
    finally:
        await emu.stop()


async def postgres_columns(messages: int, pairs: int, bulk: int, tmp: Path) -> list[Row]:
    """Relay throughput on SQLite and on PostgreSQL with one and two workers (alternating,
    medians of 3), and the check-in drain by two workers on PostgreSQL."""
    from tests.postgres import PostgresServer, server_bin_dir  # the tests' throw-away server

    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL server binaries (initdb, pg_ctl): apt install postgresql")
    server = PostgresServer(bin_dir)
    server.start()
    try:
        runs: dict[str, list[dict[str, float]]] = {"sqlite": [], "pg1": [], "pg2": []}
        for n in range(3):
            folder = tmp / f"pg-{n}"
            folder.mkdir(exist_ok=True)
            runs["sqlite"].append(await throughput("ours", messages, pairs, folder))
            for workers in (1, 2):
                async with server.fresh_database() as url:
                    runs[f"pg{workers}"].append(
                        await throughput("ours", messages, pairs, folder, url, workers)
                    )
        sqlite, pg1, pg2 = (median_run(runs[k]) for k in ("sqlite", "pg1", "pg2"))
        async with server.fresh_database() as url:
            drain = await checkin_drain(bulk, tmp, url, workers=2)
    finally:
        server.stop()
    return [
        ("relay throughput, SQLite, 1 worker (msg/s)", f"{sqlite['rate']:.0f}", ""),
        ("relay throughput, PostgreSQL, 1 worker (msg/s)", f"{pg1['rate']:.0f}", ""),
        ("relay throughput, PostgreSQL, 2 workers (msg/s)", f"{pg2['rate']:.0f}", ""),
        ("  2 workers / 1 worker on PostgreSQL", f"{pg2['rate'] / pg1['rate']:.2f}", "≥ 1.3"),
        (
            "CPU per message, SQLite / PG 1 / PG 2 workers (ms)",
            f"{sqlite['cpu_ms']:.2f} / {pg1['cpu_ms']:.2f} / {pg2['cpu_ms']:.2f}",
            "",
        ),
        (
            f"{bulk} check-ins drained by 2 workers on PostgreSQL: sends/s / 30",
            f"{drain['fraction']:.2f}",
            "≥ 0.9",
        ),
        ("  429 answers during that drain", f"{drain['rate_limited']}", "0"),
        ("  check-in prompts sent twice", f"{drain['repeated']}", "0"),
    ]


Row = tuple[str, str, str]


async def checkin_drain(bulk: int, tmp: Path, db_url: str, workers: int) -> dict[str, float]:
    """`bulk` due check-ins sent by `workers` bot processes under Telegram's limits."""
    emu = BotApiEmulator()
    await emu.start()
    try:
        await seed(db_url, emu, 0, bulk)
        emu.enforce_limits = True
        procs = [
            await start(
                ["-m", "bot", "run"], bot_env(emu, db_url, {"WORKER_ID": f"drain-{n}"}), tmp
            )
            for n in range(workers)
        ]
        await wait_until(lambda: count(emu, "sendMessage") > 0, 120)
        t0, sent0 = time.monotonic(), count(emu, "sendMessage")
        await wait_until(lambda: count(emu, "sendMessage") - emu.rate_limited >= bulk, 900)
        elapsed = time.monotonic() - t0
        for proc in procs:
            await proc.stop()
        prompts = [
            int(p["chat_id"])
            for m, p in emu.calls
            if m == "sendMessage" and "check-in" in str(p.get("text", ""))
        ]
        return {
            "fraction": (count(emu, "sendMessage") - sent0 - emu.rate_limited) / elapsed / 30,
            "rate_limited": emu.rate_limited,
            "repeated": len(prompts) - len(set(prompts)) - emu.rate_limited,
        }
    finally:
        await emu.stop()


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


async def latency_under_flood(bulk: int, window_s: float, tmp: Path) -> dict[str, float]:
    """Relay latency while bulk messages drain under the real limits; drain rate vs 30/s."""
    emu = BotApiEmulator()
    await emu.start()
    try:
        db_url = f"sqlite+aiosqlite:///{tmp / 'flood.sqlite3'}"
        pairs = 20
        await seed(db_url, emu, pairs, bulk=bulk)
        emu.enforce_limits = True
        emu.open_chat(FakeUser(COORDINATOR, "Coordinator"))
        env = bot_env(emu, db_url, {"COORDINATOR_IDS": str(COORDINATOR)})
        proc = await start(["-m", "bot", "run"], env, tmp)
        await wait_until(lambda: count(emu, "sendMessage") > 60, 60)  # the flood is draining
        sent_at: dict[tuple[int, int], float] = {}
        t0, sends0 = time.monotonic(), count(emu, "sendMessage") + count(emu, "copyMessage")
        alarms: list[float] = []
        rng = random.Random(7)
        tick = 0
        while time.monotonic() - t0 < window_s:
            user = FakeUser(MENTEE_BASE + rng.randrange(pairs), "x")
            message = emu.user_sends(user, "relay")
            sent_at[(user.id, message["message_id"])] = time.monotonic()
            tick += 1
            if tick % 10 == 0:  # every 5 s, someone writes something that needs staff now
                emu.user_sends(user, "i cant go on, tonight im going to end it all")
                alarms.append(time.monotonic())
            await asyncio.sleep(0.5)
        window = time.monotonic() - t0
        # Everything sent in the window counts against Telegram's 30/s: bulk and relayed alike.
        drained = count(emu, "sendMessage") + count(emu, "copyMessage") - sends0

        def first_copies() -> dict[tuple[int, int], float]:
            first: dict[tuple[int, int], float] = {}
            for (method, params), at in zip(emu.calls, emu.call_times, strict=True):
                key = (int(params.get("from_chat_id", 0)), int(params.get("message_id", 0)))
                # The copy to the mentor (escalation cards copy recent messages too, as context).
                to_mentor = int(params.get("chat_id", 0)) >= MENTOR_BASE
                if method == "copyMessage" and key in sent_at and to_mentor:
                    first.setdefault(key, at)
            return first

        await wait_until(lambda: len(first_copies()) == len(sent_at), 60)
        await wait_until(lambda: len(card_times(emu)) >= len(alarms), 60)
        card_latencies = sorted(c - a for a, c in zip(alarms, card_times(emu), strict=False))
        first_copy = first_copies()
        latencies = [first_copy[key] - sent for key, sent in sent_at.items()]
        peak = proc.peak_rss_mb()
        await proc.stop()
        latencies.sort()
        return {
            "p50": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "relayed": len(latencies),
            "drain_fraction": drained / window / 30.0,
            "card_p50": statistics.median(card_latencies),
            "card_max": card_latencies[-1],
            "rate_limited": emu.rate_limited,
            "peak_mb": peak,
        }
    finally:
        await emu.stop()


async def memory_with_pairs(pairs: int, messages: int, tmp: Path) -> dict[str, float]:
    emu = BotApiEmulator()
    await emu.start()
    try:
        db_url = f"sqlite+aiosqlite:///{tmp / 'memory.sqlite3'}"
        await seed(db_url, emu, pairs)
        proc = await start(["-m", "bot", "run"], bot_env(emu, db_url, NO_LIMITS), tmp)
        await wait_until(lambda: count(emu, "getUpdates") > 0, 60)
        rng = random.Random(11)
        for _ in range(messages):
            emu.user_sends(FakeUser(MENTEE_BASE + rng.randrange(pairs), "x"), "hello")
        await wait_until(lambda: count(emu, "copyMessage") >= messages, 300)
        peak = proc.peak_rss_mb()
        await proc.stop()
        return {"peak_mb": peak}
    finally:
        await emu.stop()


async def main(quick: bool, postgres: bool = False) -> None:
    messages, pairs = (500, 50) if quick else (3000, 100)
    if postgres:
        with tempfile.TemporaryDirectory() as tmp_name:
            print_rows(
                await postgres_columns(messages, pairs, 2000 if quick else 10_000, Path(tmp_name))
            )
        return
    rounds = 1 if quick else 3
    bulk, window = (2000, 10.0) if quick else (10_000, 30.0)
    memory_pairs = 1000 if quick else 10_000
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # Alternating rounds, medians: the machine's speed drifts between runs.
        runs: dict[str, list[dict[str, float]]] = {"echo": [], "ours": []}
        for n in range(rounds):
            for kind in ("echo", "ours"):
                folder = tmp / f"throughput-{n}"
                folder.mkdir(exist_ok=True)
                runs[kind].append(await throughput(kind, messages, pairs, folder))
        echo, ours = median_run(runs["echo"]), median_run(runs["ours"])
        per_round = [
            o["rate"] / e["rate"] for e, o in zip(runs["echo"], runs["ours"], strict=True)
        ]
        flood = await latency_under_flood(bulk, window, tmp)
        memory = await memory_with_pairs(memory_pairs, 1000 if not quick else 200, tmp)
    rows = [
        ("relay throughput, ours (msg/s)", f"{ours['rate']:.0f}", ""),
        ("echo bot throughput (msg/s)", f"{echo['rate']:.0f}", ""),
        (
            f"throughput ratio ours/echo (medians of {rounds} rounds)",
            f"{ours['rate'] / echo['rate']:.2f}",
            "≥ 0.5",
        ),
        ("  ratio in each round", ", ".join(f"{r:.2f}" for r in per_round), ""),
        ("CPU per message, ours (ms)", f"{ours['cpu_ms']:.2f}", ""),
        ("CPU per message, echo (ms)", f"{echo['cpu_ms']:.2f}", ""),
        (f"relay latency p50 while {bulk} check-ins drain (s)", f"{flood['p50']:.3f}", ""),
        (f"relay latency p99 while {bulk} check-ins drain (s)", f"{flood['p99']:.3f}", "< 2"),
        ("flagged message → escalation card, p50 (s)", f"{flood['card_p50']:.3f}", "well < 1"),
        ("flagged message → escalation card, max (s)", f"{flood['card_max']:.3f}", "well < 1"),
        (
            "sends per second during the drain / 30 msg/s limit",
            f"{flood['drain_fraction']:.2f}",
            "≥ 0.9",
        ),
        ("429 answers during the drain", f"{flood['rate_limited']}", "0"),
        (f"peak RSS with {memory_pairs} pairs (MB)", f"{memory['peak_mb']:.0f}", ""),
    ]
    print_rows(rows)


def print_rows(rows: list[Row]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':>8}  goal")
    for name, value, goal in rows:
        print(f"{name.ljust(width)}  {value:>8}  {goal}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller numbers, for a smoke run")
    parser.add_argument("--postgres", action="store_true", help="only the PostgreSQL columns")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.quick, arguments.postgres))
