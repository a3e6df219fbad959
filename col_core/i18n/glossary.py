"""One word per concept and one form of address per language, as ``locales/glossary.toml`` says.

A translation is checked against a concept only when its English text (the msgid) names that
concept, after placeholders and markup are taken out of both texts: "${playlist}" names nothing,
and "Leave empty" is not leaving an activity.  docs/translating.md ("Glossary and form of
address") explains the file to translators.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from col_core.i18n import extraction
from col_core.i18n.extraction import PLACEHOLDER, REPOSITORY, Domain, _read

GLOSSARY_PATH = REPOSITORY / "locales" / "glossary.toml"
# Placeholders and markup are words of neither language.
NOT_WORDS = re.compile(PLACEHOLDER.pattern + r"|<[^>]+>")
# A translator sure that a flagged word is right (a quotation, a product name) writes the comment
# "# glossary-ok: why" above the msgid; that message is then not checked.
WAIVER = "glossary-ok"
# What may stand between the end of one sentence and the first word of the next.
OPENING = " \t\n\"'“”„‚‘’«»(¿¡"


@dataclass(frozen=True)
class Entry:
    """One translation of one message, with where it is written: a catalog's msgid, or the
    ``name`` of a text in a file (a city's texts, a demo's)."""

    catalog: str
    english: str
    translation: str
    name: str = ""

    def where(self) -> str:
        return (
            f"{self.catalog}: {self.name}"
            if self.name
            else f"{self.catalog}: msgid {self.english!r}"
        )


def load(path: Path = GLOSSARY_PATH) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def languages(glossary: dict[str, Any]) -> list[str]:
    return sorted(name for name in glossary if name != "english")


def _plain(text: str) -> str:
    return NOT_WORDS.sub(" ", text)


def _forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def entries(domain: Domain, language: str) -> list[Entry]:
    """Every translated text of ``domain`` in ``language`` (each plural form on its own)."""
    path = domain.po_path(language)
    if not path.exists():
        return []
    shown = str(path.relative_to(REPOSITORY)) if path.is_relative_to(REPOSITORY) else str(path)
    found = []
    for message in _read(path, language):
        waived = any(WAIVER in comment for comment in message.user_comments)
        if not message.id or waived:
            continue
        english = " / ".join(_forms(message.id))
        found += [Entry(shown, english, text) for text in _forms(message.string) if text]
    return found


def _named(glossary: dict[str, Any], concept: str, english: str) -> bool:
    pattern = glossary["english"][concept]
    return re.search(pattern, _plain(english), re.IGNORECASE | re.MULTILINE) is not None


def term_problems(glossary: dict[str, Any], language: str, entry: Entry) -> list[str]:
    """Words of ``entry`` that the glossary says not to use for a concept its English names."""
    terms = glossary[language]["terms"]
    named = [concept for concept in terms if _named(glossary, concept, entry.english)]
    text = _plain(entry.translation)
    problems = []
    for concept in named:
        # "Sign in to join": the sign-in word is right for "sign in", not wrong for "join".
        others = [terms[other]["words"] for other in named if other != concept]
        for avoid in terms[concept]["avoid"]:
            for found in re.finditer(rf"\w*(?:{avoid})\w*", text, re.IGNORECASE):
                if any(re.search(word, found.group(0), re.IGNORECASE) for word in others):
                    continue
                problems.append(
                    f"{entry.where()} says {found.group(0)!r} for {concept!r}: "
                    f"the {language} glossary word is {terms[concept]['use']!r} "
                    f"(locales/glossary.toml [{language}.terms])"
                )
    return problems


def _at_sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip(OPENING)
    return before == "" or before[-1] in ".!?:;…" or before.endswith("\\n")


def _allowed(rule: dict[str, Any], at_start: bool, english: str) -> bool:
    if rule.get("only_at_sentence_start") and not at_start:
        return True
    english_allows = rule.get("allowed_at_sentence_start_when_english")
    return bool(at_start and english_allows and re.search(english_allows, english, re.I))


def address_problems(glossary: dict[str, Any], language: str, entry: Entry) -> list[str]:
    """Words of ``entry`` in the form of address that ``language`` does not use."""
    address = glossary[language]["address"]
    text = _plain(entry.translation)
    problems = []
    for rule in address["avoid"]:
        for found in re.finditer(rule["pattern"], text):
            at_start = _at_sentence_start(text, found.start())
            if _allowed(rule, at_start, entry.english):
                continue
            problems.append(
                f"{entry.where()} says {found.group(0)!r}: {language} uses one form of "
                f"address, {address['form']} (locales/glossary.toml [{language}.address])"
            )
    return problems


def catalog_problems(glossary: dict[str, Any], domain: Domain, language: str) -> list[str]:
    """Every glossary and form-of-address problem of one catalog."""
    return entry_problems(glossary, language, entries(domain, language))


def _shown(path: Path) -> str:
    return str(path.relative_to(REPOSITORY)) if path.is_relative_to(REPOSITORY) else str(path)


def _toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _leaves(value, key: str = ""):
    """(key, text) of every string in nested tables and lists ("ideas.python[1]")."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield from _leaves(inner, f"{key}.{name}" if key else name)
    elif isinstance(value, list):
        for number, inner in enumerate(value):
            yield from _leaves(inner, f"{key}[{number}]")
    elif isinstance(value, str):
        yield key, value


def paired_entries(where: str, english: dict, translated: dict) -> list[Entry]:
    """Each text of ``translated`` with the English text at the same key (if any)."""
    originals = dict(_leaves(english))
    return [
        Entry(where, originals.get(key, ""), text, key) for key, text in _leaves(translated) if text
    ]


def city_entries(folder: Path, language: str) -> list[Entry]:
    """A city's own texts in ``language`` (docs/translating.md, "A city's own texts"): its
    texts/<lang>.toml, its categories' names and its legal pages, each with its English."""
    texts = folder / "texts"
    found = paired_entries(
        _shown(texts / f"{language}.toml"),
        _toml(texts / "en.toml"),
        _toml(texts / f"{language}.toml"),
    )
    categories = folder / "categories.toml"
    for category in _toml(categories).get("category", []):
        if category.get(language):
            name = f"category {category.get('slug')!r}"
            found.append(
                Entry(_shown(categories), category.get("en", ""), category[language], name)
            )
    for page in sorted((folder / "legal" / language).glob("*.md")):
        english = folder / "legal" / "en" / page.name
        original = english.read_text(encoding="utf-8") if english.is_file() else ""
        found.append(Entry(_shown(page), original, page.read_text(encoding="utf-8"), "the page"))
    return found


def demo_entries(path: Path, language: str) -> list[Entry]:
    """A demo's texts in ``language`` (a ``demo_texts.toml``: one table per language)."""
    data = _toml(path)
    return paired_entries(
        f"{_shown(path)} [{language}]", data.get("en", {}), data.get(language, {})
    )


def entry_problems(glossary: dict[str, Any], language: str, found: list[Entry]) -> list[str]:
    problems = []
    for entry in found:
        problems += term_problems(glossary, language, entry)
        problems += address_problems(glossary, language, entry)
    return problems


def city_problems(folder: Path, glossary: dict[str, Any] | None = None) -> list[str]:
    """Glossary and form-of-address problems of one city folder's own texts."""
    glossary = load() if glossary is None else glossary
    return [
        problem
        for language in languages(glossary)
        for problem in entry_problems(glossary, language, city_entries(folder, language))
    ]


def shipped_content_problems(glossary: dict[str, Any] | None = None) -> list[str]:
    """Problems of the texts this repository ships besides its catalogs: the example cities'
    (tenants/), the StarterKit's template and the demo's (every ``demo_texts.toml``)."""
    glossary = load() if glossary is None else glossary
    cities = sorted(path.parent for path in (REPOSITORY / "tenants").glob("*/tenant.toml"))
    cities.append(REPOSITORY / "starterkit" / "template")
    demos = sorted(
        path
        for package in ("col_core", "plugins")
        for path in (REPOSITORY / package).rglob("demo_texts.toml")
    )
    problems = [problem for city in cities for problem in city_problems(city, glossary)]
    for path in demos:
        for language in languages(glossary):
            problems += entry_problems(glossary, language, demo_entries(path, language))
    return problems


def check(all_domains: list[Domain], glossary: dict[str, Any] | None = None) -> list[str]:
    """Glossary problems of every catalog of every language the glossary has a table for."""
    glossary = load() if glossary is None else glossary
    missing = sorted(set(extraction.languages(all_domains)) - set(languages(glossary)))
    problems = [
        f"{GLOSSARY_PATH.name}: no table for {language!r}: add its words and form of address"
        for language in missing
    ]
    found = [
        catalog_problems(glossary, domain, language)
        for domain in all_domains
        for language in languages(glossary)
    ]
    return problems + [problem for catalog in found for problem in catalog]
