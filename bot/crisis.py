"""Crisis help: which lines to give, per region, per kind of emergency, in the person's language.

The data is `bot/resources/crisis.json` (or `CRISIS_RESOURCES_FILE`): numbers per region with
a source for each, the lines each kind of emergency gets, and wording per language. A pure
module: the escalation service asks it for the text, the caller sends it.

A program's own file in the older shape `{"en": "...", "es": "..."}` still works: that text is
then given for every kind of emergency, as it was before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GENERAL = "general"
CHILD_SAFETY = "child_safety"
CATEGORIES = (
    GENERAL,
    "suicide_self_harm",
    "overdose_medical",
    "using_now_relapse",
    "harm_to_others_abuse",
    CHILD_SAFETY,
)

# Only to choose which help to show for an abuse alarm (never whether to alarm): a child
# mentioned in it gets the child-protection line first.
_CHILD_WORDS = re.compile(
    r"\b(child|children|kid|kids|son|daughter|baby|babies|toddler|minor|stepson|stepdaughter"
    r"|nino|nina|ninos|ninas|hijo|hija|hijos|hijas|bebe|bebes|menor|menores|chamaco|chamaca)\b"
)


class CrisisDataError(ValueError):
    """The crisis file is malformed or lacks the configured region."""


def help_category(category: str | None, text: str | None) -> str:
    """Which help fits an alarm: its risk category, child safety when an abuse alarm speaks
    of a child, and the general help for the rest (/sos, a mentor's flag)."""
    if category == "harm_to_others_abuse" and text and mentions_child(text):
        return CHILD_SAFETY
    return category if category in CATEGORIES else GENERAL


def mentions_child(text: str) -> bool:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _CHILD_WORDS.search(plain) is not None


@dataclass(frozen=True)
class CrisisDirectory:
    """The crisis help of one region."""

    region: str
    data: Mapping[str, Any]

    @classmethod
    def load(cls, data: Mapping[str, Any], region: str) -> CrisisDirectory:
        """Check the file once, at start-up: every category of the region names known lines,
        in every language the region offers."""
        if "regions" not in data:  # the older shape: one text per language
            if "en" not in data:
                raise CrisisDataError("crisis resources need an 'en' text")
            return cls(region, data)
        regions = data["regions"]
        if region not in regions:
            known = ", ".join(sorted(regions))
            raise CrisisDataError(f"CRISIS_REGION {region!r} is not in the file ({known})")
        directory = cls(region, data)
        for language in regions[region]["languages"]:
            for category in CATEGORIES:
                directory.text(category, language, mentor_told=False)
        return directory

    def text(self, category: str, language: str | None, *, mentor_told: bool) -> str:
        """The help for this kind of emergency, in the person's language when the region
        offers it (else the region's first), ending with who has been told."""
        if "regions" not in self.data:
            return str(self.data.get(language or "en") or self.data["en"])
        region = self.data["regions"][self.region]
        lang = language if language in region["languages"] else region["languages"][0]
        category = category if category in region["categories"] else GENERAL
        guidance = self.data["guidance"][category][lang]
        lines = [guidance["intro"]]
        for key in region["categories"][category]:
            line = region["lines"][key]
            lines.append(f"• {line['name'][lang]}: {line['number']}")
        lines.extend(
            step.format(emergency=region["emergency"]) for step in guidance.get("steps", ())
        )
        told = self.data["told"][lang]
        lines.append(told["mentor_and_staff"] if mentor_told else told["staff"])
        return "\n".join(lines)

    def sources(self) -> dict[str, str]:
        """Each number of the region and where it comes from (for the README and checks)."""
        if "regions" not in self.data:
            return {}
        lines = self.data["regions"][self.region]["lines"]
        return {line["number"]: line["source"] for line in lines.values()}
