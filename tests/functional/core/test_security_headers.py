"""Browser security headers on every kind of page, signed out and signed in (finding 9 of
issue 14: no CSP, no frame protection, no Referrer-Policy, no HSTS, personal pages cacheable).

``tests/browser/test_pages_under_csp.py`` opens the same kinds of page in Chromium and checks
that the policy blocks nothing they need.
"""

from __future__ import annotations

import re

import pytest

from col_core.security.models import CityAdmin
from plugins.badges.testing import badges  # noqa: F401  (fixture)

NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")
OSM = "https://tile.openstreetmap.org"


@pytest.fixture
def city(badges):
    return badges.tenant


@pytest.fixture
def activity(city, people, badges):
    return people.activity(
        city,
        badges.organisation,
        title="Choir",
        resources=[
            {
                "kind": "video",
                "title": "Warm-up",
                "url": "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ",
            }
        ],
    )


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def assert_page_policy(response) -> None:
    """The page's headers, and inline code only with this response's nonce."""
    headers = response.headers
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # the tests' public URL is http
    nonces = set(NONCE.findall(headers["Content-Security-Policy"]))
    html = response.text
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        if tag.startswith("<script") and " src=" in tag:
            continue
        assert re.search(r'nonce="([^"]+)"', tag).group(1) in nonces, tag
    assert not re.search(r"<[^>]+\sstyle=", html), "style attributes need 'unsafe-inline'"
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "event handler attributes"
    assert "javascript:" not in html


def is_no_store(response) -> bool:
    return response.headers.get("Cache-Control") == "no-store"


def test_signed_out_pages(testapp, city, activity):
    app = testapp.for_tenant(city)
    for path in (
        "/",
        "/map/",
        f"/activities/{activity.id}",
        "/signin",
        "/signup",
        "/password/forgot",
        "/badges/verify",
        "/nowhere",
    ):
        response = app.get(path, status="*")
        assert response.status_int in (200, 404), path
        assert_page_policy(response)
        # A page that carries a CSRF token is one visitor's: no cache may keep it.
        assert is_no_store(response) == ('name="csrf_token"' in response.text), path
    assert is_no_store(app.get("/signin"))


def test_signed_in_pages_are_never_stored(testapp, city, activity, badges, factories, people):
    app = testapp.for_tenant(city)
    organiser = badges.organiser(app)
    with factories.within(city):
        factories.save(CityAdmin(user_id=organiser.id))
    draft = people.activity(
        city, badges.organisation, title="Draft", status="draft", published_at=None
    )
    slug = badges.organisation.slug
    for path in (
        "/",
        "/account",
        "/account/privacy",
        "/account/tokens",
        "/badges/wallet",
        f"/organisations/{slug}/activities",
        f"/activities/{draft.id}/edit",
        f"/activities/{activity.id}",
        f"/organisations/{slug}/analytics",
        "/analytics",
        "/admin/people",
        "/map/",
    ):
        response = app.get(path)
        assert_page_policy(response)
        assert is_no_store(response), path
    assert is_no_store(app.get("/api/v1/me"))


def test_charts_style_themselves_with_the_nonce(people, factories, registry):
    from col_core.analytics.testing import scripted_request, seed_city

    seeded = seed_city(people, factories, scripted_request(registry), min_group_size=2)
    page = people.client(seeded.city, seeded.admin).get("/analytics")
    assert page.text.count("<svg") >= 4
    assert_page_policy(page)
    [nonce] = set(NONCE.findall(page.headers["Content-Security-Policy"]))
    assert page.text.count(f'<style nonce="{nonce}"') >= 5  # the brand's and each chart's


def test_the_city_tile_server_and_video_hosts_are_allowed(testapp, factories, city, activity):
    own = factories.tenant(
        "gent",
        map={
            "center": [51.05, 3.72],
            "zoom": 12,
            "tile_url": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
            "attribution": "© Example",
        },
        settings={"peertube_hosts": ["video.gent.example"]},
    )
    gent = directives(testapp.for_tenant(own).get("/map/"))
    assert "https://*.tiles.example.org" in gent["img-src"] and OSM not in gent["img-src"]
    assert "https://video.gent.example" in gent["frame-src"]
    vilnius = directives(testapp.for_tenant(city).get(f"/activities/{activity.id}"))
    assert OSM in vilnius["img-src"] and "https://*.tiles.example.org" not in vilnius["img-src"]
    assert "https://www.youtube-nocookie.com" in vilnius["frame-src"]
    assert "https://video.gent.example" not in vilnius["frame-src"]


def test_pages_with_a_secret_in_their_address_tell_other_sites_nothing(testapp, city, activity):
    app = testapp.for_tenant(city)
    for path in (
        "/password/reset/some-token",
        "/verify/some-token",
        "/invitations/some-token",
        "/badges/claim/SOMECODE",
        f"/activities/{activity.id}?invite=secret",
    ):
        response = app.get(path, status="*")
        assert response.headers["Referrer-Policy"] == "same-origin", path


def test_what_is_not_a_page_loads_nothing(testapp, city, people):
    app = testapp.for_tenant(city)
    for response in (
        app.get("/api/v1/tenant"),
        app.get("/api/v1/activities.geojson"),
        app.get("/static/css/col.css"),
        app.get("/api/openapi.json"),
    ):
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none';")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        # Nobody signed in and no session: shared caches and ETags keep working.
        assert not is_no_store(response)
    hashed = re.search(r"/static/css/col\.css\?x=\w+", app.get("/").text).group(0)
    assert "max-age=31536000" in app.get(hashed).headers["Cache-Control"]
    with_token = people.client(city, people.user())
    assert is_no_store(with_token.get("/api/v1/tenant"))


def test_https_public_url_sends_hsts_and_checks_the_origin_of_forms(make_testapp, city):
    app = make_testapp(**{"col.public_url": "https://example.test"})
    host = {"HTTP_HOST": "vilnius.example.test"}
    page = app.get("/signin", extra_environ=host)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert 'href="https://vilnius.example.test/signup"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "email": "a@example.org", "password": "not the right one"}
    # Behind a TLS proxy the request says http, but the origin is the configured https one, so
    # Pyramid's HTTPS checks of Origin and Referer apply.
    refused = app.post(
        "/signin", form, extra_environ=host, status=400, headers={"Origin": "https://evil.example"}
    )
    assert "reload the page and try again" in refused.text  # the stale-form refusal
    assert 'name="password"' not in refused.text
    answer = app.post(
        "/signin",
        form,
        extra_environ=host,
        status=400,
        headers={"Origin": "https://vilnius.example.test"},
    )
    assert "reload the page and try again" not in answer.text
    assert 'name="password"' in answer.text  # the form again: a wrong password, nothing else
    quiet = make_testapp(**{"col.public_url": "https://example.test", "col.hsts": ""})
    assert "Strict-Transport-Security" not in quiet.get("/", extra_environ=host, status="*").headers
