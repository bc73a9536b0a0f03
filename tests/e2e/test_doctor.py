"""`python -m bot doctor`: one line per check (`ok|warning|error  <check>: <detail>`), against
the emulator, for each thing that would stop or endanger a real program; exit status 1 on any
error, 0 with only warnings."""

from __future__ import annotations

import asyncio
import re
import socket
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.doctor import DISK_ERROR_BYTES, DISK_WARNING_BYTES, run_doctor
from emulator import BotApiEmulator
from storage import migrate
from tests.helpers import clean_env

STAFF_CHAT = -1001234567890
LINE = re.compile(r"^(ok|warning|error)  ([a-z ]+): (.+)$")
PLENTY = 20 * 1024**3


def checks_of(out: str) -> dict[str, tuple[str, str]]:
    found = {}
    for line in out.splitlines():
        match = LINE.match(line)
        if match:
            found[match.group(2)] = (match.group(1), match.group(3))
    return found


async def doctor(
    capsys: pytest.CaptureFixture[str], settings: Settings, free: int = PLENTY, **updates: object
) -> tuple[int, dict[str, tuple[str, str]], str]:
    settings = settings.model_copy(
        update={"telegram_startup_timeout_s": 1.0, "telegram_startup_attempts": 1, **updates}
    )
    code = await run_doctor(settings, free_bytes=lambda _folder: free)
    out = capsys.readouterr().out
    return code, checks_of(out), out


@pytest.fixture
async def ready(settings: Settings, emu: BotApiEmulator) -> Settings:
    """A program ready for its first week: migrated database, a staff supergroup (a forum)
    where the bot is an administrator."""
    await migrate.upgrade(settings.database_url)
    emu.add_supergroup(STAFF_CHAT, "Staff", forum=True)
    emu.set_bot_status(STAFF_CHAT, "administrator")
    return settings.model_copy(update={"coordinator_chat_id": STAFF_CHAT})


async def test_a_ready_program_passes_every_check(
    ready: Settings, emu: BotApiEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, checks, out = await doctor(capsys, ready)
    assert code == 0, out
    for name in (
        "settings",
        "encryption",
        "crisis resources",
        "database",
        "disk",
        "migrations",
        "keys",
        "coordinators",
        "token",
        "staff chat",
    ):
        assert checks[name][0] == "ok", (name, out)
    assert checks["token"][1] == f"@{emu.bot_username}"
    assert "forum" in checks["staff chat"][1] and "administrator" in checks["staff chat"][1]
    assert emu.token not in out


async def test_a_staff_chat_that_is_not_a_forum_says_so(
    settings: Settings, emu: BotApiEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    await migrate.upgrade(settings.database_url)
    emu.add_supergroup(STAFF_CHAT, "Staff")
    code, checks, out = await doctor(capsys, settings, coordinator_chat_id=STAFF_CHAT)
    assert code == 0, out
    assert checks["staff chat"][0] == "ok"
    assert "not a forum" in checks["staff chat"][1] and "member" in checks["staff chat"][1]


@pytest.mark.parametrize(
    ("breakage", "phrase"),
    [
        ("unknown", "chat not found"),
        ("kicked", "not a member"),
        ("left", "not a member"),
        ("muted", "cannot post"),
    ],
)
async def test_a_broken_staff_chat_is_an_error(
    ready: Settings,
    emu: BotApiEmulator,
    capsys: pytest.CaptureFixture[str],
    breakage: str,
    phrase: str,
) -> None:
    updates: dict[str, object] = {}
    if breakage == "unknown":
        updates["coordinator_chat_id"] = -1009999999999
    elif breakage == "kicked":
        emu.kicked.add(STAFF_CHAT)
    elif breakage == "left":
        emu.set_bot_status(STAFF_CHAT, "left")
    else:
        emu.set_bot_status(STAFF_CHAT, "restricted", can_send_messages=False)
    code, checks, out = await doctor(capsys, ready, **updates)
    assert code == 1, out
    status, detail = checks["staff chat"]
    assert status == "error" and phrase in detail.lower() and "COORDINATOR_CHAT_ID" in detail


@pytest.mark.sqlite_only(
    reason="free disk is checked where the SQLite file lives; a PostgreSQL server's disk is "
    "its operator's to watch"
)
@pytest.mark.parametrize(
    ("free", "status", "code"),
    [
        (DISK_WARNING_BYTES - 1, "warning", 0),
        (DISK_ERROR_BYTES - 1, "error", 1),
    ],
)
async def test_little_free_disk_is_a_warning_then_an_error(
    ready: Settings, capsys: pytest.CaptureFixture[str], free: int, status: str, code: int
) -> None:
    exit_code, checks, out = await doctor(capsys, ready, free=free)
    assert exit_code == code, out
    assert checks["disk"][0] == status and "MB free" in checks["disk"][1]


@pytest.mark.sqlite_only(
    reason="the PostgreSQL test database is created already at the head migration"
)
async def test_pending_migrations_are_a_warning(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, checks, out = await doctor(capsys, settings)  # a database nobody has started yet
    assert code == 0, out
    assert checks["migrations"][0] == "warning" and "pending" in checks["migrations"][1]


async def test_no_coordinator_is_an_error(
    ready: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, checks, out = await doctor(capsys, ready, coordinator_ids=())
    assert code == 1, out
    assert checks["coordinators"][0] == "error" and "COORDINATOR_IDS" in checks["coordinators"][1]


async def test_a_bad_crisis_file_is_an_error(
    ready: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "crisis.json"
    path.write_text("{broken")
    code, checks, out = await doctor(capsys, ready, crisis_resources_file=str(path))
    assert code == 1, out
    assert checks["crisis resources"][0] == "error" and "not valid JSON" in out


async def test_a_revoked_token_is_an_error(
    ready: Settings, emu: BotApiEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emu.token_revoked = True
    code, checks, out = await doctor(capsys, ready)
    assert code == 1, out
    assert checks["token"][0] == "error" and "401" in checks["token"][1]
    assert checks["staff chat"][0] == "warning"  # cannot be checked without a token
    assert emu.token not in out


async def test_telegram_unreachable_is_an_error(
    ready: Settings, emu: BotApiEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, checks, out = await doctor(
        capsys, ready, telegram_api_base_url=f"http://127.0.0.1:{port}/bot"
    )
    assert code == 1, out
    assert checks["token"][0] == "error" and "unreachable" in checks["token"][1]
    assert emu.token not in out


async def test_a_database_that_cannot_be_written_or_opened_is_an_error(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("not a folder")
    code, checks, out = await doctor(
        capsys, settings, database_url=f"sqlite+aiosqlite:///{tmp_path / 'file' / 'db.sqlite3'}"
    )
    assert code == 1, out
    assert checks["database"][0] == "error" and "writable" in checks["database"][1]

    # A machine without the PostgreSQL extra (asyncpg cannot be imported there).
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "asyncpg", None)
        code, checks, out = await doctor(
            capsys, settings, database_url="postgresql+asyncpg://bot:pw-secret@127.0.0.1/bot"
        )
    assert code == 1, out
    assert checks["database"][0] == "error" and "asyncpg" in checks["database"][1]
    assert "pw-secret" not in out

    # A server that is not there (port 1 on this machine): an error, the password unsaid.
    code, checks, out = await doctor(
        capsys, settings, database_url="postgresql+asyncpg://bot:pw-secret@127.0.0.1:1/bot"
    )
    assert code == 1, out
    assert checks["database"][0] == "error" and "cannot be opened" in checks["database"][1]
    assert "pw-secret" not in out


async def test_a_malformed_setting_is_an_error_line(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        cwd=tmp_path,
        env=clean_env(COORDINATOR_IDS="staff"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert stdout.decode().splitlines() == [
        "error  settings: COORDINATOR_IDS: must be comma-separated numeric Telegram user ids"
    ]
    assert not stderr
