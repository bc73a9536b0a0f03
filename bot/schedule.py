"""When check-ins fall due: pure functions over IANA timezones, daylight saving included."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HHMM_RE = re.compile(r"^([01]?[0-9]|2[0-3])[:.h]?([0-5][0-9])$")
MILESTONE_DAYS = (1, 7, 30, 60, 90, 180, 365)


def parse_hhmm(text: str) -> time | None:
    """'19:00', '7:30', '0730' or '19h00' → a time; anything else → None."""
    match = HHMM_RE.match(text.strip().lower())
    if match is None:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def quiet_hours_of(setting: str) -> tuple[time, time]:
    """'22:00-08:00' (validated by the settings) → (start, end)."""
    start, end = (parse_hhmm(part) for part in setting.split("-"))
    if start is None or end is None:
        raise ValueError(f"not quiet hours: {setting!r}")
    return start, end


def format_hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def at_local(day: date, local: time, zone: str) -> datetime:
    """The UTC instant of a wall-clock time on a day in a zone.

    A time skipped by a spring-forward change happens that much later (02:30 becomes 03:30);
    a time that occurs twice in the autumn means its first occurrence.
    """
    return datetime.combine(day, local, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def next_daily(local: time, zone: str, after: datetime) -> datetime:
    """The first daily occurrence of `local` in `zone` strictly after `after` (UTC)."""
    day = after.astimezone(ZoneInfo(zone)).date()
    for offset in range(3):
        candidate = at_local(day + timedelta(days=offset), local, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a day always has the time")


def next_weekly(weekday: int, local: time, zone: str, after: datetime) -> datetime:
    """The first `weekday` (0 = Monday) at `local` in `zone` strictly after `after` (UTC)."""
    day = after.astimezone(ZoneInfo(zone)).date()
    for offset in range(15):
        candidate_day = day + timedelta(days=offset)
        if candidate_day.weekday() != weekday:
            continue
        candidate = at_local(candidate_day, local, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a fortnight always has the weekday")


def in_window(local: time, start: time, end: time) -> bool:
    """Whether a wall-clock time falls in [start, end); the window may span midnight."""
    if start == end:
        return False
    return start <= local < end if start < end else (local >= start or local < end)


def in_quiet_hours(moment: datetime, zone: str, start: time, end: time) -> bool:
    """Whether `moment` falls in the quiet hours [start, end) of that zone."""
    return in_window(moment.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None), start, end)


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def milestone(days: int) -> bool:
    """1, 7, 30, 60, 90, 180 and 365 days, then every full year."""
    return days in MILESTONE_DAYS or (days > 0 and days % 365 == 0)
