"""The progress chart's caption says the trend in words."""

from __future__ import annotations

from datetime import date, timedelta

from bot.charts import CRAVING_COLOUR, MOOD_COLOUR
from bot.trends import trend_caption


def _days(moods: list[int], cravings: list[int]) -> list[tuple[date, int, int]]:
    start = date(2026, 3, 1)
    return [
        (start + timedelta(days=n), m, c)
        for n, (m, c) in enumerate(zip(moods, cravings, strict=True))
    ]


def test_mood_rising_and_craving_low() -> None:
    caption = trend_caption(_days([2, 2, 3, 4, 4, 5], [1, 0, 1, 0, 1, 0])).render("en")
    assert caption == "Mood went up; craving stayed low."


def test_mood_falling_and_craving_rising() -> None:
    caption = trend_caption(_days([5, 4, 4, 2, 2, 1], [0, 1, 1, 3, 4, 4])).render("en")
    assert caption == "Mood went down; craving went up."


def test_flat_trends_name_the_level() -> None:
    assert trend_caption(_days([3, 3, 3, 3], [3, 4, 4, 3])).render("en") == (
        "Mood stayed okay; craving stayed high."
    )
    assert (
        trend_caption(_days([4], [2])).render("en") == "Mood stayed good; craving stayed medium."
    )


def test_the_chart_uses_the_okabe_ito_blue_and_orange() -> None:
    assert (MOOD_COLOUR, CRAVING_COLOUR) == ("#0072B2", "#E69F00")


def test_the_trend_reads_in_spanish_too() -> None:
    caption = trend_caption(_days([2, 2, 3, 4, 4, 5], [1, 0, 1, 0, 1, 0])).render("es")
    assert caption != "Mood went up; craving stayed low."
    assert "Mood" not in caption and "craving" not in caption
