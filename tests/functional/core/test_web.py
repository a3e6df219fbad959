"""The web shell: branded layout, home pages, static assets, error pages."""

import re

import pytest
import webtest

from col_core.app import make_config


@pytest.mark.smoke
def test_global_home_lists_active_cities(testapp, factories):
    factories.global_site()
    factories.tenant("vilnius", name="Vilnius")
    factories.tenant("gent", name="Gent")
    factories.tenant("closed", name="Closed City", active=False)
    page = testapp.get("/", headers={"Accept-Language": "en"})
    assert 'href="http://vilnius.example.test/"' in page.text
    assert 'href="http://gent.example.test/"' in page.text
    assert "Closed City" not in page.text


def test_city_home_carries_branding_as_css_variables(testapp, factories):
    city = factories.tenant("vilnius", branding={"colours": {"primary": "#8a1538"}})
    page = testapp.for_tenant(city).get("/")
    assert "--col-primary:#8a1538;" in page.text
    assert "<title>Vilnius</title>" in page.text


def test_layout_has_landmarks_and_skip_link(testapp, factories):
    city = factories.tenant("vilnius")
    page = testapp.for_tenant(city).get("/")
    for marker in (
        '<a class="skip-link" href="#main">',
        'role="banner"',
        '<main id="main"',
        'role="contentinfo"',
        '<meta name="viewport"',
    ):
        assert marker in page.text


def test_static_assets_are_cache_busted_by_content(testapp, factories):
    city = factories.tenant("vilnius")
    page = testapp.for_tenant(city).get("/")
    url = re.search(r'href="(http://[^"]+col\.css\?x=[0-9a-f]{12})"', page.text).group(1)
    asset = testapp.for_tenant(city).get(url.replace("http://vilnius.example.test", ""))
    assert "max-age=31536000" in asset.headers["Cache-Control"]


def test_health_answers_at_a_city_without_resolving_it(testapp, factories):
    city = factories.tenant("vilnius")
    assert testapp.for_tenant(city).get("/healthz").json == {"status": "ok"}


def test_unexpected_error_is_a_friendly_500_page(app_settings, factories):
    def explode(request):
        raise RuntimeError("boom")

    config = make_config(None, **app_settings)
    config.add_route("explode", "/explode")
    config.add_view(explode, route_name="explode")
    app = webtest.TestApp(config.make_wsgi_app())
    factories.tenant("vilnius")
    page = app.get("/explode", extra_environ={"HTTP_HOST": "vilnius.example.test"}, status=500)
    assert "Something went wrong on our side" in page.text
    assert "boom" not in page.text
    config.registry["col.engine"].dispose()


def test_error_pages_speak_the_readers_language(testapp, factories, people):
    city = factories.tenant("valencia", locales=["es", "en"], default_locale="es")
    learner = people.client(city, people.user("ana"))
    missing = testapp.for_tenant(city).get("/no-such-page", status=404)
    assert "<h1>Página no encontrada</h1>" in missing.text
    assert "No hemos encontrado esta página" in missing.text
    refused = learner.get("/admin/branding", status=403)
    assert "<h1>No permitido</h1>" in refused.text
    assert "No tienes permiso para ver esta página." in refused.text
    stale = testapp.for_tenant(city).post("/signin", {"email": "a@b.c"}, status=400)
    assert "<h1>Solicitud rechazada</h1>" in stale.text
    assert "recarga la página" in stale.text
    assert "Page not found" not in missing.text and "Not allowed" not in refused.text
