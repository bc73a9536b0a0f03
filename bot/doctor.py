"""`python -m bot doctor`: everything that would stop the bot or endanger a program, checked
before a real start; one line per check, then the delivery report of `/health`.

Each line is `ok|warning|error  <check>: <detail>`; the exit status is 1 when any check is
an error (warnings keep 0). Nothing printed carries the token or a database password.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from telegram import Bot, ChatMemberRestricted, User
from telegram.error import TelegramError

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, StartupError, data_cipher
from bot.i18n import render
from bot.preflight import NO_COORDINATOR, check_database_writable, reach_telegram
from bot.services.escalation import load_crisis_resources
from bot.services.health import delivery_health, health_report
from bot.services.languages import program_language
from bot.services.members import coordinator_ids
from storage import crypto, migrate
from storage.crypto import DataCipher
from storage.db import create_engine, create_session_factory, sqlite_path, transaction
from storage.keycheck import KeyMismatch, verify_keys

MB = 1024 * 1024
DISK_WARNING_BYTES = 500 * MB  # a few weeks of a busy program; time to make room
DISK_ERROR_BYTES = 50 * MB  # a full disk stops every write: messages wait, alarms too

Status = Literal["ok", "warning", "error"]


def free_disk_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


@dataclass
class Report:
    errors: int = 0

    def __call__(self, status: Status, check: str, detail: str) -> None:
        self.errors += status == "error"
        print(f"{status}  {check}: {detail}", flush=True)


async def run_doctor(
    settings: Settings, *, free_bytes: Callable[[Path], int] = free_disk_bytes
) -> int:
    """Print one line per check and the delivery report; exit status 1 if any check failed."""
    report = Report()
    report("ok", "settings", "read")
    cipher = _check_encryption(settings, report)
    try:
        resources = load_crisis_resources(settings)
        languages = ", ".join(sorted(resources))
        report("ok", "crisis resources", f"{len(resources)} languages ({languages})")
    except ConfigError as exc:
        report("error", "crisis resources", str(exc))
    try:
        check_database_writable(settings)
    except ConfigError as exc:
        report("error", "database", str(exc))
        _check_coordinators(settings, None, report)
        await _check_telegram(settings, report)
        return 1
    _check_disk(settings, free_bytes, report)
    migrated, staff = await _check_database(settings, cipher, report)
    _check_coordinators(settings, staff, report)
    token_rejected = await _check_telegram(settings, report)
    if migrated:
        await _delivery_report(settings, token_rejected)
    return 1 if report.errors else 0


def _check_encryption(settings: Settings, report: Report) -> DataCipher | None:
    try:
        cipher = data_cipher(settings)
    except ConfigError as exc:
        report("error", "encryption", str(exc))
        return None
    crypto.configure(cipher)
    if cipher.encrypts:
        report("ok", "encryption", "texts and Telegram ids encrypted at rest")
    else:
        report(
            "warning",
            "encryption",
            "OFF (ALLOW_UNENCRYPTED=1): for trying it out with made-up people only",
        )
    return cipher


def _check_disk(settings: Settings, free_bytes: Callable[[Path], int], report: Report) -> None:
    path = sqlite_path(settings.database_url)
    if path is None:
        report("ok", "disk", "not checked (the database is not a SQLite file here)")
        return
    free = free_bytes(path.parent)
    detail = f"{free // MB} MB free where the database lives ({path.parent})"
    if free < DISK_ERROR_BYTES:
        report("error", "disk", f"{detail}; writes fail when it is full: make room now")
    elif free < DISK_WARNING_BYTES:
        report("warning", "disk", f"{detail}; make room before it runs out")
    else:
        report("ok", "disk", detail)


async def _check_database(
    settings: Settings, cipher: DataCipher | None, report: Report
) -> tuple[bool, list[int]]:
    """(migrated to the code's revision, coordinators stored)."""
    engine = create_engine(settings.database_url)
    try:
        try:
            current = await migrate.current_revision(engine)
        except Exception as exc:  # any driver error means the same here; its text may hold SQL
            report("error", "database", f"cannot be opened ({type(exc).__name__})")
            return False, []
        report("ok", "database", "opens and is writable")
        head = migrate.head_revision(settings.database_url)
        if current != head:
            report(
                "warning",
                "migrations",
                f"pending (database at {current or 'nothing yet'}, code at {head}); "
                + (
                    "starting the bot applies them"
                    if settings.auto_migrate
                    else "run `python -m bot migrate` (AUTO_MIGRATE=0)"
                ),
            )
            report("warning", "keys", "not checked until the migrations are applied")
            return False, []
        report("ok", "migrations", f"at {head}")
        factory = create_session_factory(engine, default_language=settings.default_language)
        if cipher is not None:
            try:
                async with transaction(factory) as session:
                    await verify_keys(session, cipher, None)
                report("ok", "keys", "they open this database")
            except KeyMismatch as exc:
                report("error", "keys", str(exc))
        async with transaction(factory) as session:
            staff = await coordinator_ids(session)
        return True, staff
    finally:
        await engine.dispose()


def _check_coordinators(settings: Settings, stored: list[int] | None, report: Report) -> None:
    configured = set(settings.coordinator_ids)
    added = set(stored or ()) - configured
    if configured or added:
        report(
            "ok",
            "coordinators",
            f"{len(configured)} in COORDINATOR_IDS, {len(added)} more added with /coordinators",
        )
    elif settings.allow_no_coordinator:
        report("warning", "coordinators", f"none (ALLOW_NO_COORDINATOR=1). {NO_COORDINATOR}")
    else:
        report("error", "coordinators", NO_COORDINATOR)


async def _check_telegram(settings: Settings, report: Report) -> bool:
    """The token and the staff chat; True when Telegram rejected the token."""
    if settings.telegram_bot_token is None:
        report("warning", "token", "not configured (`python -m bot` runs the offline demo)")
        _staff_chat_unchecked(settings, report)
        return False
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url.rstrip("/"),
    )
    try:
        try:
            me = await reach_telegram(bot, settings)
        except StartupError as exc:
            report("error", "token", str(exc))
            _staff_chat_unchecked(settings, report)
            return "401" in str(exc)
        report("ok", "token", f"@{me.username}")
        await _check_staff_chat(bot, me, settings, report)
        return False
    finally:
        await bot.request.shutdown()


def _staff_chat_unchecked(settings: Settings, report: Report) -> None:
    if settings.coordinator_chat_id is not None:
        report("warning", "staff chat", "not checked (no working token)")


async def _check_staff_chat(bot: Bot, me: User, settings: Settings, report: Report) -> None:
    chat_id = settings.coordinator_chat_id
    if chat_id is None:
        report("ok", "staff chat", "not set (escalation cards go to each coordinator)")
        return
    fix = "add the bot to the group and let it post, or correct COORDINATOR_CHAT_ID"
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, me.id)
    except TelegramError as exc:
        report("error", "staff chat", f"{chat_id}: {_telegram_says(exc)}; {fix}")
        return
    if member.status in ("left", "kicked"):
        report(
            "error", "staff chat", f"{chat_id}: the bot is not a member ({member.status}); {fix}"
        )
        return
    if isinstance(member, ChatMemberRestricted) and member.can_send_messages is False:
        report("error", "staff chat", f"{chat_id}: the bot cannot post there (restricted); {fix}")
        return
    kind = "a forum: cards go to its General topic, keep it open" if chat.is_forum else (
        "not a forum"
    )
    report("ok", "staff chat", f"{chat_id} ({chat.type}, {kind}); the bot is {member.status}")


def _telegram_says(exc: TelegramError) -> str:
    """Telegram's own description (no token in it), without its "Bad Request: " prefix."""
    return str(exc.message).split(": ", 1)[-1] if ": " in exc.message else exc.message


async def _delivery_report(settings: Settings, token_rejected: bool) -> None:
    engine = create_engine(settings.database_url)
    try:
        now = SystemClock().now()
        factory = create_session_factory(engine, default_language=settings.default_language)
        async with transaction(factory) as session:
            text = render(
                health_report(
                    await delivery_health(
                        session,
                        now,
                        token_rejected_since=now if token_rejected else None,
                        staff_chat_id=settings.coordinator_chat_id,
                    )
                ),
                program_language(session),
            )
        print(_plain(text))
    finally:
        await engine.dispose()


def _plain(html_text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"</?b>", "", html_text))
