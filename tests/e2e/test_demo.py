"""The README's demo: `python -m bot demo` prints a whole conversation, with no token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import clean_env


def test_demo_prints_the_conversation_as_each_person_sees_it(tmp_path: Path) -> None:
    env = clean_env()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # The transcript is all there is: no library's log lines around it.
    assert result.stderr == ""
    out = result.stdout
    sam_view = out.split("=== What Sam (mentee) sees")[1].split("=== What Alex")[0]
    alex_view = out.split("=== What Alex (mentor) sees")[1]
    assert "You now have a mentor: Alex" in sam_view
    assert "Day 12 is huge" in sam_view and "(replying to" in sam_view
    assert "[photo] A long walk instead of the bar" in alex_view
    assert "[💬 Sam]" in alex_view
    # A craving at night, met by the plan and /cope (and the mentor told, as always).
    night = sam_view.split("Daily check-in")[-1]
    assert "Your recovery plan, in case it helps right now" in night
    assert "My sister Ana, Alex, the 8 pm meeting" in night
    assert "[🌊 Ride the urge]" in night and "Did that help?" in night
    assert "Every bit counts" in night
    assert "check-in needs your attention" in alex_view
    # Neither side ever sees the other's Telegram name.
    assert "Alexander" not in sam_view.replace("Alexander:", "")
    assert "Samantha" not in alex_view and "Jones" not in alex_view
