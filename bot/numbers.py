"""Numbers people type or buttons carry, read strictly.

Python's int() takes any Unicode decimal digit ("٣" is 3) and str.isdigit() also takes "²",
which int() then refuses; a number past 64 bits overflows the database. Everything typed or
sent in callback data is read here instead: ASCII digits only, within a stated range.
"""

from __future__ import annotations

import re

# The largest value a 64-bit signed column holds: Telegram ids, row ids.
INT64_MAX = 2**63 - 1

_ASCII_INT = re.compile(r"-?[0-9]{1,19}")

# For callback patterns: `\d` matches every Unicode decimal digit, this only 0-9.
ID_PATTERN = "[0-9]{1,18}"


def parse_int(raw: str, *, low: int = 1, high: int = INT64_MAX) -> int | None:
    """The integer `raw` spells in ASCII digits (a leading minus allowed), if it lies within
    low..high; None for anything else."""
    if _ASCII_INT.fullmatch(raw) is None:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def parse_id(raw: str) -> int | None:
    """A row id or a Telegram user id: 1 up to 2**63 - 1."""
    return parse_int(raw, low=1, high=INT64_MAX)
