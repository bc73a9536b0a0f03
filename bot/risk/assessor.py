"""A pure, rule-based risk assessor for what mentees and mentors write (English and Spanish).

The rules live in `rules.toml` beside this file, as data: patterns with a category and a
weight, idioms to ignore, negations and recovered-past markers that cancel a match.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from bot.risk.text import REPEATS, fold_plain

RULES_FILE = Path(__file__).with_name("rules.toml")
SENTENCE = re.compile(r"[.!?;\n]+")
COORDINATOR_SCORE = 1.0
MENTOR_SCORE = 0.5
NEGATION_WINDOW_WORDS = 4


class Category(StrEnum):
    SUICIDE_SELF_HARM = "suicide_self_harm"
    OVERDOSE_MEDICAL = "overdose_medical"
    USING_NOW_RELAPSE = "using_now_relapse"
    HARM_TO_OTHERS_ABUSE = "harm_to_others_abuse"
    NONE = "none"


class Severity(StrEnum):
    NONE = "none"
    MENTOR = "mentor"  # the mentor should know
    COORDINATOR = "coordinator"  # a coordinator now


@dataclass(frozen=True)
class Assessment:
    category: Category
    severity: Severity
    score: float
    evidence: list[str] = field(default_factory=list)

    @property
    def escalate(self) -> bool:
        return self.severity == Severity.COORDINATOR


@dataclass(frozen=True)
class _Rule:
    category: Category
    weight: float
    pattern: re.Pattern[str]
    negatable: bool
    past: bool


@dataclass(frozen=True)
class _Rules:
    rules: tuple[_Rule, ...]
    idioms: tuple[re.Pattern[str], ...]
    negators: re.Pattern[str]
    past_markers: tuple[re.Pattern[str], ...]
    third_party: tuple[re.Pattern[str], ...]
    meta: tuple[re.Pattern[str], ...]
    recovery_actions: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    negators = sorted(data["negators"], key=len, reverse=True)
    return _Rules(
        rules=tuple(
            _Rule(
                category=Category(rule["category"]),
                weight=float(rule["weight"]),
                pattern=re.compile(rule["pattern"]),
                negatable=bool(rule.get("negatable", True)),
                past=bool(rule.get("past", False)),
            )
            for rule in data["rule"]
        ),
        idioms=tuple(re.compile(p) for p in data["idioms"]),
        negators=re.compile(
            r"\b(" + "|".join(re.escape(fold_plain(n)) for n in negators) + r")\b"
        ),
        past_markers=tuple(re.compile(p) for p in data["past_markers"]),
        third_party=tuple(re.compile(p) for p in data["third_party"]),
        meta=tuple(re.compile(p) for p in data["meta"]),
        recovery_actions=tuple(re.compile(p) for p in data["recovery_actions"]),
    )


def variants(text: str) -> list[str]:
    """The folded text with letter runs shortened to two, and to one ('sooo', 'kiiill')."""
    folded = fold_plain(text)
    two = REPEATS.sub(r"\1\1", folded)
    one = REPEATS.sub(r"\1", folded)
    return list(dict.fromkeys([two, one]))


def assess(text: str) -> Assessment:
    """Categorise a message and say how urgent it is, with the phrases that decided it."""
    rules = _rules()
    scores: dict[Category, float] = {}
    evidence: dict[Category, list[str]] = {}
    matched: set[int] = set()
    folded = variants(text)
    if any(p.search(v) for p in rules.meta for v in folded):
        return Assessment(Category.NONE, Severity.NONE, 0.0)
    coping = any(p.search(v) for p in rules.recovery_actions for v in folded)
    for variant in folded:
        for sentence in SENTENCE.split(variant):
            sentence = sentence.strip()
            if not sentence:
                continue
            for idiom in rules.idioms:
                sentence = idiom.sub(" ", sentence)
            past = any(p.search(sentence) for p in rules.past_markers)
            distant = any(p.search(sentence) for p in rules.third_party)
            for index, rule in enumerate(rules.rules):
                if index in matched:
                    continue
                match = rule.pattern.search(sentence)
                if match is None:
                    continue
                if rule.negatable and _negated(sentence, match.start(), rules.negators):
                    continue
                if (past and not rule.past) or distant:
                    continue
                if coping and rule.category == Category.USING_NOW_RELAPSE:
                    continue
                matched.add(index)
                scores[rule.category] = scores.get(rule.category, 0.0) + rule.weight
                evidence.setdefault(rule.category, []).append(match.group(0).strip())
    if not scores:
        return Assessment(Category.NONE, Severity.NONE, 0.0)
    category = max(scores, key=lambda c: scores[c])
    score = scores[category]
    if score >= COORDINATOR_SCORE:
        severity = Severity.COORDINATOR
    elif score >= MENTOR_SCORE:
        severity = Severity.MENTOR
    else:
        return Assessment(Category.NONE, Severity.NONE, score, evidence[category])
    return Assessment(category, severity, score, evidence[category])


def _negated(sentence: str, start: int, negators: re.Pattern[str]) -> bool:
    """A negation in the same clause, a few words before the match."""
    clause = re.split(r"[,:]|\b(but|pero|and then|y luego)\b", sentence[:start])[-1] or ""
    before = clause.split()[-NEGATION_WINDOW_WORDS:]
    return negators.search(" ".join(before)) is not None
