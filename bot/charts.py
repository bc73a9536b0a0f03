"""The /progress chart: mood and craving over the last 30 days, as a PNG (matplotlib, Agg)."""

from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display, ever

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402


def progress_png(
    points: list[tuple[date, int, int]],
    title: str,
    legend: tuple[str, str] = ("mood (1–5)", "craving (0–4)"),
) -> bytes:
    """points: (day, mood 1–5, craving 0–4), oldest first; `legend`: the two lines' names,
    in the reader's language."""
    days = mdates.date2num([p[0] for p in points])  # type: ignore[no-untyped-call]
    figure, axis = plt.subplots(figsize=(7, 3.2), dpi=100)
    try:
        axis.plot(days, [p[1] for p in points], marker="o", color="#2e7d32", label=legend[0])
        axis.plot(days, [p[2] for p in points], marker="s", color="#c62828", label=legend[1])
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
