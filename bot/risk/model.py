"""The learned half of the assessor: linear models over character and word n-grams.

Trained with scikit-learn by `python -m bot risk train` (`bot/risk/train.py`, an optional
extra) and scored here in plain Python from the exported weights: the n-gram's IDF and each
model's weight per n-gram, with the vectoriser's sublinear TF and L2 normalisation done the
same way scikit-learn does them. The file is JSON (never pickle), so loading it cannot run
code. Scoring one message costs a dictionary look-up per n-gram.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.risk.text import fold

MODEL_FILE = Path(__file__).with_name("model.json.gz")
FORMAT = 1
CHAR_SIZES = (2, 3, 4, 5)
WORD = re.compile(r"\w+")


def features(text: str) -> list[str]:
    """The n-grams a message is scored by: character n-grams inside word boundaries (as
    scikit-learn's `char_wb`), words and word pairs. Training and scoring both use this."""
    folded = fold(text)
    grams: list[str] = []
    for word in folded.split():
        padded = f" {word} "
        for size in CHAR_SIZES:
            if len(padded) < size:
                break
            grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    words = WORD.findall(folded)
    grams.extend(f"w:{w}" for w in words)
    grams.extend(f"w:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return grams


@dataclass(frozen=True)
class Scores:
    """Calibrated probabilities per head, and the n-grams that pushed hardest."""

    probabilities: dict[str, float]
    evidence: dict[str, list[str]]


@dataclass(frozen=True)
class LinearModels:
    heads: tuple[str, ...]
    # n-gram -> (idf, weight per head)
    vocabulary: dict[str, tuple[float, tuple[float, ...]]]
    intercepts: tuple[float, ...]
    # Platt scaling per head, fitted on out-of-fold scores: p = 1 / (1 + exp(-(a z + b)))
    calibration: tuple[tuple[float, float], ...]
    thresholds: dict[str, float]
    meta: dict[str, Any]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearModels:
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown risk model format {data.get('format')!r}")
        heads = tuple(str(h) for h in data["heads"])
        weights = data["weights"]
        vocabulary = {
            gram: (float(idf), tuple(float(w) for w in weights[i]))
            for i, (gram, idf) in enumerate(zip(data["ngrams"], data["idf"], strict=True))
        }
        return cls(
            heads=heads,
            vocabulary=vocabulary,
            intercepts=tuple(float(b) for b in data["intercepts"]),
            calibration=tuple((float(a), float(b)) for a, b in data["calibration"]),
            thresholds={str(k): float(v) for k, v in data["thresholds"].items()},
            meta=dict(data.get("meta", {})),
        )

    def decision(self, text: str) -> tuple[list[float], list[tuple[str, list[float]]]]:
        """Raw linear scores per head, and each known n-gram's contribution per head."""
        counts = Counter(features(text))
        values: list[tuple[str, float, tuple[float, ...]]] = []
        norm = 0.0
        for gram, count in counts.items():
            known = self.vocabulary.get(gram)
            if known is None:
                continue
            idf, weights = known
            value = (1.0 + math.log(count)) * idf
            norm += value * value
            values.append((gram, value, weights))
        z = list(self.intercepts)
        contributions: list[tuple[str, list[float]]] = []
        if norm > 0:
            scale = 1.0 / math.sqrt(norm)
            for gram, value, weights in values:
                x = value * scale
                parts = [x * w for w in weights]
                for k, part in enumerate(parts):
                    z[k] += part
                contributions.append((gram, parts))
        return z, contributions

    def score(self, text: str, evidence: int = 3) -> Scores:
        z, contributions = self.decision(text)
        probabilities = {}
        strongest: dict[str, list[str]] = {}
        for k, head in enumerate(self.heads):
            a, b = self.calibration[k]
            probabilities[head] = _sigmoid(a * z[k] + b)
            top = sorted(contributions, key=lambda c: c[1][k], reverse=True)[:evidence]
            strongest[head] = [_readable(gram) for gram, parts in top if parts[k] > 0]
        return Scores(probabilities, strongest)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _readable(gram: str) -> str:
    return gram[2:] if gram.startswith("w:") else gram.strip()


def load(path: Path = MODEL_FILE) -> LinearModels:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return LinearModels.from_dict(json.load(f))


@lru_cache(maxsize=1)
def default_models() -> LinearModels:
    """The committed model, loaded once per process."""
    return load()
