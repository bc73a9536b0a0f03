"""A missing or malformed setting stops start-up with one line naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from tests.helpers import clean_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"coordinator_ids": "12, abc"}, "COORDINATOR_IDS"),
        ({"telegram_bot_token": "put-your-token-here"}, "TELEGRAM_BOT_TOKEN"),
        ({"default_timezone": "Mars/Base"}, "DEFAULT_TIMEZONE"),
        ({"mentor_capacity": "0"}, "MENTOR_CAPACITY"),
        ({"database_url": "mysql://x"}, "DATABASE_URL"),
        ({"coordinator_chat_id": "not-a-number"}, "COORDINATOR_CHAT_ID"),
    ],
)
def test_bad_setting_is_named(overrides: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, **overrides)
    message = str(error.value)
    assert message.startswith(f"{named}:") and "\n" not in message


def test_good_settings_parse() -> None:
    settings = load_settings(
        _env_file=None,
        coordinator_ids="11, 22",
        coordinator_chat_id="-100123",
        telegram_bot_token="123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789",
        mentor_capacity="5",
    )
    assert settings.coordinator_ids == (11, 22)
    assert settings.coordinator_chat_id == -100123
    assert settings.mentor_capacity == 5
    assert settings.telegram_bot_token is not None
    assert "ABCdef" not in repr(settings)  # the token is a secret
    assert settings.webhook_listen == "127.0.0.1"  # not reachable but through the proxy


def test_start_up_with_a_bad_setting_prints_one_line(tmp_path: Path) -> None:
    env = clean_env()
    env["COORDINATOR_IDS"] = "staff"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: COORDINATOR_IDS: must be comma-separated numeric Telegram user ids"
    ]
    assert "Traceback" not in result.stderr


def test_run_without_token_says_so(tmp_path: Path) -> None:
    env = clean_env()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "Traceback" not in result.stderr
