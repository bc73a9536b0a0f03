"""The trend of a progress chart in words, for its caption (people who cannot see the chart,
or read its colours, get the same news)."""

from __future__ import annotations

from datetime import date

from bot import texts
from bot.i18n import Text, t, t_item

# A change smaller than this, between the older and the newer half of the days, is "stayed".
CHANGE = 0.5


def _level(value: float, scale: tuple[float, float], names: dict[str, str]) -> Text:
    low, high = scale
    if value < low:
        return t_item(names, "low")
    if value > high:
        return t_item(names, "high")
    return t_item(names, "medium")


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


def trend_caption(points: list[tuple[date, int, int]]) -> Text:
    """One line: how mood and craving moved over the chart's days (oldest first), e.g.
    "Mood went up; craving stayed low."."""
    moods = [p[1] for p in points]
    cravings = [p[2] for p in points]
    mood_recent = sum(moods[len(moods) // 2 :]) / len(moods[len(moods) // 2 :])
    craving_recent = sum(cravings[len(cravings) // 2 :]) / len(cravings[len(cravings) // 2 :])
    mood = t_item(
        texts.TREND_MOOD,
        _direction(moods),
        level=_level(mood_recent, (2.5, 3.5), texts.TREND_MOOD_LEVELS),
    )
    craving = t_item(
        texts.TREND_CRAVING,
        _direction(cravings),
        level=_level(craving_recent, (1.5, 2.5), texts.TREND_CRAVING_LEVELS),
    )
    return t(texts.TREND_LINE, mood=mood, craving=craving)
