"""Each language says a concept with one word and addresses the reader one way.

The words and the form of address are in locales/glossary.toml; docs/translating.md
("Glossary and form of address") explains them. Every catalog of every domain is read: the core's
and each plugin's. A message is checked against a concept only when its English text names that
concept, so "Leave empty" is not the activity's "Leave" and "${playlist}" names nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

import pytest
from babel.messages.pofile import read_po

from col_core.i18n import LOCALES_DIR, extraction
from col_core.plugins import PluginRegistry

GLOSSARY_PATH = LOCALES_DIR / "glossary.toml"
GLOSSARY = tomllib.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))
ENGLISH = GLOSSARY["english"]
LANGUAGES = sorted(name for name in GLOSSARY if name != "english")
DOMAINS = extraction.domains(PluginRegistry.discover())
# Placeholders and markup are not words of either language.
NOT_WORDS = re.compile(extraction.PLACEHOLDER.pattern + r"|<[^>]+>")
# A translator who is sure a flagged word is right (a quotation, a name) writes this comment
# ("# glossary-ok: why") above the msgid; the message is then skipped.
WAIVER = "glossary-ok"
# What may stand between the end of one sentence and the first word of the next.
OPENING = " \t\n\"'“”„‚‘’«»(¿¡"


@dataclass(frozen=True)
class Entry:
    catalog: str
    english: str
    translation: str

    def where(self) -> str:
        return f"{self.catalog}: msgid {self.english!r}"


def _plain(text: str) -> str:
    return NOT_WORDS.sub(" ", text)


def _entries(domain: extraction.Domain, language: str) -> list[Entry]:
    path = domain.po_path(language)
    if not path.exists():
        return []
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    shown = path.relative_to(extraction.REPOSITORY)
    entries = []
    for message in catalog:
        waived = any(WAIVER in comment for comment in message.user_comments)
        if not message.id or waived:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english = " / ".join(ids)
        entries.extend(Entry(str(shown), english, text) for text in strings if text)
    return entries


def _named(concept: str, english: str) -> bool:
    return re.search(ENGLISH[concept], _plain(english), re.IGNORECASE | re.MULTILINE) is not None


def term_problems(language: str, entry: Entry) -> list[str]:
    """Words of ``entry`` that the glossary says not to use for a concept its English names."""
    terms = GLOSSARY[language]["terms"]
    named = [concept for concept in terms if _named(concept, entry.english)]
    text = _plain(entry.translation)
    problems = []
    for concept in named:
        others = [terms[other]["words"] for other in named if other != concept]
        for avoid in terms[concept]["avoid"]:
            for found in re.finditer(rf"\w*(?:{avoid})\w*", text, re.IGNORECASE):
                # "Sign in to join": the sign-in word is right for "sign in", not wrong for "join".
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


def address_problems(language: str, entry: Entry) -> list[str]:
    """Words of ``entry`` in the form of address the language does not use."""
    address = GLOSSARY[language]["address"]
    text = _plain(entry.translation)
    problems = []
    for rule in address["avoid"]:
        for found in re.finditer(rule["pattern"], text):
            at_start = _at_sentence_start(text, found.start())
            if rule.get("only_at_sentence_start") and not at_start:
                continue
            english_allows = rule.get("allowed_at_sentence_start_when_english")
            if at_start and english_allows and re.search(english_allows, entry.english, re.I):
                continue
            problems.append(
                f"{entry.where()} says {found.group(0)!r}: {language} uses one form of "
                f"address, {address['form']} (locales/glossary.toml [{language}.address])"
            )
    return problems


def _catalog_problems(check, domain: extraction.Domain, language: str) -> list[str]:
    return [problem for entry in _entries(domain, language) for problem in check(language, entry)]


def test_every_language_defines_every_concept():
    for language in LANGUAGES:
        assert set(GLOSSARY[language]["terms"]) == set(ENGLISH), language
        assert GLOSSARY[language]["address"]["avoid"], language


def test_the_platform_languages_have_a_glossary():
    catalog_languages = set(extraction.languages(DOMAINS))
    assert catalog_languages <= set(LANGUAGES), "add these languages to locales/glossary.toml"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_each_concept_has_one_word(domain, language):
    assert _catalog_problems(term_problems, domain, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_one_form_of_address(domain, language):
    assert _catalog_problems(address_problems, domain, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_out_and_leaving_are_different_words(language):
    terms = GLOSSARY[language]["terms"]
    sign_out, leave = terms["sign_out"], terms["leave"]
    assert not re.search(sign_out["words"], leave["use"], re.IGNORECASE)
    assert not re.search(leave["words"], sign_out["use"], re.IGNORECASE)
    assert not re.search(terms["sign_in"]["words"], terms["join"]["use"], re.IGNORECASE)


def _entry(english: str, translation: str) -> Entry:
    return Entry("x.po", english, translation)


@pytest.mark.parametrize(
    ("english", "german", "flagged"),
    [
        ("Choose at least one event.", "Wählen Sie mindestens ein Ereignis.", ["Sie"]),
        ("Your display name", "Ihr Anzeigename", ["Ihr"]),
        ("It has expired.", "Sie ist abgelaufen.", []),
        ("Organisers see only results. They never see yours.", "Sie sehen nie deine.", []),
        ("Keep it where your endpoint reads it.", "Bewahre es auf, wo Ihr Endpunkt …", ["Ihr"]),
        ("You are signed out.", "Du bist ausgeloggt.", []),
    ],
)
def test_german_sie_is_told_apart_from_she_and_they(english, german, flagged):
    problems = address_problems("de", _entry(english, german))
    assert [problem.split(" says ")[1].split(":")[0].strip("'") for problem in problems] == flagged


def test_a_word_right_for_another_named_concept_is_allowed():
    assert term_problems("de", _entry("Sign in to join", "Log dich ein, um mitzumachen")) == []
    assert term_problems("de", _entry("Join", "Einloggen")) != []
    assert term_problems("nl", _entry("Sign out", "Afmelden")) != []
    assert term_problems("nl", _entry("Leave empty to keep it", "Laat leeg")) == []


def test_placeholders_name_no_concept():
    assert term_problems("de", _entry("Now open: ${activity}", "Jetzt offen: Angebot")) == []
    assert address_problems("lt", _entry("On ${date}", "${date}")) == []
