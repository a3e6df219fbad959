"""The Host-header attack, through the whole app: forged hosts are refused before anything runs,
and every absolute URL (mail, pages, redirects, feeds, badges, API) is the configured one.

Finding 1 of issue 14: ``Host: vilnius.localhost:6603@evil.example`` resolved to Vilnius and
``POST /password/forgot`` mailed ``http://vilnius.localhost:6603@evil.example/password/reset/<t>``
for any account, the platform admin's included.  ``test_host_header_live.py`` performs the same
attack on a real gunicorn server.
"""

from __future__ import annotations

import re

import pytest

from col_core.activities.search.testing import activities  # noqa: F401  (fixture)
from plugins.badges.testing import badges  # noqa: F401  (fixture)

ORIGIN = "http://vilnius.example.test"
RESET_LINK = re.compile(r"https?://\S+/password/reset/\S+")
URL = re.compile(r"""https?://[^\s"'<>\\)]+""")

# Malformed, or naming no address of the platform: a 400 before the tenant is even looked for.
REFUSED = [
    "vilnius.example.test:6603@evil.example",  # the reported attack: userinfo
    "vilnius.example.test@evil.example",
    "evil.example",
    "evil.example:80",
    "vilnius.example.test:80:80",  # a second port
    "vilnius.example.test evil.example",
    "vilnius.example.test/evil.example",
    "vilnius.example.test.evil.example",  # our name as a label of theirs
    "evilexample.test",  # the base domain as a suffix without its dot
    "nowhere.example.test",  # no such city
    "[::1]",  # an IPv6 literal that is not a configured global host
    "[::1]@evil.example",
    "[zz::1]",
]
# Allowed names of Vilnius written another way: served, but never echoed into a URL.
TOLERATED = [
    "vilnius.example.test:6603",
    "vilnius.example.test.",
    "VILNIUS.Example.TEST",
    "vilnius.example.test:80",
]
# Proxy headers the platform never reads (a WSGI server may, for peers it trusts).
FORWARDED = [
    {"HTTP_X_FORWARDED_HOST": "evil.example"},
    {"HTTP_X_FORWARDED_HOST": "vilnius.example.test:6603@evil.example"},
    {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_PORT": "6603"},
    {"HTTP_FORWARDED": "host=evil.example;proto=https"},
    {"HTTP_X_FORWARDED_SERVER": "evil.example", "HTTP_X_HOST": "evil.example"},
    {"HTTP_X_ORIGINAL_URL": "http://evil.example/", "HTTP_X_REWRITE_URL": "http://evil.example/"},
]
VARIANTS = [{"HTTP_HOST": host} for host in TOLERATED] + [
    {"HTTP_HOST": "vilnius.example.test", **headers} for headers in FORWARDED
]


def _ids(variants):
    return [" ".join(f"{k}={v}" for k, v in variant.items()) for variant in variants]


@pytest.fixture
def city(badges):
    return badges.tenant  # Vilnius, with an issuing organisation


@pytest.fixture
def admin(people):
    return people.user("platform", is_platform_admin=True)


def _forgot_password(testapp, city, email, environ):
    """Ask for a reset link for ``email`` through the real form, the POST sent with ``environ``
    (the session and CSRF token come from the city's own address, as an attacker's would)."""
    app = testapp.for_tenant(city)
    page = app.get("/password/forgot")
    form = next(f for f in page.forms.values() if "email" in f.fields)
    cookie = "; ".join(f"{name}={value}" for name, value in app.cookies.items())
    return testapp.for_tenant(city).post(
        "/password/forgot",
        {"csrf_token": form["csrf_token"].value, "email": email},
        headers={"Cookie": cookie},
        extra_environ=environ,
        status="*",
    )


def assert_only_configured_urls(text: str) -> None:
    """Every absolute URL of ours in ``text`` is on the configured origin, as configured."""
    assert "evil" not in text.lower()
    for url in URL.findall(text):
        host = url.split("/")[2]
        if "example.test" in host.lower():
            assert host in ("vilnius.example.test", "example.test"), url


@pytest.mark.parametrize("host", REFUSED)
def test_forged_host_cannot_mail_a_reset_link(testapp, city, admin, outbox, host):
    response = _forgot_password(testapp, city, admin.email, {"HTTP_HOST": host})
    assert response.status_int == 400
    assert "does not answer to the host name" in response.text
    assert "evil" not in response.text
    assert outbox.messages() == []


@pytest.mark.parametrize("environ", VARIANTS, ids=_ids(VARIANTS))
def test_reset_link_is_on_the_configured_origin(testapp, city, admin, outbox, environ):
    response = _forgot_password(testapp, city, admin.email, environ)
    assert response.status_int == 303
    assert response.location == f"{ORIGIN}/password/forgot"
    [message] = outbox.messages()
    [link] = RESET_LINK.findall(message.get_body(("plain",)).get_content())
    assert link.startswith(f"{ORIGIN}/password/reset/")
    assert_only_configured_urls(message.as_string())


@pytest.mark.parametrize("host", REFUSED)
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/v1/tenant",
        "/api/openapi.json",
        "/map/activities.ics",
        "/signin",
        "/static/css/col.css",
    ],
)
def test_forged_host_is_refused_everywhere(testapp, city, host, path):
    response = testapp.get(path, extra_environ={"HTTP_HOST": host}, status=400)
    if path.startswith("/api/"):
        assert response.json["error"].startswith("This server does not answer to the host name")
    assert "evil" not in response.text


@pytest.mark.parametrize("environ", VARIANTS, ids=_ids(VARIANTS))
def test_pages_feeds_badges_and_api_links_are_configured(
    testapp, city, badges, activities, environ
):
    activity = activities(city, title="Choir")
    uid = badges.issue(badges.badge_class(), "ana@example.org")
    app = testapp.for_tenant(city, **environ)
    responses = [
        app.get("/"),
        app.get(f"/activities/{activity.id}"),
        app.get(f"/activities/{activity.id}.ics"),
        app.get("/map/activities.ics"),
        app.get("/api/v1/activities.geojson"),
        app.get("/api/v1/tenant"),
        app.get("/api/openapi.json"),
        app.get(f"/badges/assertions/{uid}.json"),
        app.get(f"/badges/share/{uid}"),
    ]
    for response in responses:
        assert_only_configured_urls(response.text)
    assert f'href="{ORIGIN}/activities/{activity.id}.ics"' in responses[1].text
    assert f"{ORIGIN}/activities/{activity.id}" in responses[2].text
    feature = responses[4].json["features"][0]
    assert feature["properties"]["url"] == f"{ORIGIN}/activities/{activity.id}"
    assert responses[5].json["url"] == f"{ORIGIN}/"
    assert responses[6].json["servers"][0]["url"].startswith(ORIGIN)
    assertion = responses[7].json
    assert assertion["id"] == f"{ORIGIN}/badges/assertions/{uid}"
    assert assertion["badge"].startswith(f"{ORIGIN}/badges/classes/")


@pytest.mark.parametrize("environ", VARIANTS, ids=_ids(VARIANTS))
def test_redirects_lead_to_the_configured_origin(testapp, city, environ):
    app = testapp.for_tenant(city, **environ)
    to_signin = app.get("/account", status=303)
    assert to_signin.location.startswith(f"{ORIGIN}/signin?next=")
    # The global site's path form of a city leads to the city's configured address.
    moved = testapp.get(
        "/t/vilnius/map/", extra_environ={**environ, "HTTP_HOST": "example.test"}, status=302
    )
    assert moved.location == f"{ORIGIN}/map/"


def test_the_language_switcher_only_goes_back_to_this_site(testapp, city):
    app = testapp.for_tenant(city)
    page = app.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    for came_from in (f"{ORIGIN}@evil.example/", f"{ORIGIN}.evil.example/", "http://evil.example/"):
        response = app.post(
            "/language", {"csrf_token": token, "lang": "en", "came_from": came_from}, status=303
        )
        assert response.location == f"{ORIGIN}/"


def test_commands_mail_the_same_configured_links(run_col, city, admin, testapp, outbox):
    # `col user create-admin` runs with no request at all: its URLs come from the same place.
    from col_core.cli.context import AppContext
    from col_core.tenancy.hosts import tenant_url

    app = AppContext(None)
    with app.request(city) as request:
        assert request.route_url("home") == f"{ORIGIN}/"
        assert tenant_url(request, city) == f"{ORIGIN}/"
    with app.request() as request:
        assert request.route_url("home") == "http://example.test/"
    app.engine.dispose()
