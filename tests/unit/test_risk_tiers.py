"""The assessor as the product uses it: rules and the committed models together decide the
tier; the committed model is exactly what its corpus trains; and its measured quality on the
evaluation sets (never trained on) does not slip."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from bot.risk import Subject, Tier, assess, train
from bot.risk import model as risk_model
from tests.shared import SHARED_RISK, needs_shared

SHARED = SHARED_RISK


def test_the_committed_model_is_what_its_corpus_trains() -> None:
    """Retrain from bot/risk/corpus: the committed file must not drift from its data."""
    fresh = train.train(train.load_corpus())
    committed = json.loads(gzip.decompress(risk_model.MODEL_FILE.read_bytes()))
    assert fresh["ngrams"] == committed["ngrams"]
    assert fresh["heads"] == committed["heads"]
    assert np.allclose(fresh["weights"], committed["weights"], atol=1e-5)
    assert np.allclose(fresh["idf"], committed["idf"], atol=1e-5)
    assert fresh["thresholds"] == pytest.approx(committed["thresholds"], abs=1e-4)
    assert np.allclose(fresh["calibration"], committed["calibration"], atol=1e-4)


@pytest.mark.parametrize(
    "text",
    [
        "I have the pills counted out and I'm writing letters to my kids tonight",
        "ya me despedí de todos, esta noche me voy a tirar del puente",
        "he's not breathing and his lips are blue, I gave him narcan",
        "my boyfriend just choked me and took my phone, I'm locked in the bathroom",
    ],
)
def test_plain_emergencies_wake_the_staff(text: str) -> None:
    assert assess(text).tier is Tier.CRITICAL


@pytest.mark.parametrize(
    "text",
    [
        "killing it at work today, got my 90 day chip",
        "this traffic is killing me lol",
        "me muero de hambre, vamos por tacos después de la junta",
        "see you at group tonight",
        "hello how are you",
    ],
)
def test_everyday_talk_reaches_nobody(text: str) -> None:
    assert assess(text).tier is Tier.NONE


def test_a_calm_lapse_does_not_wake_the_staff() -> None:
    """A lapse told calmly, with no danger now, reaches the mentor as the message itself
    (the labelling policy: escalate false); the staff are not woken."""
    found = assess("I drank last night, not proud of it, can we talk tomorrow?")
    assert found.tier is not Tier.CRITICAL


@pytest.mark.parametrize(
    "text",
    [
        "went bowling for the first time in five years and lost every game lol",
        "I slipped on the ice in the parking lot, just a bruise lol",
        "my buddy relapsed back in 2019 and now he runs the Tuesday meeting",
    ],
)
def test_a_weak_rule_match_the_models_are_sure_of_asks_nobody(text: str) -> None:
    """A rule's weak match (not an emergency) on a message the models are all but sure is
    harmless sends no check-in card: in cross-validation these were 264 false alarms and no
    emergency (docs/risk.md). A rule's emergency still always reaches a human."""
    assert assess(text).tier is Tier.NONE


def test_whose_danger() -> None:
    assert assess("I relapsed tonight too and I want to die").subject is Subject.WRITER
    assert (
        assess("my mentee just texted me goodbye and now she won't answer her phone").subject
        is Subject.OTHER
    )


def test_a_word_or_two_is_left_to_the_rules() -> None:
    """With two or three n-grams, the models' scores are noise; the rules still catch the
    short emergencies they know."""
    assert assess("mentee").tier is Tier.NONE
    assert assess("hello").tier is Tier.NONE
    assert assess("overdosed").tier is Tier.CRITICAL


def test_evidence_is_readable() -> None:
    found = assess("spent the whole night reading about which pills would make me not wake up")
    assert found.tier is not Tier.NONE and found.evidence
    assert all(isinstance(e, str) and e.strip() for e in found.evidence)


@needs_shared("dev.jsonl", "dev2.jsonl")
def test_measured_quality_does_not_slip_on_the_evaluation_sets() -> None:
    """Issue 12's gates on the evaluation sets (never trained on), all five met: critical
    recall 0.85, reaching a human 0.97, Spanish 0.95, critical false alarms 0.03, either
    tier's false alarms 0.15 (docs/risk.md)."""
    rows = [
        json.loads(line)
        for name in ("dev.jsonl", "dev2.jsonl")
        for line in (SHARED / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    tiers = [(r, assess(r["text"]).tier) for r in rows]
    positives = [(r, t) for r, t in tiers if r["escalate"]]
    negatives = [t for r, t in tiers if not r["escalate"]]
    harmless = [t for r, t in tiers if r["category"] == "none"]
    spanish = [t for r, t in positives if r["lang"] == "es"]
    human = {Tier.CRITICAL, Tier.CONCERN}
    human_recall = sum(t in human for _, t in positives) / len(positives)
    critical_recall = sum(t is Tier.CRITICAL for _, t in positives) / len(positives)
    spanish_recall = sum(t in human for t in spanish) / len(spanish)
    critical_alarms = sum(t is Tier.CRITICAL for t in negatives) / len(negatives)
    any_alarms = sum(t in human for t in negatives) / len(negatives)
    assert critical_alarms <= 0.03  # issue 12's gate
    assert critical_recall >= 0.85  # issue 12's gate
    assert human_recall >= 0.97  # issue 12's gate
    assert spanish_recall >= 0.95  # issue 12's gate
    assert any_alarms <= 0.15  # issue 12's gate (measured 0.123, 66 of 535)
    # On harmless messages alone (without calm lapses), a floor at the measured figure:
    assert sum(t in human for t in harmless) / len(harmless) <= 0.12  # measured 0.116
