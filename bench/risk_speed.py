"""How cheap the learned risk models are on the relay's hot path: time to load the model
file, its size, and the average time to assess one message (rules + models, and the models
alone), over the corpus's messages.

    python bench/risk_speed.py

Goals (issue 12): under 0.3 ms per message on average, a model file under 5 MB, loading
under 1 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.risk import model as risk_model  # noqa: E402
from bot.risk.assessor import assess as assess_rules  # noqa: E402
from bot.risk.tiers import assess  # noqa: E402


def main() -> int:
    import json

    texts = [
        json.loads(line)["text"]
        for path in sorted((ROOT / "bot" / "risk" / "corpus").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    size = risk_model.MODEL_FILE.stat().st_size
    started = time.perf_counter()
    models = risk_model.load()
    load_s = time.perf_counter() - started
    rounds = 3

    def per_message(fn: object) -> float:
        assert callable(fn)
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            for text in texts:
                fn(text)
            best = min(best, (time.perf_counter() - started) / len(texts))
        return best * 1000

    models_ms = per_message(models.score)
    rules_ms = per_message(assess_rules)
    both_ms = per_message(lambda t: assess(t, models))
    print(f"model file: {size / 1e6:.2f} MB (goal < 5 MB), {len(models.ngrams)} n-grams")
    print(f"load: {load_s:.2f} s (goal < 1 s)")
    print(f"per message over {len(texts)} messages (best of {rounds} rounds):")
    print(f"  models alone {models_ms:.3f} ms, rules alone {rules_ms:.3f} ms")
    print(f"  rules + models (what the relay runs) {both_ms:.3f} ms (goal < 0.3 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
