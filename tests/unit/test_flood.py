"""The per-person flood gate: at most N a minute go now, the rest get later slots, in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.flood import FloodGate

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_within_the_limit_everything_goes_now() -> None:
    gate = FloodGate(per_minute=3)
    assert [gate.admit(1, T0 + timedelta(seconds=s)).not_before for s in (0, 1, 2)] == [None] * 3


def test_a_burst_is_spread_over_minutes_in_order_with_one_warning() -> None:
    gate = FloodGate(per_minute=3)
    slots = [gate.admit(1, T0) for _ in range(8)]
    times = [s.not_before for s in slots]
    assert times[:3] == [None] * 3
    minute = timedelta(minutes=1)
    assert times[3:] == [T0 + minute] * 3 + [T0 + 2 * minute] * 2
    assert [s.first_delayed for s in slots] == [False] * 3 + [True] + [False] * 4
    # Another person is not held up by this one.
    assert gate.admit(2, T0).not_before is None


def test_after_the_backlog_a_new_burst_is_warned_again() -> None:
    gate = FloodGate(per_minute=2)
    for _ in range(3):
        gate.admit(1, T0)
    later = T0 + timedelta(minutes=3)
    assert gate.admit(1, later).not_before is None
    assert gate.admit(1, later).not_before is None
    third = gate.admit(1, later)
    assert third.not_before == later + timedelta(minutes=1) and third.first_delayed


def test_people_who_stopped_writing_are_forgotten() -> None:
    gate = FloodGate(per_minute=2)
    for member_id in range(50):
        gate.admit(member_id, T0)
    assert gate.tracked == 50
    later = T0 + timedelta(minutes=2)
    gate.admit(999, later)  # the next sweep is due: only the one writing now is kept
    assert gate.tracked == 1
    assert gate.admit(1, later).not_before is None  # a fresh allowance
