"""Train the risk models from the labelled corpus (`bot/risk/corpus/*.jsonl`) with
scikit-learn, and export them for `bot.risk.model` to score in plain Python.

    python -m bot risk train        # writes bot/risk/model.json.gz

Needs the `train` extra (scikit-learn, NumPy); the bot itself never imports this module.
Training is deterministic: the same corpus gives the same file (a test checks the committed
model against a fresh training).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.risk.model import FORMAT, MODEL_FILE, features

CORPUS_DIR = Path(__file__).with_name("corpus")
CATEGORIES = ("suicide_self_harm", "overdose_medical", "using_now_relapse", "harm_to_others_abuse")
HEADS = ("critical", "human", "self", *CATEGORIES)
MAX_FEATURES = 40_000
C = 4.0
FOLDS = 5
SEED = 0
DIGITS = 6
# Thresholds are chosen on out-of-fold probabilities over the corpus (never on the
# evaluation sets): the share of the corpus's non-emergencies each tier may flag.
CRITICAL_FALSE_ALARMS = 0.02
CONCERN_FALSE_ALARMS = 0.12


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    category: str
    escalate: bool
    concern: bool
    subject: str | None


def load_corpus(directory: Path = CORPUS_DIR) -> list[Example]:
    rows: list[Example] = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            raw = json.loads(line)
            rows.append(
                Example(
                    text=str(raw["text"]),
                    lang=str(raw["lang"]),
                    category=str(raw["category"]),
                    escalate=bool(raw["escalate"]),
                    concern=bool(raw.get("concern", False)),
                    subject=raw.get("subject"),
                )
            )
    return rows


def head_targets(rows: Sequence[Example], head: str) -> tuple[np.ndarray, np.ndarray]:
    """Which rows a head learns from, and its yes/no label for them."""
    if head == "critical":
        return np.arange(len(rows)), np.array([r.escalate for r in rows])
    if head == "human":
        return np.arange(len(rows)), np.array([r.escalate or r.concern for r in rows])
    if head == "self":
        idx = [i for i, r in enumerate(rows) if r.subject in ("self", "other")]
        return np.array(idx), np.array([rows[i].subject == "self" for i in idx])
    idx = [i for i, r in enumerate(rows) if r.category != "none"]
    return np.array(idx), np.array([rows[i].category == head for i in idx])


def _classifier() -> LogisticRegression:
    return LogisticRegression(
        C=C, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=SEED
    )


def _vectoriser(vocabulary: Iterable[str] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=features,
        binary=True,  # presence, not counts: as good here, and cheaper to score
        min_df=1 if vocabulary is not None else 2,
        vocabulary=list(vocabulary) if vocabulary is not None else None,
        dtype=np.float64,
    )


def _fit_heads(x: Any, rows: Sequence[Example]) -> list[LogisticRegression]:
    fitted = []
    for head in HEADS:
        idx, y = head_targets(rows, head)
        fitted.append(_classifier().fit(x[idx], y))
    return fitted


def fit(
    rows: Sequence[Example], vocabulary: list[str]
) -> tuple[TfidfVectorizer, list[LogisticRegression]]:
    """The vectoriser and one classifier per head, trained on `rows`."""
    vec = _vectoriser(vocabulary)
    x = vec.fit_transform([r.text for r in rows])
    return vec, _fit_heads(x, rows)


def _out_of_fold(
    texts: Sequence[str], rows: Sequence[Example], vocabulary: list[str]
) -> np.ndarray:
    """Each head's decision value for every row, from models that did not see that row."""
    z = np.full((len(rows), len(HEADS)), np.nan)
    strata = _strata(rows)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(np.zeros(len(rows)), strata):
        vec = _vectoriser(vocabulary)
        x_train = vec.fit_transform([texts[i] for i in train])
        x_test = vec.transform([texts[i] for i in test])
        train_rows = [rows[i] for i in train]
        for k, model in enumerate(_fit_heads(x_train, train_rows)):
            z[test, k] = model.decision_function(x_test)
    return z


def _strata(rows: Sequence[Example]) -> list[str]:
    """Folds keep the share of emergencies, concerns and languages, as far as the data allows."""
    for key in ("{r.escalate}{r.concern}{r.lang}", "{r.escalate}{r.lang}", "{r.escalate}"):
        strata = [key.format(r=r) for r in rows]
        if min(Counter(strata).values()) >= FOLDS:
            break
    return strata


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    fit = LogisticRegression(C=1e6, solver="lbfgs").fit(z.reshape(-1, 1), y)
    return float(fit.coef_[0][0]), float(fit.intercept_[0])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def train(rows: Sequence[Example], max_features: int = MAX_FEATURES) -> dict[str, Any]:
    """The exported model: vocabulary with IDF, weights per head, calibration, thresholds."""
    texts = [r.text for r in rows]
    # First pass on every n-gram seen twice, to keep the ones that matter most to any head.
    vec = _vectoriser()
    x = vec.fit_transform(texts)
    weights = np.abs(np.vstack([m.coef_[0] for m in _fit_heads(x, rows)])) * vec.idf_
    names = vec.get_feature_names_out()
    keep = np.sort(np.argsort(-weights.max(axis=0), kind="stable")[:max_features])
    vocabulary = [str(names[i]) for i in keep]

    vec, heads = fit(rows, vocabulary)
    oof = _out_of_fold(texts, rows, vocabulary)
    calibration = []
    probabilities = np.zeros_like(oof)
    for k, head in enumerate(HEADS):
        idx, y = head_targets(rows, head)
        a, b = _platt(oof[idx, k], y)
        calibration.append((round(a, DIGITS), round(b, DIGITS)))
        probabilities[:, k] = _sigmoid(a * oof[:, k] + b)
    thresholds = choose_thresholds(rows, probabilities)
    order = vec.get_feature_names_out()
    coef = np.vstack([m.coef_[0] for m in heads]).T
    return {
        "format": FORMAT,
        "heads": list(HEADS),
        "ngrams": [str(g) for g in order],
        "idf": [round(float(v), DIGITS) for v in vec.idf_],
        "weights": [[round(float(w), DIGITS) for w in row] for row in coef],
        "intercepts": [round(float(m.intercept_[0]), DIGITS) for m in heads],
        "calibration": [list(c) for c in calibration],
        "thresholds": thresholds,
        "meta": {
            "examples": len(rows),
            "features": len(order),
            "classifier": f"LogisticRegression(C={C}, class_weight=balanced, liblinear)",
            "ngrams": "char_wb 2-5 + words + word pairs, binary TF-IDF, L2",
        },
    }


def choose_thresholds(rows: Sequence[Example], probabilities: np.ndarray) -> dict[str, float]:
    """Both tiers read the "critical" head, each where it may reach a human for at most its
    share of the corpus's non-emergencies: `critical` (staff now) CRITICAL_FALSE_ALARMS,
    `concern` (the mentor checks) CONCERN_FALSE_ALARMS. Chosen on out-of-fold probabilities,
    never on the evaluation sets. The corpus is mostly hard cases (half its non-emergencies
    are written to look dangerous), so everyday chat reaches either tier far less often."""
    crit = probabilities[:, HEADS.index("critical")]
    negatives = np.sort(crit[np.array([not r.escalate for r in rows])])[::-1]

    def at(share: float) -> float:
        allowed = int(share * len(negatives))
        return float(negatives[allowed]) + 1e-6 if allowed < len(negatives) else 0.5

    critical = max(at(CRITICAL_FALSE_ALARMS), 0.05)
    return {
        "critical": round(critical, DIGITS),
        "concern": round(min(at(CONCERN_FALSE_ALARMS), critical), DIGITS),
    }


def write(model: dict[str, Any], path: Path = MODEL_FILE) -> None:
    data = json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # mtime=0: the same model gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as f:
        f.write(data.encode("utf-8"))


def main() -> None:
    rows = load_corpus()
    model = train(rows)
    write(model)
    print(
        f"trained on {len(rows)} messages: {model['meta']['features']} n-grams, "
        f"thresholds {model['thresholds']} -> {MODEL_FILE}"
    )
