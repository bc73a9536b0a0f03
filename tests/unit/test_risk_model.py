"""The learned risk models: plain-Python scoring gives what scikit-learn gives, the file
format loads without pickle, and n-grams are read the same way in training and scoring."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from bot.risk import model as risk_model
from bot.risk import train

# A tiny made-up corpus: enough to fit every head, nothing like the real one.
TINY = [
    ("i took all my pills and feel weird", "overdose_medical", True, False, "self"),
    ("he is not breathing and his lips are blue", "overdose_medical", True, False, "other"),
    ("tomé muchas pastillas y me siento mal", "overdose_medical", True, False, "self"),
    ("i want to end my life tonight", "suicide_self_harm", True, False, "self"),
    ("ya no quiero vivir, me voy a matar", "suicide_self_harm", True, False, "self"),
    ("my mentee texted me goodbye and wont answer", "suicide_self_harm", True, False, "other"),
    ("using right now alone with fent", "using_now_relapse", True, False, "self"),
    ("drank last night, can we talk tomorrow", "using_now_relapse", False, True, "self"),
    ("cravings are bad today but i am ok", "using_now_relapse", False, True, "self"),
    ("he hit me again and locked the door", "harm_to_others_abuse", True, False, "self"),
    ("mi esposo me pegó anoche", "harm_to_others_abuse", True, False, "self"),
    ("she says her boyfriend threatens her kids", "harm_to_others_abuse", True, False, "other"),
    ("killing it at work today", "none", False, False, None),
    ("me muero de hambre jaja", "none", False, False, None),
    ("got my 30 day chip!!", "none", False, False, None),
    ("narcan training at the clinic on friday", "none", False, False, None),
    ("two years ago i overdosed, today i am grateful", "none", False, False, None),
    ("this traffic is killing me lol", "none", False, False, None),
    ("see you at the meeting at 7", "none", False, False, None),
    ("high school reunion next week", "none", False, False, None),
    ("estoy muerto de cansancio", "none", False, False, None),
    ("i could kill for tacos rn", "none", False, False, None),
]


def rows() -> list[train.Example]:
    return [
        train.Example(text, "en", category, escalate, concern, subject)
        for text, category, escalate, concern, subject in TINY
    ]


def test_features_are_word_bounded_character_ngrams_and_words() -> None:
    grams = risk_model.features("Sooo HIGH")
    assert " so" in grams and "soo " in grams and " hig" in grams and "igh " in grams
    assert "o h" not in " ".join(g for g in grams if not g.startswith("w:"))  # no cross-word
    assert "w:soo" in grams and "w:high" in grams and "w:soo high" in grams
    assert risk_model.features("Tomé") == risk_model.features("tome")  # accents folded


def test_plain_python_scores_equal_scikit_learns(tmp_path: Path) -> None:
    examples = rows()
    exported = train.train(examples, max_features=400)
    path = tmp_path / "model.json.gz"
    train.write(exported, path)
    loaded = risk_model.load(path)
    vec, heads = train.fit(examples, exported["ngrams"])
    probes = [r.text for r in examples] + ["nothing we have seen", "me quiero morir", ""]
    expected = np.column_stack([h.decision_function(vec.transform(probes)) for h in heads])
    for text, want in zip(probes, expected, strict=True):
        assert np.allclose(loaded.decision(text), want, atol=1e-4), text
    # Probabilities are the calibrated decision values, within [0, 1].
    scores = loaded.score("i took all my pills")
    a, b = loaded.calibration[0]
    z = loaded.decision("i took all my pills")
    assert math.isclose(scores.probabilities["critical"], 1 / (1 + math.exp(-(a * z[0] + b))))
    assert set(scores.probabilities) == set(train.HEADS)


def test_training_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    train.write(train.train(rows(), max_features=400), first)
    train.write(train.train(rows(), max_features=400), second)
    assert first.read_bytes() == second.read_bytes()
