"""Webhook mode under a slow-connection attack: the bot as a real process with a common
`ulimit -n` of 1,024, and more half-sent requests than that."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from emulator import BotApiEmulator
from tests.conftest import COORDINATOR_ID
from tests.e2e.test_webhook import SECRET, free_port
from tests.helpers import clean_env

NOFILE = 1_024
SLOW = 1_100
PATH = "/telegram/updates"


def running(process: asyncio.subprocess.Process, log: Path) -> bool:
    """True while the bot runs; once it has exited, fail at once with what it said (a bot that
    died at start used to show only as a 30 s wait for its first reply)."""
    if process.returncode is not None:
        raise AssertionError(f"the bot exited ({process.returncode}): {log.read_text()[-3000:]}")
    return True


def reply_in(emu: BotApiEmulator, after: int = 0) -> dict[str, Any] | None:
    for m in emu.bot_messages(COORDINATOR_ID):
        if m["message_id"] > after and "No active pairings" in m.get("text", ""):
            return m
    return None


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def slow_client(port: int, n: int) -> asyncio.StreamWriter | None:
    """A connection that starts a request and never finishes it."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
    except (OSError, TimeoutError):
        return None  # the server could not take it at all
    head = f"POST {PATH} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
    if n % 4:  # headers never finished
        writer.write(head.encode())
    else:  # a body announced and never sent, with the right secret (say it leaked)
        secret = f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n"
        writer.write(f"{head}{secret}Content-Length: 2000\r\n\r\n{{\"update_id\": ".encode())
    return writer


async def test_slow_connections_beyond_the_fd_limit_do_not_take_the_webhook_down(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = clean_env(
        TELEGRAM_BOT_TOKEN=emu.token,
        TELEGRAM_API_BASE_URL=emu.base_url,
        DATABASE_URL=db_url,
        COORDINATOR_IDS=str(COORDINATOR_ID),
        WEBHOOK_URL=f"http://127.0.0.1:{port}{PATH}",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    log = tmp_path / "bot.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            "sh",
            "-c",
            f'ulimit -n {NOFILE} && exec "$0" -m bot --webhook',
            sys.executable,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    casey = emu.user(COORDINATOR_ID, "Casey")
    slow: list[asyncio.StreamWriter | None] = []
    try:
        await emu.wait_for(
            lambda: running(process, log) and emu.webhook_url, 60, what="the webhook to be set"
        )
        emu.user_sends(casey, "/pairs")
        first = await emu.wait_for(
            lambda: running(process, log) and reply_in(emu), 30, what="the first reply"
        )
        normal = open_fds(process.pid)

        slow = list(await asyncio.gather(*(slow_client(port, n) for n in range(SLOW))))
        # While they hang, Telegram's update is still taken and answered.
        emu.user_sends(casey, "/pairs")
        second = await emu.wait_for(
            lambda: running(process, log) and reply_in(emu, first["message_id"]),
            15,
            what="the reply among slow connections",
        )
        # Well under the limit: at most MAX_CONNECTIONS, plus those accepted in one go (the
        # listen backlog) while the ones they displaced are being closed.
        assert open_fds(process.pid) < NOFILE // 2

        for writer in slow:
            if writer is not None:
                writer.close()
        # Closed peers are closed on the bot's side too: no socket is left behind.
        await emu.wait_for(
            lambda: open_fds(process.pid) <= normal + 5, timeout=15, what="the fds to be freed"
        )
        emu.user_sends(casey, "/pairs")
        await emu.wait_for(
            lambda: running(process, log) and reply_in(emu, second["message_id"]),
            15,
            what="the reply after they closed",
        )
    finally:
        for writer in slow:
            if writer is not None:
                writer.close()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
