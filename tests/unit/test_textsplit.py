"""Over-long text is split into valid pieces under Telegram's limit, losing nothing."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.textsplit import TEXT_LIMIT, split_html, visible_length
from emulator.html_check import plain_text


def _checked(pieces: list[str], limit: int) -> str:
    """Each piece parses as Telegram would and fits; returns what a reader sees, one message
    after another."""
    seen = []
    for piece in pieces:
        text = plain_text(piece)  # raises where Telegram would answer "can't parse entities"
        assert 0 < len(text.encode("utf-16-le")) // 2 <= limit
        seen.append(text)
    return "\n".join(seen)


def _words(text: str) -> list[str]:
    return text.split()


def test_short_text_is_one_message_unchanged() -> None:
    assert split_html("<b>hello</b> &amp; welcome") == ["<b>hello</b> &amp; welcome"]


def test_a_long_message_is_split_at_line_breaks_with_every_word_kept() -> None:
    lines = [f"<b>Line {n}</b>: " + html.escape("notes & more <stuff> ") * 8 for n in range(60)]
    text = "\n".join(lines)
    assert visible_length(text) > TEXT_LIMIT
    pieces = split_html(text)
    assert len(pieces) >= 2
    assert _words(_checked(pieces, TEXT_LIMIT)) == _words(plain_text(text))
    assert all(p.startswith("<b>Line") for p in pieces)  # cut between lines, not inside


def test_a_tag_open_at_the_cut_is_closed_and_reopened() -> None:
    text = '<i>intro</i> <a href="https://example.org/x">' + "word " * 2000 + "</a> end"
    pieces = split_html(text)
    assert len(pieces) >= 2
    assert pieces[1].startswith('<a href="https://example.org/x">')
    assert _words(_checked(pieces, TEXT_LIMIT)) == _words(plain_text(text))


def test_text_without_spaces_and_with_emoji_never_splits_a_character() -> None:
    text = "😀" * 3000 + "&lt;" * 10
    pieces = split_html(text)
    assert _checked(pieces, TEXT_LIMIT).replace("\n", "") == plain_text(text)


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40).map(
                html.escape
            ),
            st.sampled_from(["\n", " ", "<b>", "</b>", "&amp;", "😀"]),
        ),
        max_size=200,
    ),
    limit=st.integers(min_value=8, max_value=120),
)
def test_any_text_keeps_every_visible_character(parts: list[str], limit: int) -> None:
    # Balance the bold tags so the input itself is valid.
    text, open_bold = "", False
    for part in parts:
        if part in ("<b>", "</b>"):
            part = "</b>" if open_bold else "<b>"
            open_bold = not open_bold
        text += part
    if open_bold:
        text += "</b>"
    if not plain_text(text).strip():
        return
    pieces = split_html(text, limit)
    joined = _checked(pieces, limit) if len(pieces) > 1 else plain_text(pieces[0])
    # Only the line breaks or spaces the text was cut at may be gone.
    assert joined.replace("\n", "").replace(" ", "") == (
        plain_text(text).replace("\n", "").replace(" ", "")
    )
