"""The global site's map and search: every active city's public activities, each on its city's
host (col_core.activities.search.services.network)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from .test_map_geojson import parse

EUROPE = "-30,30,45,70"


@pytest.fixture
def network(factories, activities):
    """Two active cities with public activities (one with a draft and a private one too), an
    inactive city with a public one, and the global site."""
    site = factories.global_site()
    vilnius = factories.tenant("vilnius", name="Vilnius")
    ghent = factories.tenant("ghent", name="Ghent", locales=["nl", "en"], default_locale="nl")
    closed = factories.tenant("closed", name="Closed city", active=False)
    made = {
        "dance": activities(vilnius, title="Dance workshop"),
        "robots": activities(ghent, title="Robot lab", category="tech", lat=51.05, lon=3.72),
        "online": activities(ghent, title="Online coding club", lat=None, lon=None, online=True),
        "draft": activities(vilnius, title="Draft dance", status="draft"),
        "private": activities(vilnius, title="Private dance", visibility="private"),
        "closed": activities(closed, title="Closed dance", lat=54.9, lon=23.9),
        "ended": activities(
            vilnius,
            title="Ended dance",
            starts=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
        ),
    }
    return site, vilnius, ghent, made


def _url(city, activity) -> str:
    return f"http://{city.slug}.example.test/activities/{activity.id}"


def test_global_search_api_finds_public_activities_of_active_cities(testapp, network):
    site, vilnius, ghent, made = network
    answer = testapp.for_tenant(site).get("/api/v1/search", {"limit": "50", "facets": "1"}).json
    found = {item["title"]: (item["url"], item["city"]) for item in answer["items"]}
    assert found == {
        "Dance workshop": (_url(vilnius, made["dance"]), "Vilnius"),
        "Robot lab": (_url(ghent, made["robots"]), "Ghent"),
        "Online coding club": (_url(ghent, made["online"]), "Ghent"),
    }
    assert answer["total"] == 3
    assert answer["facets"]["city"] == {"vilnius": 1, "ghent": 2}


def test_words_and_the_city_filter_work_across_the_network(testapp, network):
    site, vilnius, ghent, made = network
    app = testapp.for_tenant(site)
    assert [i["title"] for i in app.get("/api/v1/search", {"q": "robots"}).json["items"]] == [
        "Robot lab"
    ]
    answer = app.get("/api/v1/search", {"city": "ghent", "facets": "1", "sort": "date"}).json
    assert {i["title"] for i in answer["items"]} == {"Robot lab", "Online coding club"}
    # The city facet keeps the other cities on offer while one is chosen.
    assert answer["facets"]["city"] == {"vilnius": 1, "ghent": 2}
    # An inactive city's slug finds nothing, not its activities.
    assert app.get("/api/v1/search", {"city": "closed"}).json["items"] == []
    # Asking for past or other kinds widens nothing.
    titles = {i["title"] for i in app.get("/api/v1/search", {"past": "1"}).json["items"]}
    assert "Ended dance" not in titles and "Draft dance" not in titles
    assert app.get("/api/v1/search", {"kind": "playlist"}).json["items"] == []


def test_global_geojson_has_markers_from_every_active_city(testapp, network):
    site, vilnius, ghent, made = network
    collection = parse(testapp.for_tenant(site).get("/api/v1/activities.geojson", {"bbox": EUROPE}))
    found = {
        f["properties"]["title"]: (f["properties"]["url"], f["properties"]["city"])
        for f in collection["features"]
    }
    assert found == {
        "Dance workshop": (_url(vilnius, made["dance"]), "Vilnius"),
        "Robot lab": (_url(ghent, made["robots"]), "Ghent"),
    }
    unlocated = testapp.for_tenant(site).get("/api/v1/activities.unlocated").json
    assert [(i["title"], i["url"]) for i in unlocated["items"]] == [
        ("Online coding club", _url(ghent, made["online"]))
    ]


def test_global_map_page_names_and_links_each_city(testapp, network):
    site, vilnius, ghent, made = network
    page = testapp.for_tenant(site).get("/map/")
    links = {a.text: a["href"] for a in page.html.select(".map-list li a[href]")}
    assert links["Dance workshop"] == _url(vilnius, made["dance"])
    assert links["Robot lab"] == _url(ghent, made["robots"])
    assert links["Online coding club"] == _url(ghent, made["online"])
    for hidden in ("Draft dance", "Private dance", "Closed dance", "Ended dance"):
        assert hidden not in page.text
    assert "Ghent ·" in page.text
    cities = page.html.find("select", id="f-city")
    assert [o["value"] for o in cities.find_all("option")] == ["", "ghent", "vilnius"]
    # No [map] for this global site: it opens on Europe.
    assert 'data-center="50.0,10.0"' in page.text and 'data-zoom="4"' in page.text
    only = testapp.for_tenant(site).get("/map/", {"city": "vilnius"})
    assert "Dance workshop" in only.text and "Robot lab" not in only.text


def test_global_calendar_links_each_activity_on_its_city(testapp, network):
    site, vilnius, ghent, made = network
    feed = testapp.for_tenant(site).get("/map/activities.ics")
    events = icalendar.Calendar.from_ical(feed.body).walk("VEVENT")
    assert {str(e["summary"]): str(e["url"]) for e in events} == {
        "Dance workshop": _url(vilnius, made["dance"]),
        "Robot lab": _url(ghent, made["robots"]),
        "Online coding club": _url(ghent, made["online"]),
    }


def test_a_city_map_still_shows_only_its_own(testapp, network):
    site, vilnius, ghent, made = network
    app = testapp.for_tenant(vilnius)
    collection = parse(app.get("/api/v1/activities.geojson", {"bbox": EUROPE}))
    assert [f["properties"]["title"] for f in collection["features"]] == ["Dance workshop"]
    assert "city" not in collection["features"][0]["properties"]
    # city= is the global site's filter: on a city it reaches no other city.
    answer = app.get("/api/v1/search", {"city": "ghent", "facets": "1"}).json
    assert [i["title"] for i in answer["items"]] == ["Dance workshop"]
    assert "city" not in answer["facets"]
    assert "Robot lab" not in app.get("/map/", {"city": "ghent"}).text


def test_global_search_reads_the_database_on_the_whoosh_backend(make_testapp, network, tmp_path):
    """Whoosh keeps one index per city; the global site searches the documents' table, which
    every backend keeps (docs/search.md)."""
    site, vilnius, ghent, made = network
    app = make_testapp(**{"col.search_backend": "whoosh", "col.whoosh_dir": str(tmp_path)})
    answer = app.for_tenant(site).get("/api/v1/search", {"q": "robots"}).json
    assert [(i["title"], i["url"]) for i in answer["items"]] == [
        ("Robot lab", _url(ghent, made["robots"]))
    ]


def test_global_geojson_etag_follows_every_city(testapp, network, activities, factories):
    site, vilnius, ghent, made = network
    app = testapp.for_tenant(site)
    first = app.get("/api/v1/activities.geojson", {"bbox": EUROPE})
    assert app.get(
        "/api/v1/activities.geojson",
        {"bbox": EUROPE},
        headers={"If-None-Match": first.headers["ETag"]},
        status=304,
    )
    activities(ghent, title="New in Ghent", lat=51.06, lon=3.73)
    second = app.get(
        "/api/v1/activities.geojson",
        {"bbox": EUROPE},
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert second.headers["ETag"] != first.headers["ETag"]
    assert "New in Ghent" in second.text
    factories.session.get(type(vilnius), vilnius.id).active = False
    factories.session.commit()
    third = app.get("/api/v1/activities.geojson", {"bbox": EUROPE})
    assert third.headers["ETag"] != second.headers["ETag"]
    assert "Dance workshop" not in third.text and "Robot lab" in third.text


def test_global_tiles_show_public_activities_of_active_cities_points_or_clusters(
    testapp, registry, network, monkeypatch
):
    site, vilnius, ghent, made = network
    app = testapp.for_tenant(site)
    europe = app.get("/api/v1/map/tiles/2/2/1.geojson").json  # Lithuania and Belgium
    assert europe["aggregated"] is False
    found = {f["properties"]["title"]: f["properties"]["city"] for f in europe["features"]}
    assert found == {"Dance workshop": "Vilnius", "Robot lab": "Ghent"}
    monkeypatch.setitem(registry.settings, "map.tile_limit", "1")
    registry.pop("map.geojson_cache")  # answers kept by ETag, which the setting is not part of
    clusters = app.get("/api/v1/map/tiles/2/2/1.geojson").json
    assert clusters["aggregated"] is True and clusters["total"] == 2
    assert sorted(f["properties"]["count"] for f in clusters["features"]) == [1, 1]
