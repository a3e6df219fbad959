"""Each language says a concept with one word and addresses the reader one way.

The words and the form of address are in locales/glossary.toml; docs/translating.md
("Glossary and form of address") explains them. Every catalog of every domain is read: the core's
and each plugin's. A message is checked against a concept only when its English text names that
concept, so "Leave empty" is not the activity's "Leave" and "${playlist}" names nothing.
"""

import json
import re

import pytest

from col_core.i18n import extraction, glossary
from col_core.i18n.glossary import Entry, address_problems, term_problems
from col_core.plugins import PluginRegistry

GLOSSARY = glossary.load()
LANGUAGES = glossary.languages(GLOSSARY)
DOMAINS = extraction.domains(PluginRegistry.discover())


def test_every_language_defines_every_concept():
    for language in LANGUAGES:
        assert set(GLOSSARY[language]["terms"]) == set(GLOSSARY["english"]), language
        assert GLOSSARY[language]["address"]["avoid"], language


def test_every_catalog_language_has_a_glossary_table():
    assert set(extraction.languages(DOMAINS)) <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_each_concept_has_one_word_and_one_form_of_address(domain, language):
    assert glossary.catalog_problems(GLOSSARY, domain, language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_out_and_leaving_are_different_words(language):
    terms = GLOSSARY[language]["terms"]
    sign_out, leave = terms["sign_out"], terms["leave"]
    assert not re.search(sign_out["words"], leave["use"], re.IGNORECASE)
    assert not re.search(leave["words"], sign_out["use"], re.IGNORECASE)
    assert not re.search(terms["sign_in"]["words"], terms["join"]["use"], re.IGNORECASE)
    assert not re.search(terms["join"]["words"], terms["sign_in"]["use"], re.IGNORECASE)


def _entry(english: str, translation: str) -> Entry:
    return Entry("x.po", english, translation)


def _words(problems: list[str]) -> list[str]:
    return [re.search(r" says '([^']*)'", problem).group(1) for problem in problems]


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
    assert _words(address_problems(GLOSSARY, "de", _entry(english, german))) == flagged


@pytest.mark.parametrize(
    ("language", "translation", "flagged"),
    [
        ("es", "Elija una opción y use la lista.", ["Elija"]),
        ("es", "Elige una opción; la lista que use la ciudad.", []),
        ("fr", "Choisissez une option dans votre liste.", ["votre", "Choisissez"]),
        ("fr", "Choisis une option chez toi.", []),
        ("lt", "Pasirinkite veiklą iš jūsų sąrašo.", ["jūsų", "Pasirinkite"]),
        ("lt", "Pasirink veiklą iš savo sąrašo.", []),
        ("lt", "Kreipkitės į savininką savaitės pabaigoje.", ["Kreipkitės"]),
        ("nl", "Kies een activiteit uit uw lijst.", ["uw"]),
    ],
)
def test_the_other_form_of_address_is_found(language, translation, flagged):
    problems = address_problems(
        GLOSSARY, language, _entry("Choose one from your list.", translation)
    )
    assert _words(problems) == flagged


def test_a_word_right_for_another_named_concept_is_allowed():
    assert (
        term_problems(GLOSSARY, "de", _entry("Sign in to join", "Log dich ein, um mitzumachen"))
        == []
    )
    assert _words(term_problems(GLOSSARY, "de", _entry("Join", "Einloggen"))) == ["Einloggen"]
    assert _words(term_problems(GLOSSARY, "nl", _entry("Sign out", "Afmelden"))) == ["Afmelden"]
    assert _words(term_problems(GLOSSARY, "lt", _entry("Join", "Prisijungti"))) == ["Prisijungti"]


def test_placeholders_and_unrelated_senses_name_no_concept():
    assert term_problems(GLOSSARY, "de", _entry("Now open: ${activity}", "Offen: Angebot")) == []
    assert term_problems(GLOSSARY, "nl", _entry("Leave empty to keep it", "Uitloggen")) == []
    assert address_problems(GLOSSARY, "lt", _entry("On ${date}", "${date}")) == []


def test_the_message_names_catalog_msgid_word_and_the_word_to_use():
    (problem,) = term_problems(GLOSSARY, "de", _entry("Leave", "Ausloggen"))
    assert problem == (
        "x.po: msgid 'Leave' says 'Ausloggen' for 'leave': the de glossary word is "
        "'sich abmelden (von einer Aktivität)' (locales/glossary.toml [de.terms])"
    )


def test_a_translator_comment_waives_one_message(tmp_path):
    domain = extraction.Domain("col_sample", tmp_path, tmp_path)
    path = domain.po_path("de")
    path.parent.mkdir(parents=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Your badge"\nmsgstr "Ihr Abzeichen"\n\n'
        '# glossary-ok: a quotation\nmsgid "Your old badge"\nmsgstr "Ihr altes Abzeichen"\n',
        encoding="utf-8",
    )
    assert _words(glossary.catalog_problems(GLOSSARY, domain, "de")) == ["Abzeichen", "Ihr"]


def test_check_asks_for_a_table_for_a_new_language(tmp_path):
    domain = extraction.Domain("col_sample", tmp_path, tmp_path)
    path = domain.po_path("it")
    path.parent.mkdir(parents=True)
    path.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    assert glossary.check([domain], GLOSSARY) == [
        "glossary.toml: no table for 'it': add its words and form of address"
    ]


def test_the_shipped_cities_starterkit_and_demo_texts_use_the_glossary():
    assert glossary.shipped_content_problems(GLOSSARY) == []


def _toml(texts: dict) -> str:
    # A TOML basic string is a JSON string.
    return "".join(
        f"{key} = {json.dumps(text, ensure_ascii=False)}\n" for key, text in texts.items()
    )


def _city(folder, german: dict, english: dict, page: tuple[str, str] = ("", "")):
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "de.toml").write_text(_toml(german), encoding="utf-8")
    (folder / "texts" / "en.toml").write_text(_toml(english), encoding="utf-8")
    for language, text in zip(("en", "de"), page, strict=True):
        (folder / "legal" / language).mkdir(parents=True)
        (folder / "legal" / language / "terms.md").write_text(text, encoding="utf-8")
    return folder


def test_a_citys_text_is_checked_against_its_english_at_the_same_key(tmp_path):
    folder = _city(
        tmp_path,
        {"welcome_text": "Sammle Abzeichen.", "footer": "Abzeichen-Straße 1"},
        {"welcome_text": "Collect badges.", "footer": "Badge Street 1"},
    )
    problems = glossary.city_problems(folder, GLOSSARY)
    assert _words(problems) == ["Abzeichen", "Abzeichen"]
    assert problems[0].startswith(f"{tmp_path}/texts/de.toml: welcome_text says")


def test_a_city_text_naming_no_concept_in_english_is_held_to_the_form_of_address(tmp_path):
    folder = _city(tmp_path, {"footer": "Schön, dass Sie da sind."}, {"footer": "Hello."})
    assert _words(glossary.city_problems(folder, GLOSSARY)) == ["Sie"]


def test_a_citys_legal_page_is_checked_against_its_english_page(tmp_path):
    page = ("Badges show what you learnt.", "Abzeichen zeigen, was du gelernt hast.")
    folder = _city(tmp_path, {}, {}, page)
    problems = glossary.city_problems(folder, GLOSSARY)
    assert _words(problems) == ["Abzeichen"]
    assert "legal/de/terms.md: the page says" in problems[0]


def test_a_citys_category_name_is_checked_against_its_english_name(tmp_path):
    (tmp_path / "categories.toml").write_text(
        '[[category]]\nslug = "courses"\nen = "Activities for everyone"\nde = "Ein Kurs für alle"\n',
        encoding="utf-8",
    )
    problems = glossary.city_problems(tmp_path, GLOSSARY)
    assert _words(problems) == ["Kurs"]
    assert "categories.toml: category 'courses' says" in problems[0]
