"""Text as the assessor reads it: lower case, no accents or apostrophes, emojis that matter
read as words, letter runs shortened."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

EMOJI_WORDS = {
    "💊": " pills ",
    "🔪": " knife ",
    "🗡": " knife ",
    "🔫": " gun ",
    "💉": " needle ",
    "⚰": " coffin ",
    "🪦": " grave ",
    "🍺": " drink ",
    "🍻": " drink ",
    "🍷": " drink ",
    "🥃": " drink ",
    "🍾": " drink ",
    "🚑": " ambulance ",
    "🩸": " blood ",
}
APOSTROPHES = re.compile(r"['’‘´`]")
REPEATS = re.compile(r"(\w)\1{2,}")


@lru_cache(maxsize=64)  # one message is folded by the rules and the models alike
def fold_plain(text: str) -> str:
    """Lower case, no accents, no apostrophes, emojis that matter as words."""
    if text.isascii():  # most chat: nothing to decompose, no emoji
        text = text.lower()
    else:
        for emoji, word in EMOJI_WORDS.items():
            text = text.replace(emoji, word)
        text = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = APOSTROPHES.sub("", text)
    text = re.sub(r"\bo\.d\.?(?=\W|$)", "od", text)
    return re.sub(r"[ \t]+", " ", text)


@lru_cache(maxsize=64)
def fold(text: str) -> str:
    """`fold_plain`, with letter runs shortened to two ('sooo' -> 'soo')."""
    return REPEATS.sub(r"\1\1", fold_plain(text))
