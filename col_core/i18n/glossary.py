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
    """One translation of one message, with where it is written."""

    catalog: str
    english: str
    translation: str

    def where(self) -> str:
        return f"{self.catalog}: msgid {self.english!r}"


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
    problems = []
    for entry in entries(domain, language):
        problems += term_problems(glossary, language, entry)
        problems += address_problems(glossary, language, entry)
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
