"""`col demo` seeds each city's content in the city's own language (issue 16, item 6).

The demo's titles and names come from the ``demo_texts.toml`` files beside the seeding
modules; a city whose language has no table there keeps English.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from col_core.activities.demo import seed_activities
from col_core.organisations.models import Organisation
from col_core.security.demo import seed_people
from plugins.badges.demo import seed as seed_badges
from plugins.badges.models import BadgeClass
from plugins.playlists.demo import seed as seed_playlists
from plugins.playlists.models import Playlist

ROOT = Path(__file__).resolve().parents[3]
CATEGORIES = [
    {"slug": s, "names": {"en": s.title()}}
    for s in ("arts", "digital", "nature", "sport", "community", "work")
]


def texts(path: str) -> dict:
    return tomllib.loads((ROOT / path).read_text(encoding="utf-8"))


IDEAS = texts("col_core/activities/demo_texts.toml")
PLAYLISTS = texts("plugins/playlists/demo_texts.toml")
BADGES = texts("plugins/badges/demo_texts.toml")


def idea_titles(language: str) -> set[str]:
    return {title for title, _description in IDEAS[language]["ideas"].values()}


@pytest.fixture
def seeded(factories, tenant_request):
    """Vilnius (Lithuanian), Valencia (Spanish) and an English city, each seeded as `col demo`
    seeds it: people and organisations, activities, playlists, badges."""
    cities = {}
    for slug, locales in (("vilnius", ["lt", "en"]), ("valencia", ["es", "en"]), ("york", ["en"])):
        city = factories.tenant(
            slug,
            locales=locales,
            default_locale=locales[0],
            map={"center": [50.0, 10.0], "zoom": 13},
            settings={"categories": CATEGORIES},
        )
        for seed in (seed_people, seed_activities, seed_playlists, seed_badges):
            with tenant_request(city) as request:
                seed(request, city)
        cities[locales[0]] = city
    return cities


def listed(factories, city, column) -> list[str]:
    with factories.within(city):
        return list(factories.session.scalars(select(column)))


@pytest.mark.parametrize("language", ["lt", "es"])
def test_city_pages_show_the_demo_in_the_city_language(seeded, testapp, factories, language):
    city = seeded[language]
    site = testapp.for_tenant(city)
    pages = site.get("/").text + site.get("/map/").text
    assert any(title in pages for title in idea_titles(language))
    for title in idea_titles("en"):
        assert title not in pages
    playlist = min(listed(factories, city, Playlist.id))
    page = site.get(f"/playlists/{playlist}").text
    assert PLAYLISTS[language]["starter"][0] in page
    assert PLAYLISTS["en"]["starter"][0] not in page
    prefix = BADGES[language]["name"].split("{")[0]
    with factories.within(city):
        badge = factories.session.scalar(
            select(BadgeClass).where(BadgeClass.name.startswith(prefix)).order_by(BadgeClass.id)
        )
        name = badge.name
    page = site.get(f"/badges/classes/{badge.id}").text
    assert name in page and "Explorer" not in page


@pytest.mark.parametrize("language", ["lt", "es"])
def test_no_english_left_in_the_seeded_texts(seeded, factories, language):
    from col_core.activities.models import Activity

    city = seeded[language]
    titles = {t.split(" (")[0] for t in listed(factories, city, Activity.title)}
    assert titles == idea_titles(language)
    organisations = set(listed(factories, city, Organisation.name))
    assert organisations & set(IDEAS[language]["organisations"].values())
    assert not any("Youth Centre" in name or "City Library" in name for name in organisations)
    playlists = set(listed(factories, city, Playlist.title))
    assert playlists == {PLAYLISTS[language]["starter"][0], PLAYLISTS[language]["explore"][0]}
    groups = [g for g in listed(factories, city, Playlist.groups) if g]
    assert groups == [{PLAYLISTS[language]["pick_two"]: 2}]
    prefix = BADGES[language]["name"].split("{")[0]
    names = listed(factories, city, BadgeClass.name)
    assert any(name.startswith(prefix) for name in names)
    assert not any(name.startswith("Explorer: ") for name in names)


@pytest.mark.parametrize("language", ["lt", "es"])
def test_demo_people_have_names_of_the_city_s_language(seeded, factories, language):
    from col_core.security.models import User
    from col_core.tenancy import account_lookup

    city = seeded[language]
    names = texts("col_core/security/demo_texts.toml")[language]
    with account_lookup(factories.session):
        learner = factories.session.scalar(
            select(User.display_name).where(User.email == f"learner@{city.slug}.demo")
        )
    assert learner == names["learner"] != "Lina Learner"


def test_an_english_city_keeps_the_english_demo(seeded, testapp, factories):
    from col_core.activities.models import Activity

    city = seeded["en"]
    titles = {t.split(" (")[0] for t in listed(factories, city, Activity.title)}
    assert titles == idea_titles("en")
    assert "Build your first website" in titles
    assert "York Youth Centre" in " ".join(listed(factories, city, Organisation.name))
    page = testapp.for_tenant(city).get("/").text
    assert any(title in page for title in idea_titles("en"))
    assert "Explore your city" in listed(factories, city, Playlist.title)
