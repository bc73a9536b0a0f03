"""Telegram's HTML parse mode, strictly: the tags it knows, balanced, and escaped text."""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|<|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|&"
)
_NAMED = {"lt", "gt", "amp", "quot"}


class ParseError(ValueError):
    pass


def plain_text(source: str) -> str:
    """The text a person sees; raises ParseError where Telegram answers "can't parse entities"."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(source):
        out.append(source[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token == "<":
            raise ParseError(f"Unsupported start tag at byte offset {match.start()}")
        if token == "&":
            raise ParseError(f"Character entity expected at byte offset {match.start()}")
        if token.startswith("&"):
            name = match.group(4)
            if not name.startswith("#") and name not in _NAMED:
                raise ParseError(f'Unsupported HTML entity "&{name};"')
            out.append(html.unescape(token))
            continue
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in ALLOWED_TAGS:
            raise ParseError(f'Unsupported start tag "{tag}" at byte offset {match.start()}')
        if closing:
            if not stack or stack[-1] != tag:
                raise ParseError(f'Unmatched end tag "{tag}" at byte offset {match.start()}')
            stack.pop()
        else:
            stack.append(tag)
    out.append(source[pos:])
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)
