"""Each example city's home page, in each of its languages, reads in that language."""

import tomllib

import pytest

from .conftest import TENANTS

# The platform's own words, as the catalogs translate them.
SKIP_LINK = {
    "en": "Skip to content",
    "de": "Zum Inhalt springen",
    "es": "Saltar al contenido",
    "fr": "Aller au contenu",
    "lt": "Pereiti prie turinio",
    "nl": "Naar de inhoud",
}
TERMS = {
    "en": "Terms of use",
    "de": "Nutzungsbedingungen",
    "es": "Condiciones de uso",
    "fr": "Conditions d’utilisation",
    "lt": "Naudojimosi taisyklės",
    "nl": "Gebruiksvoorwaarden",
}


def examples():
    for folder in sorted(TENANTS.iterdir()):
        if (folder / "tenant.toml").is_file():
            config = tomllib.loads((folder / "tenant.toml").read_text())
            for locale in config["locales"]:
                yield folder.name, locale


def test_examples_cover_all_six_languages_and_four_cities():
    pairs = list(examples())
    assert {locale for _, locale in pairs} == set(SKIP_LINK)
    assert len({slug for slug, _ in pairs} - {"global"}) >= 4


@pytest.mark.parametrize("slug,locale", list(examples()))
def test_home_page_is_in_the_language(example, launch, testapp, slug, locale):
    city = launch(example(slug))
    texts = tomllib.loads((TENANTS / slug / "texts" / f"{locale}.toml").read_text())
    page = testapp.for_tenant(city).get("/", headers={"Accept-Language": locale})
    assert f'<html lang="{locale}">' in page.text
    assert texts["welcome_title"] in page.text
    assert texts["site_title"] in page.text
    assert SKIP_LINK[locale] in page.text
    assert TERMS[locale] in page.text


@pytest.mark.parametrize("slug,locale", list(examples()))
def test_legal_pages_are_in_the_language(example, launch, testapp, slug, locale):
    city = launch(example(slug))
    heading = (TENANTS / slug / "legal" / locale / "terms.md").read_text().splitlines()[0]
    page = testapp.for_tenant(city).get(f"/legal/terms?lang={locale}")
    assert f"<h1>{heading.removeprefix('# ')}</h1>" in page.text


def test_example_categories_are_named_in_every_language(example, launch):
    city = launch(example("gent"))
    sport = next(c for c in city.settings["categories"] if c["slug"] == "sport")
    assert sport["names"] == {
        "nl": "Sport en beweging",
        "en": "Sport and movement",
        "fr": "Sport et mouvement",
    }
