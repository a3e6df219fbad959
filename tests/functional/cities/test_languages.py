"""Which language a page is in: explicit choice, then the browser, then the city's default,
always one of the city's languages; the switcher remembers the choice."""

import re

import pytest
from sqlalchemy import select

from col_core.i18n import LOCALE_COOKIE
from col_core.security.models import User

from .conftest import sign_in


@pytest.fixture
def gent(example, launch):
    return launch(example("gent"))


def lang_of(page):
    return re.search(r'<html lang="([^"]+)"', page.text).group(1)


def test_city_default_without_any_preference(testapp, gent):
    page = testapp.for_tenant(gent).get("/")
    assert lang_of(page) == "nl"
    assert "Welkom" in page.text or "Leer overal in Gent" in page.text


def test_accept_language_picks_a_city_language(testapp, gent):
    page = testapp.for_tenant(gent).get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    assert lang_of(page) == "fr"
    assert "Apprends partout à Gand" in page.text


def test_accept_language_outside_the_city_falls_back_to_default(testapp, gent):
    page = testapp.for_tenant(gent).get("/", headers={"Accept-Language": "lt, de;q=0.8"})
    assert lang_of(page) == "nl"


def test_query_parameter_wins_over_browser(testapp, gent):
    page = testapp.for_tenant(gent).get("/?lang=en", headers={"Accept-Language": "fr"})
    assert lang_of(page) == "en"
    assert "Learn everywhere in Ghent" in page.text


def test_language_the_city_does_not_offer_is_ignored(testapp, gent):
    page = testapp.for_tenant(gent).get("/?lang=lt", headers={"Accept-Language": "fr"})
    assert lang_of(page) == "fr"


def test_switcher_remembers_the_choice(testapp, gent):
    app = testapp.for_tenant(gent)
    page = app.get("/?lang=nl")
    form = next(f for f in page.forms.values() if "came_from" in f.fields)
    form["lang"] = "fr"
    response = form.submit(status=303)
    assert response.location == "http://gent.example.test/?lang=nl"
    assert app.cookies[LOCALE_COOKIE] == "fr"
    page = app.get("/", headers={"Accept-Language": "en"})
    assert lang_of(page) == "fr"
    assert "Changer" in page.text  # the switcher's own button, translated


def test_switcher_refuses_a_language_the_city_does_not_offer(testapp, gent):
    app = testapp.for_tenant(gent)
    form = next(f for f in app.get("/").forms.values() if "came_from" in f.fields)
    form["lang"].force_value("lt")
    response = form.submit(status=400)
    assert "choose one of nl, en, fr" in response.text
    assert LOCALE_COOKIE not in app.cookies


def test_switcher_needs_the_csrf_token(testapp, gent):
    app = testapp.for_tenant(gent)
    app.get("/")
    app.post("/language", {"lang": "fr"}, status=400)
    assert LOCALE_COOKIE not in app.cookies


def test_switcher_never_redirects_to_another_site(testapp, gent):
    app = testapp.for_tenant(gent)
    form = next(f for f in app.get("/").forms.values() if "came_from" in f.fields)
    form["came_from"].force_value("https://evil.example.org/")
    form["lang"] = "en"
    assert form.submit(status=303).location == "http://gent.example.test/"


def test_switcher_saves_the_choice_in_the_profile(testapp, gent, city_admin, scalar):
    email = city_admin(gent)
    app = testapp.for_tenant(gent)
    sign_in(app, email)
    form = next(f for f in app.get("/").forms.values() if "came_from" in f.fields)
    form["lang"] = "en"
    form.submit(status=303)
    assert scalar(select(User.preferred_locale).where(User.email == email)) == "en"
    # On another device (no cookie), the profile's language wins over the browser's.
    other = testapp.for_tenant(gent)
    sign_in(other, email)
    assert lang_of(other.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_a_language_beyond_the_six_needs_no_code(testapp, factories):
    city = factories.tenant("torino", locales=["it", "en"], default_locale="it")
    page = testapp.for_tenant(city).get("/", headers={"Accept-Language": "it-IT"})
    assert lang_of(page) == "it"
    assert '<option value="it" lang="it" selected>Italiano</option>' in page.text
