"""Next-due computation across timezones and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import (
    in_quiet_hours,
    milestone,
    next_daily,
    next_weekly,
    parse_hhmm,
)

SEVEN_PM = time(19, 0)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # Tokyo has no DST: 19:00 JST is 10:00 UTC.
        ("Asia/Tokyo", utc(2026, 3, 2, 9, 0), utc(2026, 3, 2, 10, 0)),
        ("Asia/Tokyo", utc(2026, 3, 2, 10, 0), utc(2026, 3, 3, 10, 0)),  # strictly after
        # New York in winter (EST, -5) and summer (EDT, -4).
        ("America/New_York", utc(2026, 1, 15, 12, 0), utc(2026, 1, 16, 0, 0)),
        ("America/New_York", utc(2026, 7, 15, 12, 0), utc(2026, 7, 15, 23, 0)),
        # The US spring-forward day (8 March 2026): 19:00 is already EDT.
        ("America/New_York", utc(2026, 3, 8, 5, 0), utc(2026, 3, 8, 23, 0)),
        ("America/New_York", utc(2026, 3, 7, 23, 30), utc(2026, 3, 8, 0, 0)),  # 18:30 EST
        # The US fall-back day (1 November 2026): 19:00 is EST again.
        ("America/New_York", utc(2026, 11, 1, 12, 0), utc(2026, 11, 2, 0, 0)),
        # Southern hemisphere: Sydney leaves DST on 5 April 2026.
        ("Australia/Sydney", utc(2026, 4, 4, 9, 0), utc(2026, 4, 5, 9, 0)),
        # Half-hour offset.
        ("Asia/Kolkata", utc(2026, 6, 1, 0, 0), utc(2026, 6, 1, 13, 30)),
    ],
)
def test_next_daily(zone: str, after: datetime, expected: datetime) -> None:
    assert next_daily(SEVEN_PM, zone, after) == expected


def test_a_time_skipped_by_spring_forward_happens_after_the_gap() -> None:
    # 02:30 does not exist in New York on 8 March 2026; it becomes 03:30 EDT (07:30 UTC).
    assert next_daily(time(2, 30), "America/New_York", utc(2026, 3, 8, 0, 0)) == utc(
        2026, 3, 8, 7, 30
    )


def test_a_repeated_time_on_fall_back_means_the_first_one_and_only_once() -> None:
    first = next_daily(time(1, 30), "America/New_York", utc(2026, 11, 1, 0, 0))
    assert first == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    # The second 01:30 (EST, 06:30 UTC) is not another due time.
    assert next_daily(time(1, 30), "America/New_York", first) == utc(2026, 11, 2, 6, 30)


def test_daily_due_times_advance_one_per_local_day_through_a_dst_change() -> None:
    zone = ZoneInfo("America/New_York")
    moment = utc(2026, 3, 5, 0, 0)
    due = []
    for _ in range(7):
        moment = next_daily(SEVEN_PM, "America/New_York", moment)
        due.append(moment)
    local = [d.astimezone(zone) for d in due]
    assert [d.day for d in local] == [5, 6, 7, 8, 9, 10, 11]
    assert {d.hour for d in local} == {19}
    assert [d.hour for d in due] == [0, 0, 0, 23, 23, 23, 23]  # EST (-5), then EDT (-4)


def test_next_weekly() -> None:
    # Sunday 18:00 in Madrid; 2 March 2026 is a Monday.
    assert next_weekly(6, time(18, 0), "Europe/Madrid", utc(2026, 3, 2, 12, 0)) == utc(
        2026, 3, 8, 17, 0
    )
    # Across the EU change (29 March 2026): CEST, +2.
    assert next_weekly(6, time(18, 0), "Europe/Madrid", utc(2026, 3, 23, 0, 0)) == utc(
        2026, 3, 29, 16, 0
    )


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (utc(2026, 3, 2, 21, 59), False),  # 21:59 London
        (utc(2026, 3, 2, 22, 0), True),
        (utc(2026, 3, 3, 3, 0), True),
        (utc(2026, 3, 3, 7, 59), True),
        (utc(2026, 3, 3, 8, 0), False),
    ],
)
def test_quiet_hours_span_midnight(moment: datetime, quiet: bool) -> None:
    assert in_quiet_hours(moment, "Europe/London", time(22, 0), time(8, 0)) is quiet


def test_parse_hhmm() -> None:
    assert parse_hhmm("19:00") == time(19, 0)
    assert parse_hhmm("7:30") == time(7, 30)
    assert parse_hhmm("0730") == time(7, 30)
    assert parse_hhmm("19h15") == time(19, 15)
    for bad in ("24:00", "7pm", "19:60", "", "tomorrow"):
        assert parse_hhmm(bad) is None


def test_milestones() -> None:
    assert [d for d in range(1, 800) if milestone(d)] == [1, 7, 30, 60, 90, 180, 365, 730]
