"""Measure the risk assessor (rules + learned models, `bot.risk.tiers`) on labelled messages.

    python bench/risk_eval.py                 # dev.jsonl and dev2.jsonl (evaluation only)
    python bench/risk_eval.py --cv            # also 5-fold cross-validation over the corpus
    python bench/risk_eval.py --rules-only    # the rules alone, as before the models
    python bench/risk_eval.py FILE... [--misses]

For each set: recall of `critical` on escalate=true, recall of "reaches a human" (critical or
concern), false alarms at each tier on escalate=false, Spanish recall, and a table per
category. The evaluation sets are never trained on; the cross-validation trains a fresh model
on four fifths of the corpus and measures the fifth it did not see.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.risk.assessor import assess as assess_rules  # noqa: E402
from bot.risk.model import LinearModels, default_models  # noqa: E402
from bot.risk.tiers import Tier, assess  # noqa: E402

SHARED = ROOT.parent / "shared" / "risk"
EVALUATION_SETS = [SHARED / "dev.jsonl", SHARED / "dev2.jsonl"]


@dataclass(frozen=True)
class Result:
    name: str
    n: int
    critical_recall: float
    human_recall: float
    spanish_human_recall: float | None
    critical_false_alarms: float
    human_false_alarms: float
    harmless_false_alarms: float  # either tier, on category "none" only (no calm lapses)
    per_category: dict[str, tuple[int, int, int]]  # positives, critical, human
    misses: list[dict[str, object]]
    alarms: list[dict[str, object]]

    def lines(self) -> list[str]:
        spanish = "—" if self.spanish_human_recall is None else f"{self.spanish_human_recall:.2f}"
        out = [
            f"{self.name} ({self.n} messages)",
            f"  recall: critical {self.critical_recall:.2f}, reaches a human "
            f"{self.human_recall:.2f} (Spanish {spanish})",
            f"  false alarms: critical {self.critical_false_alarms:.3f}, critical or concern "
            f"{self.human_false_alarms:.3f} (on harmless messages alone, without calm "
            f"lapses, which the mentor is meant to hear about: {self.harmless_false_alarms:.3f})",
            "  category              positives  critical  human",
        ]
        for category, (total, critical, human) in sorted(self.per_category.items()):
            out.append(f"  {category:<22}{total:>9}{critical:>10}{human:>7}")
        return out


Tiering = Callable[[str], Tier]


def rows_of(path: Path) -> list[dict[str, object]]:
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def evaluate(name: str, rows: Sequence[dict[str, object]], tier_of: Tiering) -> Result:
    tiers = [tier_of(str(r["text"])) for r in rows]
    positives = [(r, t) for r, t in zip(rows, tiers, strict=True) if r["escalate"]]
    negatives = [(r, t) for r, t in zip(rows, tiers, strict=True) if not r["escalate"]]
    spanish = [(r, t) for r, t in positives if r["lang"] == "es"]

    def share(pairs: Sequence[tuple[dict[str, object], Tier]], tiers: set[Tier]) -> float:
        return sum(t in tiers for _, t in pairs) / len(pairs) if pairs else 0.0

    human = {Tier.CRITICAL, Tier.CONCERN}
    per_category: Counter[tuple[str, str]] = Counter()
    for r, t in positives:
        per_category[(str(r["category"]), "total")] += 1
        per_category[(str(r["category"]), "critical")] += t is Tier.CRITICAL
        per_category[(str(r["category"]), "human")] += t in human
    categories = sorted({c for c, _ in per_category})
    return Result(
        name=name,
        n=len(rows),
        critical_recall=share(positives, {Tier.CRITICAL}),
        human_recall=share(positives, human),
        spanish_human_recall=share(spanish, human) if spanish else None,
        critical_false_alarms=share(negatives, {Tier.CRITICAL}),
        human_false_alarms=share(negatives, human),
        harmless_false_alarms=share(
            [(r, t) for r, t in negatives if r["category"] == "none"], human
        ),
        per_category={
            c: (
                per_category[(c, "total")],
                per_category[(c, "critical")],
                per_category[(c, "human")],
            )
            for c in categories
        },
        misses=[r for r, t in positives if t not in human],
        alarms=[r for r, t in negatives if t is Tier.CRITICAL],
    )


def model_tiering(models: LinearModels) -> Tiering:
    return lambda text: assess(text, models).tier


def rules_tiering(text: str) -> Tier:
    found = assess_rules(text)
    if found.escalate:
        return Tier.CRITICAL
    return Tier.CONCERN if found.severity.value != "none" else Tier.NONE


def cross_validate(folds: int = 5) -> Result:
    """Train on four fifths of the corpus, measure on the fifth; pooled over the folds."""
    from bot.risk import train

    corpus = train.load_corpus()
    raw = [
        {"text": e.text, "lang": e.lang, "category": e.category, "escalate": e.escalate}
        for e in corpus
    ]
    held_out: list[dict[str, object]] = []
    tiers: dict[int, Tier] = {}
    for k in range(folds):
        test = [i for i in range(len(corpus)) if i % folds == k]
        train_rows = [e for i, e in enumerate(corpus) if i % folds != k]
        models = LinearModels.from_dict(train.train(train_rows))
        for i in test:
            tiers[len(held_out)] = assess(corpus[i].text, models).tier
            held_out.append(raw[i])
    lookup = {id(r): tiers[n] for n, r in enumerate(held_out)}
    by_text = {str(r["text"]): lookup[id(r)] for r in held_out}
    return evaluate(f"corpus, {folds}-fold cross-validation", held_out, by_text.__getitem__)


def main(argv: list[str]) -> int:
    misses = "--misses" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or EVALUATION_SETS
    tier_of = rules_tiering if "--rules-only" in argv else model_tiering(default_models())
    results = [evaluate(p.name, rows_of(p), tier_of) for p in paths if p.exists()]
    if paths == EVALUATION_SETS and len(results) == 2:
        both = [row for p in paths for row in rows_of(p)]
        results.append(evaluate("dev + dev2 (issue 12's gates)", both, tier_of))
    if "--cv" in argv:
        results.append(cross_validate())
    for result in results:
        print("\n".join(result.lines()))
        if misses:
            for row in result.misses:
                print(f"    missed  [{row['category']}] {row['text']}")
            for row in result.alarms:
                print(f"    alarm   [{row['category']}] {row['text']}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
