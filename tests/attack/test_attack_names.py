"""Attack on issue 11 item 13 (look-alike pseudonyms): the fix takes the confusable skeleton
*before* case-folding, so a capital I becomes "l" while the reserved words (lower case) keep
their "i". Every staff word with an i passes in capitals, and names differing only in case
are different names."""

from __future__ import annotations

import pytest

from bot import texts
from bot.services.enrolment import pseudonym_problem
from storage.names import name_key


@pytest.mark.parametrize(
    "name", ["ADMIN", "COORDINATOR", "OFFICIAL", "AdmIn", "CASEY COORDINATOR"]
)
def test_staff_words_in_capitals_are_reserved(name: str) -> None:
    assert pseudonym_problem(name) == texts.PSEUDONYM_RESERVED


@pytest.mark.parametrize(("a", "b"), [("Liam", "LIAM"), ("Iris", "IRIS"), ("Mila", "MILA")])
def test_names_differing_only_in_case_are_the_same_name(a: str, b: str) -> None:
    # README: '"SAM" and "sam"' are the same name; with an I they are not.
    assert name_key(a) == name_key(b)


def test_long_s_look_alike_of_staff_is_reserved() -> None:
    # U+017F LATIN SMALL LETTER LONG S is confusable with "f" (confusables.txt); NFKC before
    # the skeleton turns it into "s" first, so "Staſf" (shown as "Staff") passes.
    assert pseudonym_problem("Staſf") == texts.PSEUDONYM_RESERVED
