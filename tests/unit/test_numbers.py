"""Numbers typed or carried by buttons are read strictly."""

from __future__ import annotations

import pytest

from bot.numbers import INT64_MAX, parse_id, parse_int


@pytest.mark.parametrize(
    "raw", ["²", "٣", "３", "1²", "", " 7", "7 ", "+7", "0x10", "1_000", "9" * 20, "-"]
)
def test_anything_but_ascii_digits_is_refused(raw: str) -> None:
    assert parse_int(raw, low=-INT64_MAX, high=INT64_MAX) is None


def test_range_is_enforced() -> None:
    assert parse_int("90", low=1, high=90) == 90
    assert parse_int("91", low=1, high=90) is None
    assert parse_int("0", low=1, high=90) is None
    assert parse_id(str(INT64_MAX)) == INT64_MAX
    assert parse_id(str(INT64_MAX + 1)) is None
    assert parse_id("-5") is None
