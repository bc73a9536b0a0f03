"""PROGRAM_HOURS: parsed strictly, and the open/closed stretches it makes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import ConfigError, load_settings
from bot.hours import ProgramHours

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mon-fri 09:00-17:00, fri 10:00-11:00", "fri is given twice"),
        ("mon-fri 9-5", "must look like 09:00-17:00"),
        ("fri-mon 09:00-17:00", "from Monday towards Sunday"),
        ("weekdays 09:00-17:00", "days are mon"),
        ("mon 17:00-09:00", "must end after it starts"),
        ("mon-fri 09:00-17:00,", "must look like"),
    ],
)
def test_malformed_hours_stop_start_up_with_one_line(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(
            telegram_bot_token=TOKEN, program_hours=value, allow_unencrypted=True, _env_file=None
        )
    assert str(caught.value).startswith("PROGRAM_HOURS: ") and "\n" not in str(caught.value)


def test_open_closed_and_when_staff_are_back_in_the_program_timezone() -> None:
    hours = ProgramHours.parse("mon-fri 09:00-17:00, sat 10:00-12:00", "America/New_York")
    monday_noon = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 12:00 in New York
    assert hours.is_open(monday_noon) and hours.closed_since(monday_noon) is None
    friday_night = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)  # Friday 20:00 in New York
    assert not hours.is_open(friday_night)
    assert hours.closed_since(friday_night) == datetime(2026, 3, 6, 22, 0, tzinfo=UTC)
    assert hours.next_open(friday_night) == datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    sunday = datetime(2026, 3, 8, 18, 0, tzinfo=UTC)  # after the DST change: UTC-4
    assert hours.next_open(sunday) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
