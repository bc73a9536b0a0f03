"""Measure the risk assessor on labelled messages: recall on escalate=true, the false-alarm
rate on escalate=false, and a confusion table by category.

    python bench/risk_eval.py [path/to/labelled.jsonl] [--misses]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.risk import assess  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "risk" / "dev.jsonl"


def evaluate(path: Path) -> dict[str, object]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    positives = [r for r in rows if r["escalate"]]
    negatives = [r for r in rows if not r["escalate"]]
    caught = [r for r in positives if assess(r["text"]).escalate]
    alarms = [r for r in negatives if assess(r["text"]).escalate]
    confusion: Counter[tuple[str, str]] = Counter(
        (r["category"], str(assess(r["text"]).category)) for r in rows
    )
    return {
        "recall": len(caught) / len(positives),
        "false_alarm_rate": len(alarms) / len(negatives),
        "missed": [r for r in positives if r not in caught],
        "alarms": alarms,
        "confusion": confusion,
        "n": len(rows),
    }


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    result = evaluate(Path(args[0]) if args else DEFAULT)
    print(f"messages: {result['n']}")
    print(f"recall on escalate=true: {result['recall']:.3f}  (tests require ≥ 0.95)")
    print(f"false alarms on escalate=false: {result['false_alarm_rate']:.3f}  (tests: ≤ 0.08)")
    confusion = result["confusion"]
    assert isinstance(confusion, Counter)
    cats = sorted({c for pair in confusion for c in pair})
    print("\nconfusion (rows: label, columns: assessed)")
    print("".ljust(22) + "".join(c[:10].rjust(12) for c in cats))
    for label in cats:
        print(label.ljust(22) + "".join(str(confusion[(label, c)]).rjust(12) for c in cats))
    if "--misses" in sys.argv:
        for key in ("missed", "alarms"):
            print(f"\n{key}:")
            for row in result[key]:  # type: ignore[attr-defined]
                print(f"  [{row['category']}] {row['text']}")


if __name__ == "__main__":
    main()
