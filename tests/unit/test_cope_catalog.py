"""The Spanish for every text of branch i16-cope (bot/locales/es/LC_MESSAGES/i16-cope.po),
until the catalog tests of the i18n branch cover it: one entry per constant, the English
exactly as in bot/texts.py, a translation that keeps the placeholders and the HTML tags."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot import texts

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "bot" / "locales" / "es" / "LC_MESSAGES" / "i16-cope.po"
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


def block_entries() -> dict[str, str]:
    """msgctxt -> English for the constants in the i16-cope block of bot/texts.py."""
    source = (ROOT / "bot" / "texts.py").read_text(encoding="utf-8")
    block = source[source.index("# ---- i16-cope") :]
    following = block.find("\n# ---- ", 1)  # the next branch's block, merged after it
    block = block if following < 0 else block[:following]
    entries: dict[str, str] = {}
    for node in ast.parse(block).body:
        if not isinstance(node, ast.Assign):
            continue
        target = node.targets[0]
        if isinstance(target, ast.Subscript):
            assert isinstance(target.value, ast.Name) and isinstance(target.slice, ast.Constant)
            base, key = target.value.id, target.slice.value
            entries[f"{base}[{key}]"] = getattr(texts, base)[key]
            continue
        assert isinstance(target, ast.Name)
        value = getattr(texts, target.id)
        if isinstance(value, str):
            entries[target.id] = value
        elif isinstance(value, dict):
            entries.update({f"{target.id}[{k}]": v for k, v in value.items()})
        elif isinstance(value, tuple):
            entries.update({f"{target.id}[{i}]": v for i, v in enumerate(value)})
    return entries


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), body)


def po_entries() -> dict[str, tuple[str, str]]:
    """msgctxt -> (msgid, msgstr), read plainly (one or more quoted lines per field)."""
    entries: dict[str, tuple[str, str]] = {}
    fields: dict[str, str] = {}
    current = ""
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgctxt" in fields:
                assert fields["msgctxt"] not in entries, fields["msgctxt"]
                entries[fields["msgctxt"]] = (fields["msgid"], fields["msgstr"])
            fields = {}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[current] += _unquote(line)
        else:
            current = line.split()[0]
            fields[current] = _unquote(line)
    return entries


def shape(text: str) -> tuple[list[str], list[str]]:
    return sorted(PLACEHOLDER.findall(text)), TAG.findall(text)


def test_every_text_of_the_branch_has_a_current_spanish_entry() -> None:
    source, catalog = block_entries(), po_entries()
    assert len(source) > 50
    assert set(catalog) == set(source)
    for name, english in source.items():
        msgid, msgstr = catalog[name]
        assert msgid == english, name
        assert msgstr.strip() and shape(msgstr) == shape(english), name


def test_the_new_texts_are_unique_so_each_names_one_entry() -> None:
    """A catalog finds an entry by its English: no text of the branch may repeat another."""
    mine = {name: value for name, value in block_entries().items() if "[" not in name}
    others = [v for k, v in vars(texts).items() if k.isupper() and k not in mine]
    assert len(set(mine.values())) == len(mine)
    assert not set(mine.values()) & {v for v in others if isinstance(v, str)}
