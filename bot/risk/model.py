"""The learned half of the assessor: linear models over character and word n-grams.

Trained with scikit-learn by `python -m bot risk train` (`bot/risk/train.py`, an optional
extra) and scored here from the exported weights (NumPy arrays, no scikit-learn): the
n-gram's IDF and each model's weight per n-gram, with the vectoriser's binary TF and L2
normalisation done the same way scikit-learn does them. The file is JSON (never pickle), so
loading it cannot run code. Scoring one message costs a dictionary look-up per n-gram.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

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
    index: dict[str, int]  # n-gram -> row of `idf` and `weights`
    ngrams: tuple[str, ...]
    idf: np.ndarray  # (n-grams,)
    weights: np.ndarray  # (n-grams, heads)
    intercepts: np.ndarray  # (heads,)
    # Platt scaling per head, fitted on out-of-fold scores: p = 1 / (1 + exp(-(a z + b)))
    calibration: tuple[tuple[float, float], ...]
    thresholds: dict[str, float]
    meta: dict[str, Any]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearModels:
        if data.get("format") != FORMAT:
            raise ValueError(f"unknown risk model format {data.get('format')!r}")
        ngrams = tuple(str(g) for g in data["ngrams"])
        idf = np.asarray(data["idf"], dtype=np.float64)
        weights = np.asarray(data["weights"], dtype=np.float64)
        heads = tuple(str(h) for h in data["heads"])
        if idf.shape != (len(ngrams),) or weights.shape != (len(ngrams), len(heads)):
            raise ValueError("risk model arrays do not match its n-grams and heads")
        return cls(
            heads=heads,
            index={gram: i for i, gram in enumerate(ngrams)},
            ngrams=ngrams,
            idf=idf,
            weights=weights,
            intercepts=np.asarray(data["intercepts"], dtype=np.float64),
            calibration=tuple((float(a), float(b)) for a, b in data["calibration"]),
            thresholds={str(k): float(v) for k, v in data["thresholds"].items()},
            meta=dict(data.get("meta", {})),
        )

    def _vector(self, text: str) -> tuple[list[int], np.ndarray]:
        """The rows of the n-grams present (binary TF, as trained) and their L2-normalised
        TF-IDF values."""
        index = self.index
        rows = [i for g in set(features(text)) if (i := index.get(g)) is not None]
        if not rows:
            return rows, np.zeros(0)
        values = self.idf[rows]
        return rows, values / math.sqrt(float(values @ values))

    def decision(self, text: str) -> np.ndarray:
        """Raw linear scores per head (what scikit-learn's decision_function gives)."""
        rows, values = self._vector(text)
        return np.asarray(self.intercepts + values @ self.weights[rows])

    def score(self, text: str, evidence: int = 0) -> Scores:
        """Calibrated probabilities per head; with `evidence`, the n-grams that pushed each
        head up the most (only asked for when a message is flagged: it costs more)."""
        rows, values = self._vector(text)
        z = self.intercepts + values @ self.weights[rows]
        probabilities = {
            head: _sigmoid(a * float(z[k]) + b)
            for k, (head, (a, b)) in enumerate(zip(self.heads, self.calibration, strict=True))
        }
        strongest: dict[str, list[str]] = {}
        if evidence:
            parts = values[:, None] * self.weights[rows]
            for k, head in enumerate(self.heads):
                top = np.argsort(-parts[:, k], kind="stable")[:evidence]
                strongest[head] = [
                    _readable(self.ngrams[rows[i]]) for i in top if parts[i, k] > 0
                ]
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
