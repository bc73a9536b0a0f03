"""The risk assessor: text → tier (critical / concern / none), category, whose danger, and
the evidence. Rules (`assessor`, data in `rules.toml`) and learned models (`model`, trained by
`train` from `corpus/`) together (`tiers`)."""

from bot.risk.assessor import Assessment, Category, Severity
from bot.risk.assessor import assess as assess_rules
from bot.risk.tiers import RiskAssessment, Subject, Tier, assess

__all__ = [
    "Assessment",
    "Category",
    "RiskAssessment",
    "Severity",
    "Subject",
    "Tier",
    "assess",
    "assess_rules",
]
