"""The catalogs (bot/locales) against the source texts (bot/texts.py), and the rule that
everything a handler or service sends comes from them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import i18n, texts
from bot.i18n import LANGUAGES, SOURCE_LANGUAGE, t, t_item, t_plural, translate
from bot.texts import Plural

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in LANGUAGES if language != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


def source_entries() -> Iterator[tuple[str, str | Plural]]:
    """(msgctxt, English) for every text constant: `NAME`, `NAME[key]` for dict and tuple
    items, plural constants as one entry."""
    for name, value in vars(texts).items():
        if not name.isupper():
            continue
        if isinstance(value, str | Plural):
            if value:  # an empty text (ESCALATION_NO_CONTEXT) has nothing to translate
                yield name, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield f"{name}[{key}]", item
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                yield f"{name}[{index}]", item


def catalog_entries(language: str) -> dict[str, tuple[object, object]]:
    """msgctxt -> (msgid, msgstr) over every PO file of a language; fuzzy ones are left out."""
    entries: dict[str, tuple[object, object]] = {}
    for path in i18n.catalog_files(language):
        with path.open("rb") as f:
            catalog = read_po(f, locale=language)
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            context = message.context or ""
            assert context not in entries, f"{context} is in two PO files of {language}"
            entries[context] = (message.id, message.string)
    return entries


def shape(text: str) -> tuple[list[str], list[str]]:
    """What must stay identical across languages: placeholder names and the HTML tags, in
    order (a translation may move a placeholder, so names are compared as a sorted list)."""
    return sorted(PLACEHOLDER.findall(text)), TAG.findall(text)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_source_text_has_a_translation(language: str) -> None:
    entries = catalog_entries(language)
    missing = []
    for context, english in source_entries():
        msgid = (english.one, english.other) if isinstance(english, Plural) else english
        found = entries.get(context)
        if (
            found is None
            or found[0] != msgid
            or not all(found[1] if isinstance(found[1], tuple) else (found[1],))
        ):
            missing.append(context)
    assert not missing, f"{language}: no (current, non-empty) translation for {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_translation_is_left_without_a_source_text(language: str) -> None:
    sources = dict(source_entries())
    orphans = []
    for context, (msgid, _) in catalog_entries(language).items():
        english = sources.get(context)
        expected = (english.one, english.other) if isinstance(english, Plural) else english
        if english is None or msgid != expected:
            orphans.append(context)
    assert not orphans, f"{language}: entries with no matching text in bot/texts.py: {orphans}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_placeholders_and_tags(language: str) -> None:
    wrong = []
    for context, (msgid, msgstr) in catalog_entries(language).items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        for string in strings:
            if string and not any(shape(string) == shape(source) for source in ids):
                wrong.append(context)
    assert not wrong, f"{language}: placeholders or HTML tags differ in {wrong}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_entries_have_every_form_and_the_files_agree_on_the_rule(language: str) -> None:
    rules = set()
    for path in i18n.catalog_files(language):
        with path.open("rb") as f:
            catalog = read_po(f, locale=language)
        rules.add(catalog.plural_forms)
        for message in catalog:
            if message.pluralizable:
                assert isinstance(message.string, tuple)
                assert len(message.string) == catalog.num_plurals, message.context
                assert all(message.string), f"{message.context}: a plural form is empty"
    assert len(rules) == 1, f"{language}: PO files disagree on Plural-Forms: {rules}"


def test_source_texts_are_unique_so_each_names_one_entry() -> None:
    """`t(texts.X)` finds the entry by X's English: two constants with one text would share."""
    values = [v for _, v in vars(texts).items() if isinstance(v, str)]
    assert len(values) == len(set(values))


def test_texts_render_in_the_language_asked_with_english_for_what_is_missing() -> None:
    assert t(texts.LANGUAGE_SET).render("en") == texts.LANGUAGE_SET
    assert "español" in t(texts.LANGUAGE_SET).render("es")
    # An entry the catalog lacks (or whose English changed) reads in English.
    assert translate("es", "NO_SUCH_TEXT", "Hello", None) == "Hello"
    assert t_item(texts.LANGUAGES, "es").render("es") == texts.LANGUAGES["es"]


def test_plurals_and_numbers_follow_the_language() -> None:
    held = texts.HELD_DELIVERED_MENTOR_PLURAL
    assert t_plural(held, 1, mentee="Sam").render("en").endswith("1 message follows.")
    assert t_plural(held, 1234, mentee="Sam").render("en").endswith("1,234 messages follow.")
    assert t_plural(held, 1, mentee="Sam").render("es").endswith("aquí va 1 mensaje.")
    assert t_plural(held, 1234, mentee="Sam").render("es").endswith("van 1.234 mensajes.")
    # Identifiers are never grouped.
    assert "#12345" in t(texts.ESCALATION_RESOLVED, id=12345).render("en")


# ---- no literal text in what handlers and services send ---------------------------------

SENDERS = frozenset(
    {
        "send_text",
        "edit_text",
        "notify_member",
        "reply",
        "answer",
        "reply_text",
        "send_message",
        "edit_message_text",
        "answer_callback_query",
        "Verbatim",
    }
)
TEXT_KEYWORDS = frozenset({"text", "caption"})


def _words(value: str) -> bool:
    """Whether a literal carries words (not empty, not only HTML, punctuation or emoji)."""
    return any(ch.isalpha() for ch in TAG.sub("", value))


CATALOG_CALLS = frozenset({"t", "t_item", "t_plural", "t_known", "tr"})


def _literal_words(node: ast.AST) -> Iterator[ast.AST]:
    """Literals with words in a text argument, and constants of bot/texts.py used as they
    are (English whatever the reader's language) rather than through the catalog (`t()`).
    What goes through `h()` (a person's own words) or is a date format is not text."""
    if isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "h")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "strftime")
    ):
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in CATALOG_CALLS:  # the first argument names the entry
            for child in [*node.args[1:], *(k.value for k in node.keywords)]:
                yield from _literal_words(child)
            return
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "texts"
    ):
        yield node
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _words(node.value):
            yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _literal_words(child)


def literal_sends(source: str) -> list[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in SENDERS:
            continue
        arguments = [*node.args, *(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS)]
        for argument in arguments:
            lines.update(literal.lineno for literal in _literal_words(argument))
    return sorted(lines)


def test_the_literal_scan_finds_literal_text() -> None:
    assert literal_sends('await send_text(s, 1, "Hello there", now=now)') == [1]
    assert literal_sends('await reply(u, c, f"Sent to {name}")') == [1]
    assert literal_sends('await send_text(s, 1, Verbatim("Hi " + x), now=now)') == [1]
    assert literal_sends("await answer(c, q, texts.STALE_BUTTON)") == [1]
    assert literal_sends("await send_text(s, 1, t(texts.X, role=texts.ROLES[r]))") == [1]
    assert literal_sends("await answer(c, q, t(texts.STALE_BUTTON))") == []
    assert literal_sends('await reply(u, c, t(texts.X, when=d.strftime("%Y-%m-%d")))') == []
    assert literal_sends('await send_text(s, 1, t(texts.X, a=h(f"{w} words")))') == []
    assert literal_sends('await edit_text(s, 1, 2, t(texts.CHOSEN, choice="—"), now=n)') == []


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.glob("handlers/*.py"), *ROOT.glob("bot/services/*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_handlers_and_services_send_no_literal_text(path: Path) -> None:
    lines = literal_sends(path.read_text(encoding="utf-8"))
    assert not lines, f"{path.name}: literal text sent at lines {lines}; use bot/texts.py"
