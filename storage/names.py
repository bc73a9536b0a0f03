"""What a name looks like: its confusable skeleton (Unicode UTS #39, section 4).

Two pseudonyms are the same name when their skeletons are equal: "Sam" and "Ѕam" (Cyrillic
Ѕ), "SAM" and "sam". The skeleton is for comparing only, never for showing.

The data is Unicode's confusables.txt, as shipped by `confusable-homoglyphs`. That package
lists each confusable pair in both directions; confusables.txt maps every source code point to
a prototype that is never itself a source, so each prototype sits at the centre of a star of
its sources, and that recovers the direction (a pair alone is one class whichever way round).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs.confusables import confusables_data

# The package's data keeps the left-to-right marks that confusables.txt puts around
# right-to-left glyphs in its comments; they are not part of the characters.
_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f")


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Each source code point of confusables.txt mapped to its prototype."""
    neighbours: dict[str, set[str]] = {}
    for key, entries in confusables_data.items():
        a = str(key).translate(_DIRECTION_MARKS)
        for entry in entries:
            b = str(entry["c"]).translate(_DIRECTION_MARKS)
            if a != b:
                neighbours.setdefault(a, set()).add(b)
                neighbours.setdefault(b, set()).add(a)
    prototypes: dict[str, str] = {}
    for char, others in neighbours.items():
        if len(char) != 1 or len(others) != 1:
            continue  # a prototype (several sources) or a sequence (always a prototype)
        (other,) = others
        if len(neighbours[other]) > 1 or len(other) > 1 or other < char:
            prototypes[char] = other
    return prototypes


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, each code point replaced by its prototype, NFD again."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(prototypes.get(ch, ch) for ch in decomposed))


def visible(text: str) -> str:
    """NFKC with invisible format characters (zero-width joiners, bidi controls) removed and
    runs of white space made one space."""
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(kept.split())


def name_key(name: str) -> str:
    """What a name looks like, case-insensitively: equal keys mean look-alike names.

    The skeleton and case folding are repeated until nothing changes: some capitals look like
    a Latin letter whose lower case does not (Cyrillic М looks like M; м does not look like
    m), and compatibility forms (circled or fullwidth letters) fold to letters that have
    look-alikes of their own. The skeleton is taken on the decomposed text, before any
    compatibility folding, as UTS #39 says ("Staſf" with a long s looks like "Staff", though
    NFKC would make it "Stasf"). Capital I and small l are one glyph in most fonts, and the
    skeleton maps I to l: so l and i are one letter here, or "ADMIN" would not match "admin".
    """
    text = " ".join(
        "".join(
            ch for ch in unicodedata.normalize("NFD", name) if unicodedata.category(ch) != "Cf"
        ).split()
    )
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", skeleton(text).casefold())
        folded = unicodedata.normalize("NFD", folded)
        if folded == text:
            break
        text = folded
    return text.replace("l", "i")
