"""The /progress chart: mood and craving over the last 30 days, as a PNG (matplotlib, Agg)."""

from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display, ever

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

# Okabe & Ito's colour-blind-safe palette.
MOOD_COLOUR = "#0072B2"  # blue
CRAVING_COLOUR = "#E69F00"  # orange


def progress_png(points: list[tuple[date, int, int]], title: str) -> bytes:
    """points: (day, mood 1–5, craving 0–4), oldest first."""
    days = mdates.date2num([p[0] for p in points])  # type: ignore[no-untyped-call]
    figure, axis = plt.subplots(figsize=(7, 3.2), dpi=100)
    try:
        # Okabe-Ito blue and orange, told apart by colour-blind readers too, and by line
        # style and marker without any colour.
        axis.plot(
            days,
            [p[1] for p in points],
            marker="o",
            linestyle="-",
            color=MOOD_COLOUR,
            label="mood (1–5)",
        )
        axis.plot(
            days,
            [p[2] for p in points],
            marker="s",
            linestyle="--",
            color=CRAVING_COLOUR,
            label="craving (0–4)",
        )
        axis.set_ylim(-0.3, 5.3)
        axis.set_yticks(range(6))
        axis.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
        axis.grid(alpha=0.3)
        axis.legend(loc="upper left", fontsize=8)
        axis.set_title(title, fontsize=10)
        figure.autofmt_xdate()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(figure)
