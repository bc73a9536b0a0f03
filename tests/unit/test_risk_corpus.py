"""The training corpus: well-formed, and nothing in it copies the evaluation sets."""

from __future__ import annotations

import json

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from bot.risk import train
from bot.risk.text import fold
from tests.shared import SHARED_RISK, needs_shared

SHARED = SHARED_RISK
CATEGORIES = {"suicide_self_harm", "overdose_medical", "using_now_relapse"}
CATEGORIES |= {"harm_to_others_abuse", "none"}


def _five_grams(text: str) -> list[str]:
    folded = " ".join(fold(text).split())
    return [folded[i : i + 5] for i in range(max(1, len(folded) - 4))]


def test_every_message_is_labelled_by_the_policy() -> None:
    rows = [
        json.loads(line)
        for path in sorted(train.CORPUS_DIR.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(rows) >= 4000
    assert sum(r["lang"] == "es" for r in rows) / len(rows) >= 0.30
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["text"].strip() and row["lang"] in ("en", "es"), row["id"]
        assert row["category"] in CATEGORIES, row["id"]
        assert not (row["escalate"] and row["concern"]), row["id"]
        assert row["subject"] in ("self", "other", None), row["id"]
        if row["escalate"]:
            assert row["category"] != "none", row["id"]


@needs_shared("dev.jsonl", "dev2.jsonl")
def test_no_corpus_message_is_a_near_duplicate_of_an_evaluation_message() -> None:
    """Character 5-gram Jaccard similarity above 0.6 counts as a copy."""
    corpus = [e.text for e in train.load_corpus()]
    evaluation = [
        json.loads(line)["text"]
        for name in ("dev.jsonl", "dev2.jsonl")
        for line in (SHARED / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    grams = CountVectorizer(analyzer=_five_grams, binary=True).fit(corpus + evaluation)
    c, d = grams.transform(corpus), grams.transform(evaluation)
    shared = (c @ d.T).toarray()
    sizes_c = np.asarray(c.sum(axis=1)).ravel()[:, None]
    sizes_d = np.asarray(d.sum(axis=1)).ravel()[None, :]
    jaccard = shared / np.maximum(sizes_c + sizes_d - shared, 1)
    worst = jaccard.max(axis=1)
    copies = [corpus[i] for i in np.flatnonzero(worst > 0.6)]
    assert copies == []
