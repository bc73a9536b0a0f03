"""The trend of a progress chart in words, for its caption (people who cannot see the chart,
or read its colours, get the same news)."""

from __future__ import annotations

from datetime import date

from bot import texts

# A change smaller than this, between the older and the newer half of the days, is "stayed".
CHANGE = 0.5


def _level(value: float, scale: tuple[float, float], names: dict[str, str]) -> str:
    low, high = scale
    if value < low:
        return names["low"]
    if value > high:
        return names["high"]
    return names["medium"]


def _direction(values: list[int]) -> str:
    if len(values) < 2:
        return "flat"
    half = len(values) // 2
    older = sum(values[:half]) / half
    newer = sum(values[half:]) / (len(values) - half)
    if newer - older >= CHANGE:
        return "up"
    if older - newer >= CHANGE:
        return "down"
    return "flat"


def trend_caption(points: list[tuple[date, int, int]]) -> str:
    """One line: how mood and craving moved over the chart's days (oldest first), e.g.
    "Mood went up; craving stayed low."."""
    moods = [p[1] for p in points]
    cravings = [p[2] for p in points]
    mood_recent = sum(moods[len(moods) // 2 :]) / len(moods[len(moods) // 2 :])
    craving_recent = sum(cravings[len(cravings) // 2 :]) / len(cravings[len(cravings) // 2 :])
    mood = texts.TREND_MOOD[_direction(moods)].format(
        level=_level(mood_recent, (2.5, 3.5), texts.TREND_MOOD_LEVELS)
    )
    craving = texts.TREND_CRAVING[_direction(cravings)].format(
        level=_level(craving_recent, (1.5, 2.5), texts.TREND_CRAVING_LEVELS)
    )
    return texts.TREND_LINE.format(mood=mood, craving=craving)
