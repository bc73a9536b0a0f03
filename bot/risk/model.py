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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.risk.text import fold

MODEL_FILE = Path(__file__).with_name("model.json.gz")
FORMAT = 1
CHAR_SIZES = (2, 3, 4, 5)
WORD = re.compile(r"\w+")
WORD_CACHE = 50_000  # distinct words whose n-gram rows are kept (a few MB)


def features(text: str) -> list[str]:
    """The n-grams a message is scored by: character n-grams inside word boundaries (as
    scikit-learn's `char_wb`), words and word pairs. Training and scoring both use this."""
    folded = fold(text)
    grams: list[str] = []
    for word in folded.split():
        grams.extend(_char_grams(word))
    words = WORD.findall(folded)
    grams.extend(f"w:{w}" for w in words)
    grams.extend(f"w:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return grams


def _char_grams(word: str) -> list[str]:
    padded = f" {word} "
    grams: list[str] = []
    for size in CHAR_SIZES:
        if len(padded) < size:
            break
        grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
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
    _word_rows: Callable[[str], tuple[int, ...]] = field(init=False, repr=False, compare=False)

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

    def __post_init__(self) -> None:
        # Scoring looks words up, not n-grams: a word's character n-grams (and the word
        # itself) map to the same rows wherever it appears, and chat repeats its words.
        object.__setattr__(self, "_word_rows", lru_cache(maxsize=WORD_CACHE)(self._rows_of_word))

    def _rows_of_word(self, word: str) -> tuple[int, ...]:
        index = self.index
        return tuple(i for g in _char_grams(word) if (i := index.get(g)) is not None)

    def vector(self, text: str) -> tuple[list[int], np.ndarray]:
        """The rows of the n-grams present (binary TF, as trained) and their L2-normalised
        TF-IDF values: the same n-grams as `features`, found a word at a time."""
        index = self.index
        word_rows = self._word_rows
        folded = fold(text)
        present: set[int] = set()
        for word in folded.split():
            present.update(word_rows(word))
        words = WORD.findall(folded)
        for gram in [f"w:{w}" for w in words] + [
            f"w:{a} {b}" for a, b in zip(words, words[1:], strict=False)
        ]:
            if (i := index.get(gram)) is not None:
                present.add(i)
        rows = list(present)
        if not rows:
            return rows, np.zeros(0)
        values = self.idf[rows]
        return rows, values / math.sqrt(float(values @ values))

    def decision(self, text: str) -> np.ndarray:
        """Raw linear scores per head (what scikit-learn's decision_function gives)."""
        rows, values = self.vector(text)
        return np.asarray(self.intercepts + values @ self.weights[rows])

    def score(self, text: str, evidence: int = 0) -> Scores:
        """Calibrated probabilities per head; with `evidence`, the n-grams that pushed each
        head up the most."""
        rows, values = self.vector(text)
        return Scores(self.probabilities(rows, values), self.strongest(rows, values, evidence))

    def probabilities(self, rows: list[int], values: np.ndarray) -> dict[str, float]:
        z = self.intercepts + values @ self.weights[rows]
        return {
            head: _sigmoid(a * float(z[k]) + b)
            for k, (head, (a, b)) in enumerate(zip(self.heads, self.calibration, strict=True))
        }

    def strongest(self, rows: list[int], values: np.ndarray, n: int) -> dict[str, list[str]]:
        """Per head, the `n` n-grams that pushed it up the most (asked for only when a
        message is flagged: it costs more than scoring)."""
        strongest: dict[str, list[str]] = {}
        if not n or not rows:
            return strongest
        parts = values[:, None] * self.weights[rows]
        for k, head in enumerate(self.heads):
            top = np.argsort(-parts[:, k], kind="stable")[:n]
            strongest[head] = [_readable(self.ngrams[rows[i]]) for i in top if parts[i, k] > 0]
        return strongest


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
