"""Every translation domain is extracted, up to date and complete in every platform language."""

import pytest
from babel.messages.pofile import read_po, write_po

from col_core.i18n import PLATFORM_LOCALES, extraction
from col_core.plugins import PluginRegistry

DOMAINS = extraction.domains(PluginRegistry.discover())
LANGUAGES = extraction.languages(DOMAINS, PLATFORM_LOCALES)


def test_every_plugin_has_its_own_domain():
    names = {domain.name for domain in DOMAINS}
    assert {"col", "col_map", "col_badges", "col_esco", "col_playlists"} <= names


def test_all_six_languages_are_checked():
    assert set(LANGUAGES) >= {"de", "es", "lt", "nl", "fr"}


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_catalog_template_is_not_stale(domain):
    assert extraction.stale_problems(domain) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.name)
def test_every_message_is_translated_with_the_same_placeholders(domain, language):
    assert extraction.translation_problems(domain, language) == []


@pytest.fixture
def sample(tmp_path):
    source = tmp_path / "pkg"
    (source / "templates").mkdir(parents=True)
    (source / "views.py").write_text('_("Hello ${name}")\n_("Goodbye")\n')
    template = '<p>{{ _("Welcome to %(city)s", city=c) }}</p>'
    (source / "templates" / "page.jinja2").write_text(template)
    return extraction.Domain("col_sample", source, source / "locale")


def _translate(domain, language, translations):
    extraction.update(domain, add_languages=[language])
    path = domain.po_path(language)
    catalog = read_po(path.open("rb"), locale=language)
    for message in catalog:
        if message.id in translations:
            message.string = translations[message.id]
    with path.open("wb") as handle:
        write_po(handle, catalog)


def test_extraction_reads_python_and_templates(sample):
    ids = {message.id for message in extraction.extract(sample) if message.id}
    assert ids == {"Hello ${name}", "Goodbye", "Welcome to %(city)s"}


def test_new_string_in_code_makes_catalog_stale(sample):
    extraction.update(sample)
    assert extraction.stale_problems(sample) == []
    (sample.source_dir / "more.py").write_text('_("A new button")\n')
    assert extraction.stale_problems(sample) == [
        f"{sample.pot_path}: new message not extracted yet: 'A new button'"
    ]


def test_missing_translation_is_reported(sample):
    _translate(sample, "lt", {"Hello ${name}": "Labas, ${name}", "Goodbye": "Viso gero"})
    assert extraction.translation_problems(sample, "lt") == [
        f"{sample.po_path('lt')}: not translated: 'Welcome to %(city)s'"
    ]


def test_changed_placeholder_is_reported(sample):
    _translate(
        sample,
        "de",
        {
            "Hello ${name}": "Hallo ${nom}",
            "Goodbye": "Tschüss",
            "Welcome to %(city)s": "Willkommen in %(city)s",
        },
    )
    [problem] = extraction.translation_problems(sample, "de")
    assert "placeholders differ in 'Hello ${name}'" in problem


def test_missing_language_catalog_is_reported(sample):
    extraction.update(sample)
    assert "missing" in extraction.translation_problems(sample, "it")[0]


def test_update_keeps_existing_translations(sample):
    _translate(sample, "fr", {"Goodbye": "Au revoir"})
    (sample.source_dir / "more.py").write_text('_("A new button")\n')
    extraction.update(sample)
    catalog = read_po(sample.po_path("fr").open("rb"), locale="fr")
    assert catalog.get("Goodbye").string == "Au revoir"
    assert catalog.get("A new button").string == ""


def test_languages_are_discovered_from_catalogs(sample):
    extraction.update(sample, add_languages=["it"])
    assert extraction.languages([sample], ("de",)) == ["de", "it"]
