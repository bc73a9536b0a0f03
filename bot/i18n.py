"""Texts in the reader's language: gettext catalogs read with Babel.

English is the source: the constants in `bot.texts`. Every other language is a folder
`bot/locales/<lang>/LC_MESSAGES/` of PO files (all of them merged), one entry per constant:
`msgctxt` is the constant's name (`NAME`, or `NAME[key]` for an item of a dict or tuple),
`msgid` the English exactly, `msgstr` the translation. An entry that is missing, fuzzy or
whose English no longer matches falls back to English (tests/unit/test_catalogs.py fails CI
for it).

Services do not format texts themselves: they build a `Text` (`t(texts.X, **params)`), and the
outbox renders it in the recipient's language as the message is queued. Numbers in parameters
are formatted for the language (Babel's `format_decimal`), except identifiers (`id`, `*_id`).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeGuard

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot import texts
from bot.texts import Plural

SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "es")
LOCALES = Path(__file__).parent / "locales"
# Parameters that name something rather than count it: never grouped ("#1234", not "#1,234").
_IDENTIFIERS = frozenset({"id", "actor", "target", "round", "rank"})


def supported(language: str | None) -> TypeGuard[str]:
    return language in LANGUAGES


class Text:
    """Something a person reads, rendered in their language when it is queued."""

    def render(self, language: str) -> str:
        raise NotImplementedError

    def __add__(self, other: Text | str) -> Text:
        return Joined((self, other))

    def __radd__(self, other: str) -> Text:
        return Joined((other, self))


@dataclass(frozen=True, eq=False)
class Msg(Text):
    """One catalog entry with its parameters (already HTML-escaped where users wrote them)."""

    context: str
    english: str | Plural
    params: Mapping[str, object] = field(default_factory=dict)
    count: int | None = None

    def render(self, language: str) -> str:
        template = translate(language, self.context, self.english, self.count)
        values = {name: _value(name, v, language) for name, v in self.params.items()}
        if self.count is not None:
            values.setdefault("count", format_decimal(self.count, locale=language))
        return template.format(**values) if values else template


@dataclass(frozen=True, eq=False)
class Joined(Text):
    """Texts (or already-rendered strings) one after another, with a separator."""

    parts: Sequence[Text | str]
    separator: str = ""

    def render(self, language: str) -> str:
        return self.separator.join(render(part, language) for part in self.parts)


@dataclass(frozen=True, eq=False)
class Verbatim(Text):
    """Text that is the same in every language: what a person wrote, an IANA zone name."""

    text: str

    def render(self, language: str) -> str:
        return self.text


@dataclass(frozen=True, eq=False)
class Transformed(Text):
    """A text changed after rendering (the first line of it, without its bold tags...)."""

    text: Text
    change: Callable[[str], str]

    def render(self, language: str) -> str:
        return self.change(self.text.render(language))


def render(text: Text | str, language: str) -> str:
    return text if isinstance(text, str) else text.render(language)


def join(parts: Sequence[Text | str], separator: str = "\n") -> Text:
    return Joined(tuple(parts), separator)


def t(template: str, **params: object) -> Msg:
    """A text constant of `bot.texts` (by its English value), with its parameters."""
    return Msg(_name_of(template), template, params)


def t_item(collection: Mapping[Any, str] | Sequence[str], key: Any, **params: object) -> Msg:
    """An item of a dict or tuple constant of `bot.texts` (`MOODS[3]`)."""
    english = collection[key]
    return Msg(f"{_collection_name(collection)}[{key}]", english, params)


def t_known(collection: Mapping[str, str], key: str, fallback: str) -> Text:
    """An item of a dict constant, or `fallback` (same in every language) for a key it lacks."""
    return t_item(collection, key) if key in collection else Verbatim(fallback)


def t_plural(template: Plural, count: int, **params: object) -> Msg:
    """A plural text constant (`texts.Plural`): the form for `count`, in the language's rules."""
    return Msg(_plural_name(template), template, params, count)


def tr(language: str, template: str, **params: object) -> str:
    """A text constant rendered now, in one language."""
    return t(template, **params).render(language)


def translate(language: str, context: str, english: str | Plural, count: int | None) -> str:
    translations = _translations(language) if language != SOURCE_LANGUAGE else None
    if isinstance(english, Plural):
        n = count if count is not None else 1
        if translations is None:
            return english.one if n == 1 else english.other
        return translations.npgettext(context, english.one, english.other, n)
    if translations is None:
        return english
    return translations.pgettext(context, english)


def _value(name: str, value: object, language: str) -> object:
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, bool) or name in _IDENTIFIERS or name.endswith("_id"):
        return value
    if isinstance(value, int | float):
        return format_decimal(value, locale=language)
    return value


def catalog_files(language: str) -> list[Path]:
    return sorted((LOCALES / language / "LC_MESSAGES").glob("*.po"))


def read_catalog(language: str) -> Catalog:
    """Every PO file of a language merged into one catalog; the plural rule is the files'
    `Plural-Forms` header (the test checks they all agree)."""
    merged: Catalog | None = None
    for path in catalog_files(language):
        with path.open("rb") as f:
            part = read_po(f, locale=language)
        if merged is None:
            merged = part
            continue
        for message in part:
            if message.id:
                merged[message.id] = message  # keyed by (msgid, msgctxt)
    return merged if merged is not None else Catalog(locale=language)


@cache
def _translations(language: str) -> gettext.GNUTranslations | None:
    if language not in LANGUAGES or language == SOURCE_LANGUAGE:
        return None
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(language))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _constants() -> Iterator[tuple[str, object]]:
    for name, value in vars(texts).items():
        if name.isupper():
            yield name, value


@cache
def _names() -> tuple[dict[str, str], dict[int, str]]:
    by_value: dict[str, str] = {}
    by_identity: dict[int, str] = {}
    for name, value in _constants():
        if isinstance(value, str):
            by_value.setdefault(value, name)
        else:
            by_identity[id(value)] = name
    return by_value, by_identity


def _name_of(template: str) -> str:
    name = _names()[0].get(template)
    if name is None:
        raise KeyError("not a text constant of bot.texts")  # no text in the message: may be logged
    return name


def _collection_name(collection: object) -> str:
    return _names()[1][id(collection)]


def _plural_name(template: Plural) -> str:
    return _names()[1][id(template)]
