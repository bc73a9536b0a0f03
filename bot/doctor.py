"""`python -m bot doctor`: check settings, database, migrations and the token; show the outbox."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, data_cipher, database_engine
from bot.services.health import delivery_health, health_report
from storage import crypto, migrate
from storage.db import create_session_factory, transaction
from storage.keycheck import KeyMismatch, verify_keys


async def run_doctor(settings: Settings) -> int:
    """Print one line per check and the delivery report; exit status 1 if anything failed."""
    ok = True
    print("settings: ok")
    try:
        cipher = data_cipher(settings)
    except ConfigError as exc:
        print(f"encryption: FAILED ({exc})")
        return 1
    crypto.configure(cipher)
    if cipher.encrypts:
        print("encryption: ok (texts and Telegram ids encrypted at rest)")
    else:
        print("encryption: OFF (ALLOW_UNENCRYPTED=1: for local use only, never for real people)")
    engine = database_engine(settings)
    try:
        try:
            current = await migrate.current_revision(engine)
            print("database: ok")
        except Exception as exc:  # any driver error means the same thing here
            print(f"database: FAILED ({type(exc).__name__})")
            return 1
        if engine.dialect.name == "postgresql":
            ok = await _check_postgres_version(engine) and ok
        head = migrate.head_revision(settings.database_url)
        if current == head:
            print(f"migrations: ok (at {head})")
        else:
            ok = False
            print(
                f"migrations: BEHIND (database at {current}, code at {head}); "
                + (
                    "starting the bot applies them"
                    if settings.auto_migrate
                    else "run `python -m bot migrate` (AUTO_MIGRATE=0)"
                )
            )
        if current == head:
            try:
                async with transaction(create_session_factory(engine)) as session:
                    await verify_keys(session, cipher, None)
                print("keys: ok (they open this database)")
            except KeyMismatch as exc:
                ok = False
                print(f"keys: MISMATCH ({exc})")
        token_ok, token_rejected = await _check_token(settings)
        ok = token_ok and ok
        if current == head:
            now = SystemClock().now()
            async with transaction(create_session_factory(engine)) as session:
                report = health_report(
                    await delivery_health(
                        session,
                        now,
                        token_rejected_since=now if token_rejected else None,
                        staff_chat_id=settings.coordinator_chat_id,
                    )
                )
            print(_plain(report))
    finally:
        await engine.dispose()
    return 0 if ok else 1


POSTGRES_MIN_VERSION = 130000  # 13: the oldest release the bot is tested against and supported


async def _check_postgres_version(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        number = int(await conn.scalar(text("SHOW server_version_num")) or 0)
    shown = f"{number // 10000}.{number % 10000}"
    if number < POSTGRES_MIN_VERSION:
        print(f"postgresql: TOO OLD (server {shown}; PostgreSQL 13 or newer is needed)")
        return False
    print(f"postgresql: ok (server {shown})")
    return True


async def _check_token(settings: Settings) -> tuple[bool, bool]:
    """(passed, rejected by Telegram)."""
    if settings.telegram_bot_token is None:
        print("token: not configured (the demo runs instead of the bot)")
        return True, False
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url.rstrip("/"),
    )
    try:
        async with bot:
            print(f"token: ok (@{bot.username})")
            return True, False
    except InvalidToken:
        print("token: REJECTED by Telegram (401): a running bot sends nothing until it works")
        return False, True
    except TelegramError as exc:
        print(f"token: could not check ({type(exc).__name__})")
    return False, False


def _plain(html_text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?b>", "", html_text))
