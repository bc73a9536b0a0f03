"""Per-person flood control for relayed messages: nothing is refused, the excess waits.

At most `per_minute` of one person's messages are passed on in any 60 seconds; the next one
is scheduled for the moment the window allows, so a burst arrives spread out and in order.
The writer is told once per burst. State lives in memory: after a restart a person simply
starts with a fresh allowance.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


@dataclass
class Slot:
    not_before: datetime | None  # None: send as soon as the outbox allows
    first_delayed: bool  # the first message of this burst to wait: tell the writer


@dataclass
class _Sender:
    times: deque[datetime] = field(default_factory=deque)  # scheduled sends, ascending
    warned_until: datetime | None = None


class FloodGate:
    def __init__(self, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._senders: dict[int, _Sender] = {}
        self._next_sweep: datetime | None = None

    def admit(self, member_id: int, now: datetime) -> Slot:
        sender = self._senders.setdefault(member_id, _Sender())
        times = sender.times
        while times and times[0] <= now - WINDOW:
            times.popleft()
        at = now
        if len(times) >= self.per_minute:
            at = max(now, times[-self.per_minute] + WINDOW)
        if times and times[-1] > at:
            at = times[-1]  # never before an earlier message of the same person
        times.append(at)
        if at <= now:
            self._forget_idle(now)
            return Slot(None, first_delayed=False)
        first = sender.warned_until is None or sender.warned_until <= now
        sender.warned_until = at
        return Slot(at, first_delayed=first)

    @property
    def tracked(self) -> int:
        """How many people the gate remembers (those who wrote in the last minute or so)."""
        return len(self._senders)

    def _forget_idle(self, now: datetime) -> None:
        """Once a minute, forget people whose window is empty (not on every message: that
        would scan everyone for each one)."""
        if self._next_sweep is not None and now < self._next_sweep:
            return
        self._next_sweep = now + WINDOW
        for member_id in [
            m for m, s in self._senders.items() if not s.times or s.times[-1] <= now - WINDOW
        ]:
            del self._senders[member_id]
