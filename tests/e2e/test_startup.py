"""Start-up as a real process: every reason the bot cannot start is one line on stderr naming
the cause and the fix, never a traceback and never the token; no coordinator means no start;
the project's .env is found from any folder."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import PROJECT_DIR
from emulator import BotApiEmulator
from storage import migrate
from storage.db import create_engine, create_session_factory, transaction
from storage.models import Coordinator
from tests.conftest import COORDINATOR_ID
from tests.helpers import clean_env


def bot_env(emu: BotApiEmulator, db_url: str, **extra: str) -> dict[str, str]:
    settings = {
        "TELEGRAM_BOT_TOKEN": emu.token,
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "DATABASE_URL": db_url,
        "COORDINATOR_IDS": str(COORDINATOR_ID),
        # Fail fast when Telegram cannot be reached (a real start tries longer).
        "TELEGRAM_STARTUP_TIMEOUT_S": "1",
        "TELEGRAM_STARTUP_ATTEMPTS": "2",
    }
    return clean_env(**{**settings, **extra})


async def run_bot(
    cwd: Path, env: dict[str, str], *args: str, timeout: float = 60
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def assert_one_line_refusal(
    code: int, stdout: str, stderr: str, token: str, *phrases: str
) -> str:
    """Non-zero exit, one line on stderr holding every phrase, and the token nowhere."""
    assert code != 0, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    assert token not in stdout and token not in stderr
    assert token.split(":")[1] not in stderr
    return lines[0]


def no_token_in_files(folder: Path, token: str) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A server that accepts connections and never answers (a black hole behind a proxy)."""
    writers: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/bot"
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


@pytest.mark.parametrize("command", [["run"], []])
async def test_a_token_telegram_rejects_is_one_line(
    emu: BotApiEmulator, db_url: str, tmp_path: Path, command: list[str]
) -> None:
    emu.token_revoked = True
    code, out, err = await run_bot(tmp_path, bot_env(emu, db_url), *command)
    assert_one_line_refusal(code, out, err, emu.token, "TELEGRAM_BOT_TOKEN", "401", "@BotFather")
    no_token_in_files(tmp_path, emu.token)
    assert not emu.calls  # nothing but getMe was tried (answered 401, so not recorded)


async def test_telegram_refusing_connections_is_one_line(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    port = unused_port()
    env = bot_env(emu, db_url, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot")
    code, out, err = await run_bot(tmp_path, env, "run", timeout=30)
    line = assert_one_line_refusal(
        code, out, err, emu.token, "Telegram", f"127.0.0.1:{port}", "TELEGRAM_API_BASE_URL"
    )
    assert "2 attempts" in line
    no_token_in_files(tmp_path, emu.token)


async def test_telegram_not_answering_is_one_line(
    emu: BotApiEmulator, db_url: str, tmp_path: Path, silent_server: str
) -> None:
    env = bot_env(emu, db_url, TELEGRAM_API_BASE_URL=silent_server)
    code, out, err = await run_bot(tmp_path, env, "run", timeout=30)
    line = assert_one_line_refusal(code, out, err, emu.token, "Telegram", "TELEGRAM_API_BASE_URL")
    assert "timed out" in line


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in: read-only by its mode, or (as root, who
    ignores modes) one on a filesystem that refuses new files."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        (folder / "probe").touch()
    except PermissionError:
        return folder
    (folder / "probe").unlink()
    return Path("/sys/kernel")


async def test_a_database_folder_that_is_not_writable_is_one_line(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    folder = unwritable_folder(tmp_path)
    db_url = f"sqlite+aiosqlite:///{folder / 'bot.sqlite3'}"
    code, out, err = await run_bot(tmp_path, bot_env(emu, db_url), "run")
    assert_one_line_refusal(code, out, err, emu.token, "DATABASE_URL", str(folder), "writable")
    assert not emu.calls


async def test_a_database_path_under_a_file_is_one_line(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    (tmp_path / "data").write_text("not a folder")
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.sqlite3'}"
    code, out, err = await run_bot(tmp_path, bot_env(emu, db_url), "run")
    assert_one_line_refusal(code, out, err, emu.token, "DATABASE_URL", "writable")


@pytest.mark.parametrize(
    ("url", "phrases"),
    [
        ("postgresql+asyncpg://bot:pw-secret@127.0.0.1/bot", ("DATABASE_URL", "asyncpg", "pip")),
        ("mysql+aiomysql://bot:pw-secret@127.0.0.1/bot", ("DATABASE_URL", "sqlite+aiosqlite")),
    ],
)
async def test_a_database_driver_that_is_not_installed_is_one_line(
    emu: BotApiEmulator, tmp_path: Path, url: str, phrases: tuple[str, ...]
) -> None:
    # A machine without the PostgreSQL extra: asyncpg cannot be imported there (the dev extras
    # install it here, so a package of that name that fails to import stands in for none).
    shadow = tmp_path / "no_asyncpg"
    (shadow / "asyncpg").mkdir(parents=True)
    (shadow / "asyncpg" / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = bot_env(emu, url, PYTHONPATH=str(shadow))
    code, out, err = await run_bot(tmp_path, env, "run")
    assert_one_line_refusal(code, out, err, emu.token, *phrases)
    assert "pw-secret" not in err


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        (json.dumps({"es": "Llama al 988"}), '"en"'),
        (json.dumps(["988"]), '"en"'),
    ],
)
async def test_a_missing_or_malformed_crisis_file_is_one_line(
    emu: BotApiEmulator, db_url: str, tmp_path: Path, content: str | None, phrase: str
) -> None:
    path = tmp_path / "crisis.json"
    if content is not None:
        path.write_text(content)
    env = bot_env(emu, db_url, CRISIS_RESOURCES_FILE=str(path))
    code, out, err = await run_bot(tmp_path, env, "run")
    assert_one_line_refusal(code, out, err, emu.token, "CRISIS_RESOURCES_FILE", str(path), phrase)
    assert not emu.calls


async def test_no_coordinator_anywhere_refuses_to_start(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    env = bot_env(emu, db_url, COORDINATOR_IDS="")
    code, out, err = await run_bot(tmp_path, env, "run")
    assert_one_line_refusal(
        code, out, err, emu.token, "COORDINATOR_IDS", "your Telegram user id", "/id"
    )
    assert not [method for method, _ in emu.calls if method == "getUpdates"]


async def start_then_stop(tmp_path: Path, env: dict[str, str], emu: BotApiEmulator) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    await emu.wait_for(
        lambda: any(method == "getUpdates" for method, _ in emu.calls),
        timeout=30,
        what="the bot to fetch updates",
    )
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_a_coordinator_in_the_database_is_enough(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    await migrate.upgrade(db_url)
    engine = create_engine(db_url)
    async with transaction(create_session_factory(engine)) as s:
        s.add(Coordinator(telegram_user_id=2000, added_at=datetime.now(UTC), added_by=1000))
    await engine.dispose()
    await start_then_stop(tmp_path, bot_env(emu, db_url, COORDINATOR_IDS=""), emu)


async def test_allow_no_coordinator_starts_with_a_warning(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    env = bot_env(emu, db_url, COORDINATOR_IDS="", ALLOW_NO_COORDINATOR="1")
    stderr = await start_then_stop(tmp_path, env, emu)
    assert "no coordinator" in stderr and "COORDINATOR_IDS" in stderr


async def test_env_file_is_read_from_any_folder_and_the_environment_wins(
    emu: BotApiEmulator, db_url: str, tmp_path: Path
) -> None:
    env_file = tmp_path / "program.env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={emu.token}\n"
        "TELEGRAM_API_BASE_URL=http://127.0.0.1:1/bot\n"
        f"DATABASE_URL={db_url}\n"
        f"COORDINATOR_IDS={COORDINATOR_ID}\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(TELEGRAM_API_BASE_URL=emu.base_url)  # the environment wins over the file
    code, out, err = await run_bot(elsewhere, env, "doctor", "--env-file", str(env_file))
    assert code == 0, out + err
    assert f"ok  token: @{emu.bot_username}" in out
    assert emu.token not in out + err


async def test_a_missing_env_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.env"
    code, out, err = await run_bot(tmp_path, clean_env(), "run", "--env-file", str(missing))
    assert code != 0
    assert err.strip().splitlines() == [
        f"Configuration error: --env-file: no such file {missing}"
    ]


async def test_auto_mode_from_another_folder_names_where_it_looked(tmp_path: Path) -> None:
    code, out, err = await run_bot(tmp_path, clean_env(), timeout=120)
    assert code == 0, err[-2000:]
    assert out.splitlines()[0] == (
        f"No TELEGRAM_BOT_TOKEN in the environment or {PROJECT_DIR / '.env'}: "
        "running the offline demo."
    )
    assert "=== What Sam (mentee) sees" in out


def test_the_project_env_file_is_beside_pyproject() -> None:
    assert (PROJECT_DIR / "pyproject.toml").is_file()
    assert PROJECT_DIR == Path(__file__).resolve().parents[2]
