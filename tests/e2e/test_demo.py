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


def test_desk_demo_prints_the_desk_as_each_person_sees_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--desk"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr == ""
    steps = result.stdout.split("\n── ")[1:]
    # Each step: its title, then who saw what, in which chat or topic.
    flagged, claimed, wrote, acked, resolving, noted, outcome, stats = steps
    topic = "Staff chat › topic “Sam · M-0001”"
    to_sam, to_alex = "Sam (mentee)'s chat:\n      ▸ ", "Alex (mentor)'s chat:\n      ▸ "
    assert flagged.startswith("10:10  Sam writes to Alex: “I can't do this anymore.")
    assert f"{topic}:\n      ▸ [topic created: Sam · M-0001]\n      ▸ 🚨 Escalation #1" in flagged
    assert "[Claim]" in flagged
    assert to_sam + "If you might hurt yourself" in flagged
    assert to_alex + "⚠️ Something Sam wrote" in flagged
    # The claim shows on the card, edited in place in the topic.
    assert claimed.startswith("10:12  Robin presses [Claim]")
    assert f"{topic} (edited in place):\n      ▸ + 🙋 Claimed by Robin" in claimed
    assert "[Take over]" in claimed
    # Written in the topic, it reaches Sam as program staff; the topic says so.
    assert wrote.startswith("10:13  Robin writes in Sam's topic")
    assert to_sam + "🛟 Program staff:\n        Hi Sam, this is the program" in wrote
    assert f"{topic}:\n      ▸ Sent to Sam as program staff." in wrote
    assert "Robin" not in wrote.split("Sam (mentee)'s chat:")[1]
    assert "Alex (mentor)'s chat" not in wrote
    # The mentor hears of the acknowledgement and the resolution, never the note.
    assert to_alex + "✅ Program staff have acknowledged the alert about Sam" in acked
    assert "Robin (coordinator)'s chat:\n      ▸ Resolving escalation #1" in resolving
    assert to_alex + "✅ Program staff have resolved the alert about Sam." in noted
    assert "her sister" not in noted.split("\n", 1)[1]
    assert "“Support needed”" in outcome
    assert stats.startswith("11:00  Casey sends /stats")
    for line in (
        "• suicide or self-harm: 1 support needed",
        "Time to acknowledge: median 3 min, 90th percentile 3 min (1)",
        "Time to resolve: median 45 min, 90th percentile 45 min (1)",
    ):
        assert f"        {line}\n" in stats, stats
    # The README's transcript of the desk is what the command prints (trimmed where it says …).
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("**The desk in one scene.**")[1].split("```text\n")[1].split("```")[0]
    printed = result.stdout.splitlines()
    for line in shown.splitlines():
        assert "…" in line or line in printed, line
