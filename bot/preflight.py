"""What must hold before the bot may start, shared by start-up and `python -m bot doctor`.

Each check raises StartupError (or ConfigError) with one line naming the cause and the fix,
and never a secret: not the token, not a database password.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from telegram import Bot, User
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut

from bot.config import ConfigError, Settings, StartupError
from storage.db import prepare_sqlite_file, sqlite_path

NO_COORDINATOR = (
    "COORDINATOR_IDS: no coordinator is configured, so nobody would answer an alarm; set "
    "COORDINATOR_IDS to your Telegram user id (to learn it, start the bot once with "
    "ALLOW_NO_COORDINATOR=1 and send it /id, then remove ALLOW_NO_COORDINATOR)"
)
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 10.0


def check_database_writable(settings: Settings) -> None:
    """The database's driver is installed and, for SQLite, its folder and file are writable
    (SQLite writes its -wal and -shm files beside the database)."""
    url = make_url(settings.database_url)
    try:
        url.get_dialect().import_dbapi()
    except (ImportError, NoSuchModuleError, ArgumentError):
        driver = url.get_driver_name() or url.get_backend_name()
        raise ConfigError(
            f"DATABASE_URL: the {driver} driver for {url.get_backend_name()} is not installed; "
            f"run `.venv/bin/pip install {driver}`, or use sqlite+aiosqlite:///data/bot.sqlite3"
        ) from None
    path = sqlite_path(settings.database_url)
    if path is None:
        return
    try:
        prepare_sqlite_file(path)
        os.close(os.open(path, os.O_RDWR))
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".write-check-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            f"DATABASE_URL: cannot write the database {path} ({reason}); make {path.parent} "
            "writable by the user that runs the bot, or point DATABASE_URL at a writable folder"
        ) from None


def telegram_address(settings: Settings) -> str:
    """host:port of the Bot API server (no path, no token)."""
    parts = urlsplit(settings.telegram_api_base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


async def reach_telegram(bot: Bot, settings: Settings) -> User:
    """Ask Telegram who the bot is (getMe), retrying a few times while the network is down;
    StartupError naming the cause when the token is refused or Telegram cannot be reached."""
    timeout = settings.telegram_startup_timeout_s
    attempts = settings.telegram_startup_attempts
    pause = FIRST_RETRY_S
    problem = ""
    for attempt in range(1, attempts + 1):
        try:
            return await bot.get_me(
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            )
        except InvalidToken as exc:
            # PTB raises InvalidToken for 401 (a revoked or wrong token) and 404 (no such bot,
            # or a base URL that is not a Bot API server). Its text is Telegram's, no token.
            if "not found" in str(exc).lower():
                raise StartupError(
                    f"TELEGRAM_BOT_TOKEN: Telegram at {telegram_address(settings)} answered 404 "
                    "Not Found; check TELEGRAM_API_BASE_URL (normally "
                    "https://api.telegram.org/bot) and the token from @BotFather"
                ) from None
            raise StartupError(
                "TELEGRAM_BOT_TOKEN: Telegram rejected this token (401 Unauthorized): it was "
                "revoked or mistyped; get the current one from @BotFather (/token) and put it "
                "in TELEGRAM_BOT_TOKEN"
            ) from None
        except TimedOut:
            problem = f"timed out after {timeout:g} s"
        except NetworkError:
            problem = "connection failed"
        except TelegramError as exc:
            raise StartupError(
                f"Telegram at {telegram_address(settings)} did not answer getMe as a Bot API "
                f"server ({type(exc).__name__}); check TELEGRAM_API_BASE_URL"
            ) from None
        if attempt < attempts:
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_RETRY_S)
    raise StartupError(
        f"Telegram is unreachable at {telegram_address(settings)} ({problem}, {attempts} "
        f"attempt{'s' if attempts != 1 else ''}); check this machine's network, firewall or "
        "proxy, and TELEGRAM_API_BASE_URL"
    )


async def set_webhook(
    bot: Bot, settings: Settings, *, url: str, secret: str, allowed_updates: list[str]
) -> None:
    """Tell Telegram where to post updates, retrying as `reach_telegram` does (setWebhook is
    idempotent); StartupError when it keeps failing. A lost answer is the case to survive:
    Telegram may have set the webhook and be posting already, to a bot that must be up."""
    timeout = settings.telegram_startup_timeout_s
    attempts = settings.telegram_startup_attempts
    pause = FIRST_RETRY_S
    problem = ""
    for attempt in range(1, attempts + 1):
        try:
            await bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=allowed_updates,
                # One request at a time: updates are stored in the order Telegram sends them,
                # so a chat's messages are processed in order (storing takes milliseconds).
                max_connections=1,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            )
            return
        except TimedOut:
            problem = f"timed out after {timeout:g} s"
        except NetworkError as exc:  # also a 5xx, and an answer lost on the way back
            problem = type(exc).__name__
        except TelegramError as exc:  # 400: Telegram refuses the address itself
            raise StartupError(
                f"WEBHOOK_URL: Telegram refused setWebhook ({exc.message}); check that "
                "WEBHOOK_URL is a public https:// address"
            ) from None
        if attempt < attempts:
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_RETRY_S)
    raise StartupError(
        f"Telegram at {telegram_address(settings)} did not take setWebhook ({problem}, "
        f"{attempts} attempt{'s' if attempts != 1 else ''}); start the bot again, and run "
        "`python -m bot doctor` if it happens again"
    )
