"""Pseudonym and timezone rules."""

from __future__ import annotations

import pytest

from bot import texts
from bot.services.enrolment import canonical_timezone, normalise_pseudonym, pseudonym_problem
from storage.names import name_key


@pytest.mark.parametrize(
    "name",
    [
        "Sam", "Jo B", "María", "river_rat", "Dan-7", "Abbott", "Steamboat Willie",
        "Mo", "Mol", "Мария", "Σοφία", "Ольга М",
    ],
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
        # Look-alikes from other scripts (Cyrillic о and Ѕ, Cyrillic С, Greek Α, Cyrillic М).
        ("Pr\u043egram \u0405taff", texts.PSEUDONYM_RESERVED),
        ("\u0421oordinator", texts.PSEUDONYM_RESERVED),
        ("\u0391dmin", texts.PSEUDONYM_RESERVED),
        ("\u041c-0001", texts.PSEUDONYM_RESERVED),
        ("\u041c0001", texts.PSEUDONYM_RESERVED),
        ("M-OOO1", texts.PSEUDONYM_RESERVED),
        ("Jo M-0001", texts.PSEUDONYM_RESERVED),
        # How an erased member is shown.
        ("erased M-0001", texts.PSEUDONYM_RESERVED),
        ("\u0435rased Jo", texts.PSEUDONYM_RESERVED),
        # Invisible characters: zero-width joiner and space, a right-to-left override.
        ("Sa\u200dm", texts.PSEUDONYM_BAD_CHARS),
        ("Sa\u200bm", texts.PSEUDONYM_BAD_CHARS),
        ("\u202eSam", texts.PSEUDONYM_BAD_CHARS),
    ],
)
def test_refused_pseudonyms(name: str, problem: str) -> None:
    assert pseudonym_problem(name) == problem


def test_pseudonym_whitespace_is_normalised() -> None:
    assert normalise_pseudonym("  Jo   B ") == "Jo B"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sam", "\u0405am"),  # Cyrillic Ѕ
        ("Sam", "SAM"),
        ("Sam", "\uff33am"),  # fullwidth Ｓ
        ("Alex", "\u0410lex"),  # Cyrillic А
        ("Jo B", "J\u043e B"),  # Cyrillic о
        ("Nina", "\u039dina"),  # Greek Ν
    ],
)
def test_look_alike_pseudonyms_have_one_key(one: str, other: str) -> None:
    assert name_key(normalise_pseudonym(one)) == name_key(normalise_pseudonym(other))


@pytest.mark.parametrize(("one", "other"), [("Sam", "Sām"), ("Jose", "José"), ("Jo B", "JoB")])
def test_different_pseudonyms_have_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


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
