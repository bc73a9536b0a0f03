"""Pseudonym and timezone rules."""

from __future__ import annotations

import pytest

from bot import texts
from bot.services.enrolment import canonical_timezone, normalise_pseudonym, pseudonym_problem


@pytest.mark.parametrize(
    "name", ["Sam", "Jo B", "María", "river_rat", "Dan-7", "Abbott", "Steamboat Willie"]
)
def test_acceptable_pseudonyms(name: str) -> None:
    assert pseudonym_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("S", texts.PSEUDONYM_TOO_SHORT),
        ("x" * 25, texts.PSEUDONYM_TOO_LONG),
        ("<i>Sam</i>", texts.PSEUDONYM_BAD_CHARS),
        ("Sam 🌱", texts.PSEUDONYM_BAD_CHARS),
        ("1234", texts.PSEUDONYM_NEEDS_LETTER),
        ("Staff", texts.PSEUDONYM_RESERVED),
        ("st4ff member", texts.PSEUDONYM_RESERVED),
        ("The Coordinator", texts.PSEUDONYM_RESERVED),
        ("a.d.m.i.n", texts.PSEUDONYM_RESERVED),
        ("Support Team", texts.PSEUDONYM_RESERVED),
        ("Bot", texts.PSEUDONYM_RESERVED),
        ("M-0007", texts.PSEUDONYM_RESERVED),
    ],
)
def test_refused_pseudonyms(name: str, problem: str) -> None:
    assert pseudonym_problem(name) == problem


def test_pseudonym_whitespace_is_normalised() -> None:
    assert normalise_pseudonym("  Jo   B ") == "Jo B"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Madrid", "Europe/Madrid"),
        ("america/new_york", "America/New_York"),
        (" Asia/Tokyo ", "Asia/Tokyo"),
        ("UTC", "UTC"),
        ("Mars/Base", None),
        ("../etc", None),
        ("", None),
    ],
)
def test_timezone_names(typed: str, zone: str | None) -> None:
    assert canonical_timezone(typed) == zone
