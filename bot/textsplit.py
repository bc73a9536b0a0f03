"""Split HTML text for Telegram's 4,096-character limit without losing or breaking anything.

Telegram counts the text after HTML parsing, in UTF-16 code units. Pieces are cut at a line
break if there is one in the second half of the piece, else at a space, else anywhere; never
inside a tag or an entity. Tags open at a cut are closed at the end of one piece and opened
again at the start of the next, so every piece is valid HTML on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TEXT_LIMIT = 4096

_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"
)


@dataclass(frozen=True)
class _Atom:
    source: str
    units: int  # visible UTF-16 code units
    tag: str | None = None  # for tags: the tag name
    closing: bool = False


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        atoms.extend(_Atom(c, _units(c)) for c in text[pos : match.start()])
        if match.group(2) is not None:
            atoms.append(_Atom(match.group(0), 0, match.group(2).lower(), match.group(1) == "/"))
        else:
            atoms.append(_Atom(match.group(0), 1))
        pos = match.end()
    atoms.extend(_Atom(c, _units(c)) for c in text[pos:])
    return atoms


def visible_length(text: str) -> int:
    return sum(a.units for a in _atoms(text))


def _replay(stack: list[_Atom], atoms: list[_Atom]) -> list[_Atom]:
    stack = list(stack)
    for atom in atoms:
        if atom.tag is None:
            continue
        if atom.closing:
            if stack and stack[-1].tag == atom.tag:
                stack.pop()
        else:
            stack.append(atom)
    return stack


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` visible characters each, in order, each valid on its own."""
    atoms = _atoms(text)
    if sum(a.units for a in atoms) <= limit:
        return [text]
    pieces: list[str] = []
    open_at_start: list[_Atom] = []
    current: list[_Atom] = []
    length = 0
    for atom in atoms:
        if length + atom.units > limit and length > 0:
            cut = _cut_point(current)
            head, tail = current[:cut], current[cut:]
            while tail and tail[0].source in ("\n", " "):  # the break itself is not needed
                tail = tail[1:]
            open_at_end = _replay(open_at_start, head)
            pieces.append(
                "".join(a.source for a in open_at_start)
                + "".join(a.source for a in head)
                + "".join(f"</{a.tag}>" for a in reversed(open_at_end))
            )
            open_at_start, current = open_at_end, tail
            length = sum(a.units for a in current)
        current.append(atom)
        length += atom.units
    if current:
        pieces.append("".join(a.source for a in open_at_start + current))
    return [p for p in pieces if p.strip()]


def _cut_point(atoms: list[_Atom]) -> int:
    """Where to cut `atoms` (index of the first atom of the next piece)."""
    half = len(atoms) // 2
    for separator in ("\n", " "):
        for index in range(len(atoms) - 1, half, -1):
            if atoms[index].source == separator:
                return index
    return len(atoms)
