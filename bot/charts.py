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


def program_png(weeks: list[tuple[date, int | None, int | None, int]], title: str) -> bytes:
    """weeks: (Monday, check-ins answered %, engagement %, escalations opened), oldest first;
    a None percentage (nothing due, or no routing records kept) is left as a gap."""
    days = mdates.date2num([w[0] for w in weeks])  # type: ignore[no-untyped-call]
    figure, (rates, alarms) = plt.subplots(
        2, 1, figsize=(7, 4.8), dpi=100, sharex=True, height_ratios=(2, 1)
    )
    try:
        gaps = float("nan")
        rates.plot(
            days,
            [gaps if w[1] is None else w[1] for w in weeks],
            marker="o",
            color="#2e7d32",
            label="check-ins answered (%)",
        )
        rates.plot(
            days,
            [gaps if w[2] is None else w[2] for w in weeks],
            marker="s",
            color="#1565c0",
            label="mentees who wrote (%)",
        )
        rates.set_ylim(-5, 105)
        rates.grid(alpha=0.3)
        rates.legend(loc="lower left", fontsize=8)
        rates.set_title(title, fontsize=10)
        alarms.bar(days, [w[3] for w in weeks], width=5, color="#c62828", label="escalations")
        alarms.legend(loc="upper left", fontsize=8)
        alarms.grid(alpha=0.3)
        alarms.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
        figure.autofmt_xdate()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(figure)
