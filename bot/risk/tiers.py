"""Rules and the learned models together: which tier a message reaches.

`critical`: coordinators now. `concern`: a human close to the person (the mentor) checks.
`none`: nothing. Rules keep what must never be missed and give readable evidence; the models
cover the long tail of phrasings no rule has seen, and can calm a rule that fired on an idiom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.risk.assessor import Assessment, Category, Severity
from bot.risk.assessor import assess as assess_rules
from bot.risk.model import WORD, LinearModels, default_models
from bot.risk.text import fold

CATEGORY_HEADS = tuple(c.value for c in Category if c is not Category.NONE)
# Messages of fewer words are left to the rules: with two or three n-grams to go on, the
# models' scores are mostly noise ("mentee" or "hello" alone scored like an emergency).
MODEL_MIN_WORDS = 3
# Below this, the models are all but sure a rule's match is an idiom or a joke ("dying for
# a drink lol"): a rule's emergency then asks the mentor rather than waking the staff, and a
# rule's weak match ("slipped", "first time in") asks nobody. Measured in cross-validation
# over the corpus: the weak matches calmed so were 264 false alarms and no emergency, while
# a rule's emergency calmed this far was still an emergency 9 times in 715, so those always
# reach a human.
RULE_CALMED_BELOW = 0.03


class Tier(StrEnum):
    NONE = "none"
    CONCERN = "concern"
    CRITICAL = "critical"


class Subject(StrEnum):
    WRITER = "writer"  # the writer's own danger
    OTHER = "other"  # someone the writer speaks about


@dataclass(frozen=True)
class RiskAssessment:
    tier: Tier
    category: Category
    probability: float  # the models' calibrated probability that staff must see it now
    subject: Subject
    evidence: list[str] = field(default_factory=list)

    @property
    def escalate(self) -> bool:
        return self.tier is Tier.CRITICAL


def assess(text: str, models: LinearModels | None = None) -> RiskAssessment:
    """The tier, category, whose danger, and why, for one message."""
    models = models or default_models()
    rules = assess_rules(text)
    if len(WORD.findall(fold(text))) < MODEL_MIN_WORDS:
        return _rules_only(rules)
    rows, values = models.vector(text)
    p = models.probabilities(rows, values)
    critical_at, concern_at = models.thresholds["critical"], models.thresholds["concern"]
    if p["critical"] >= critical_at or (rules.escalate and p["critical"] >= RULE_CALMED_BELOW):
        tier = Tier.CRITICAL
    elif p["critical"] >= concern_at or rules.escalate or (
        rules.severity is Severity.MENTOR and p["critical"] >= RULE_CALMED_BELOW
    ):
        tier = Tier.CONCERN
    else:
        tier = Tier.NONE
    if tier is Tier.NONE:
        return RiskAssessment(tier, Category.NONE, p["critical"], Subject.WRITER)
    category: Category
    if rules.category is not Category.NONE:
        category, evidence = rules.category, list(rules.evidence)
    else:
        head = max(CATEGORY_HEADS, key=lambda c: p[c])
        strongest = models.strongest(rows, values, 3)
        category, evidence = Category(head), strongest["critical"] or strongest["human"]
    subject = Subject.WRITER if p["self"] >= 0.5 else Subject.OTHER
    return RiskAssessment(tier, category, p["critical"], subject, evidence)


def _rules_only(rules: Assessment) -> RiskAssessment:
    if rules.escalate:
        tier = Tier.CRITICAL
    elif rules.severity is not Severity.NONE:
        tier = Tier.CONCERN
    else:
        return RiskAssessment(Tier.NONE, Category.NONE, 0.0, Subject.WRITER)
    probability = 1.0 if tier is Tier.CRITICAL else 0.5
    return RiskAssessment(tier, rules.category, probability, Subject.WRITER, list(rules.evidence))
