"""How responses travel (issue 16, item 9): brotli or gzip for text, hashed static URLs cached
a year."""

from __future__ import annotations

import gzip
import re

import brotli
from webob import Request

GZIP = {"Accept-Encoding": "gzip"}
BROTLI = {"Accept-Encoding": "gzip, deflate, br"}  # what browsers send
HOST = "vilnius.example.test"


def raw(testapp, path: str, method: str = "GET", **headers):
    """The response as it leaves the app (webtest would undo the gzip)."""
    request = Request.blank(path, headers=headers, method=method, environ={"HTTP_HOST": HOST})
    return request.get_response(testapp.app)


def test_a_page_is_gzipped_for_a_client_that_accepts_it(testapp, factories):
    factories.tenant("vilnius")
    plain = raw(testapp, "/")
    packed = raw(testapp, "/", **GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.body) < len(plain.body) / 2
    assert "<main" in gzip.decompress(packed.body).decode()


def test_a_browser_that_accepts_brotli_gets_it_smaller_than_gzip(testapp, factories):
    factories.tenant("vilnius")
    zipped = raw(testapp, "/", **GZIP)
    packed = raw(testapp, "/", **BROTLI)
    assert packed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.body) < len(zipped.body)
    assert "<main" in brotli.decompress(packed.body).decode()


def test_gzip_is_chosen_when_the_client_prefers_it(testapp, factories):
    factories.tenant("vilnius")
    page = raw(testapp, "/", **{"Accept-Encoding": "br;q=0.5, gzip"})
    assert page.headers["Content-Encoding"] == "gzip"


def test_a_client_without_gzip_gets_the_plain_page_and_the_same_vary(testapp, factories):
    factories.tenant("vilnius")
    page = raw(testapp, "/", **{"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in page.headers
    assert "Accept-Encoding" in page.headers["Vary"]
    assert "<main" in page.text


def test_json_and_static_css_and_js_are_gzipped(testapp, factories, people):
    city = factories.tenant("vilnius", plugins=["map"])
    organisation = people.organisation(city)
    for n in range(5):
        people.activity(city, organisation, title=f"Workshop {n}")
    app = testapp.for_tenant(city)
    page = app.get("/map/")
    for url in re.findall(
        r'(?:href|src)="http://vilnius\.example\.test(/[^"]+\.(?:css|js)\?x=\w+)"', page.text
    ):
        asset = raw(testapp, url, **GZIP)
        assert asset.headers["Content-Encoding"] == "gzip", url
        assert gzip.decompress(asset.body), url
        packed = raw(testapp, url, **BROTLI)
        assert brotli.decompress(packed.body) == gzip.decompress(asset.body), url
        assert len(packed.body) < len(asset.body), url
    feed = raw(testapp, "/api/v1/activities", **GZIP)
    assert feed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(feed.body).startswith(b"{")


def test_a_conditional_geojson_request_still_gets_its_304_when_gzipped(testapp, factories):
    factories.tenant("vilnius", plugins=["map"])
    first = raw(testapp, "/api/v1/activities.geojson", **GZIP)
    etag = first.headers["ETag"]
    if first.headers.get("Content-Encoding") == "gzip":
        assert etag.startswith('W/"')
    again = raw(testapp, "/api/v1/activities.geojson", **GZIP, **{"If-None-Match": etag})
    assert again.status_int == 304


def test_pictures_and_small_answers_are_not_compressed(testapp, factories):
    factories.tenant("vilnius")
    health = raw(testapp, "/healthz", **GZIP)  # a few bytes of JSON
    assert "Content-Encoding" not in health.headers
    head = raw(testapp, "/", "HEAD", **GZIP)
    assert "Content-Encoding" not in head.headers


def test_hashed_static_urls_are_cached_a_year_and_immutable(testapp, factories):
    city = factories.tenant("vilnius", plugins=["map"])
    app = testapp.for_tenant(city)
    page = app.get("/map/")
    urls = re.findall(
        r'(?:href|src)="http://vilnius\.example\.test(/[^"]+\?x=[0-9a-f]{12})"', page.text
    )
    assert any("leaflet.js" in url for url in urls) and any("col.css" in url for url in urls)
    for url in urls:
        asset = app.get(url)
        assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
    unhashed = app.get(urls[0].split("?")[0])
    assert unhashed.headers["Cache-Control"] == "max-age=3600"


def test_leaflet_loads_only_on_pages_with_a_map(testapp, factories):
    city = factories.tenant("vilnius", plugins=["map"])
    app = testapp.for_tenant(city)
    assert "leaflet" in app.get("/map/").text
    for path in ("/", "/signin", "/no-such-page"):
        page = app.get(path, status="*")
        assert "leaflet" not in page.text.lower(), path


def test_a_masked_csrf_token_differs_per_page_and_is_accepted(testapp, factories):
    city = factories.tenant("vilnius", locales=["en", "lt"])
    app = testapp.for_tenant(city)
    tokens = [
        re.search(r'name="csrf_token" value="([^"]+)"', app.get("/signin").text).group(1)
        for _ in range(2)
    ]
    assert tokens[0] != tokens[1]
    for token in tokens:
        app.post("/language", {"lang": "lt", "csrf_token": token, "came_from": "/"}, status=303)
    app.post("/language", {"lang": "lt", "csrf_token": "0f" * 40, "came_from": "/"}, status=400)
