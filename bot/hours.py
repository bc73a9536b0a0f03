"""Program hours: when staff are at their desks, per weekday, in the program's timezone.

`PROGRAM_HOURS` reads like "mon-fri 09:00-17:00, sat 10:00-14:00": comma-separated clauses,
each a weekday or a range of weekdays and one window (start before end, within the day). A
weekday named twice, a window that ends before it starts, or anything else is refused at
start with a line saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.schedule import format_hhmm, parse_hhmm

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough to find the next window of any week with at least one.
_SEARCH_DAYS = 8


class ProgramHoursError(ValueError):
    pass


@dataclass(frozen=True)
class ProgramHours:
    windows: dict[int, tuple[time, time]]  # weekday (0 = Monday) -> (start, end)
    zone: str

    @classmethod
    def parse(cls, value: str, zone: str) -> ProgramHours:
        windows: dict[int, tuple[time, time]] = {}
        clauses = [c.strip() for c in value.split(",")]
        if not value.strip() or any(not c for c in clauses):
            raise ProgramHoursError("must look like 'mon-fri 09:00-17:00, sat 10:00-14:00'")
        for clause in clauses:
            parts = clause.lower().split()
            if len(parts) != 2:
                raise ProgramHoursError(f"{clause!r}: want '<days> <HH:MM>-<HH:MM>'")
            days, window = parts
            for day in _days(days, clause):
                if day in windows:
                    raise ProgramHoursError(f"{clause!r}: {WEEKDAYS[day]} is given twice")
                windows[day] = _window(window, clause)
        return cls(windows=windows, zone=zone)

    def describe(self) -> str:
        return ", ".join(
            f"{WEEKDAYS[d]} {format_hhmm(s)}-{format_hhmm(e)}"
            for d, (s, e) in sorted(self.windows.items())
        )

    def _local_windows(self, around: datetime) -> list[tuple[datetime, datetime]]:
        zone = ZoneInfo(self.zone)
        today = around.astimezone(zone).date()
        found = []
        for offset in range(-_SEARCH_DAYS, _SEARCH_DAYS + 1):
            day: date = today + timedelta(days=offset)
            window = self.windows.get(day.weekday())
            if window is not None:
                start = datetime.combine(day, window[0], zone)
                end = datetime.combine(day, window[1], zone)
                found.append((start, end))
        return found

    def is_open(self, now: datetime) -> bool:
        return any(start <= now < end for start, end in self._local_windows(now))

    def next_open(self, now: datetime) -> datetime | None:
        """When staff are next at their desks (None: no hours at all)."""
        starts = [start for start, _ in self._local_windows(now) if start > now]
        return min(starts) if starts else None

    def closed_since(self, now: datetime) -> datetime | None:
        """When the present out-of-hours stretch began (None: open now, or no hours)."""
        if self.is_open(now):
            return None
        ends = [end for _, end in self._local_windows(now) if end <= now]
        return max(ends) if ends else now - timedelta(days=_SEARCH_DAYS)


def _days(text: str, clause: str) -> list[int]:
    first, dash, last = text.partition("-")
    if first not in WEEKDAYS or (dash and last not in WEEKDAYS):
        raise ProgramHoursError(f"{clause!r}: days are mon, tue, wed, thu, fri, sat, sun")
    a = WEEKDAYS.index(first)
    b = WEEKDAYS.index(last) if dash else a
    if b < a:
        raise ProgramHoursError(f"{clause!r}: a range of days goes from Monday towards Sunday")
    return list(range(a, b + 1))


def _window(text: str, clause: str) -> tuple[time, time]:
    parts = text.split("-")
    times = [parse_hhmm(p) for p in parts] if len(parts) == 2 else []
    if len(times) != 2 or times[0] is None or times[1] is None:
        raise ProgramHoursError(f"{clause!r}: the hours must look like 09:00-17:00")
    if times[0] >= times[1]:
        raise ProgramHoursError(f"{clause!r}: the window must end after it starts")
    return times[0], times[1]
