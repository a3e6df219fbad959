"""GET /api/v1/map/tiles/{z}/{x}/{y}.geojson: one Web-Mercator tile of the map's activities.

Points where a tile holds few, clusters (count, place, bounds) where it holds more than
``map.tile_limit``; the map's filters; strong ETags and 304; shared caching for anonymous,
public answers only; each city's own tiles; and a clear refusal of a tile that is no tile.
"""

from __future__ import annotations

import geojson
import mercantile
import pytest

from col_core.activities.models import Activity
from col_core.tenancy.scoping import get_city_row, tenant_context
from plugins.map import api as feeds
from plugins.map.tiles import POINTS_FIRST_ZOOM

VILNIUS = (54.6872, 25.2797)


def tile_url(z: int, lat: float = VILNIUS[0], lon: float = VILNIUS[1]) -> str:
    tile = mercantile.tile(lon, lat, z)
    return f"/api/v1/map/tiles/{z}/{tile.x}/{tile.y}.geojson"


def parse(response):
    assert response.content_type == "application/geo+json"
    collection = geojson.loads(response.text)
    assert isinstance(collection, geojson.FeatureCollection)
    assert collection.is_valid, collection.errors()
    return collection


def titles(collection) -> list[str]:
    return sorted(f["properties"]["title"] for f in collection["features"])


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius")


@pytest.fixture
def few_per_tile(registry, monkeypatch):
    """Tiles answer clusters above two activities."""
    monkeypatch.setitem(registry.settings, "map.tile_limit", "2")


@pytest.mark.smoke
def test_a_tile_answers_the_points_inside_it(testapp, city, activities):
    made = activities(city, title="Dance workshop")
    activities(city, title="Next street", lat=VILNIUS[0] + 0.01, lon=VILNIUS[1] + 0.01)
    collection = parse(testapp.for_tenant(city).get(tile_url(17)))
    assert titles(collection) == ["Dance workshop"]
    assert collection["aggregated"] is False and collection["total"] == 1
    feature = collection["features"][0]
    assert feature["id"] == f"activity:{made.id}"
    assert feature["geometry"]["coordinates"] == [VILNIUS[1], VILNIUS[0]]
    tile = mercantile.tile(VILNIUS[1], VILNIUS[0], 17)
    assert collection["tile"]["bbox"] == list(mercantile.bounds(tile))


def test_a_crowded_tile_answers_clusters_that_zoom_to_their_points(
    testapp, city, activities, few_per_tile
):
    org = activities.organisation(city)
    for n in range(3):
        activities(city, org, title=f"Workshop {n}", lat=VILNIUS[0] + n / 1000, lon=VILNIUS[1])
    activities(city, org, title="Across town", lat=VILNIUS[0] - 0.03, lon=VILNIUS[1] - 0.1)
    collection = parse(testapp.for_tenant(city).get(tile_url(10)))
    assert collection["aggregated"] is True and collection["total"] == 4
    clusters = sorted(collection["features"], key=lambda f: -f["properties"]["count"])
    assert [f["properties"]["count"] for f in clusters] == [3, 1]
    big = clusters[0]
    assert big["properties"]["cluster"] is True
    assert big["geometry"]["coordinates"] == pytest.approx([VILNIUS[1], VILNIUS[0] + 0.001])
    assert big["properties"]["bounds"] == pytest.approx(
        [VILNIUS[1], VILNIUS[0], VILNIUS[1], VILNIUS[0] + 0.002]
    )


def workshops_in_a_points_first_tile(city, activities, count: int) -> str:
    """``count`` workshops inside one tile a zoom above tiles.POINTS_FIRST_ZOOM; its URL."""
    zoom = POINTS_FIRST_ZOOM + 1
    box = mercantile.bounds(mercantile.tile(VILNIUS[1], VILNIUS[0], zoom))
    org = activities.organisation(city)
    for n in range(count):
        lat = box.south + (box.north - box.south) * (n + 1) / 5
        activities(city, org, title=f"Workshop {n}", lat=lat, lon=(box.west + box.east) / 2)
    return tile_url(zoom)


def test_a_tile_read_points_first_answers_them_when_they_fit(
    testapp, city, activities, few_per_tile
):
    url = workshops_in_a_points_first_tile(city, activities, 2)
    collection = parse(testapp.for_tenant(city).get(url))
    assert collection["aggregated"] is False and collection["total"] == 2
    assert titles(collection) == ["Workshop 0", "Workshop 1"]


def test_a_tile_read_points_first_clusters_them_when_crowded(
    testapp, city, activities, few_per_tile
):
    """One more than the limit turns the points read first into clusters, as at lower zooms."""
    url = workshops_in_a_points_first_tile(city, activities, 3)
    collection = parse(testapp.for_tenant(city).get(url))
    assert collection["aggregated"] is True and collection["total"] == 3
    assert sum(f["properties"]["count"] for f in collection["features"]) == 3


def test_zoomed_in_far_enough_a_tile_answers_points_however_many(
    testapp, city, activities, few_per_tile
):
    org = activities.organisation(city)
    for n in range(3):
        activities(city, org, title=f"Workshop {n}")
    collection = parse(testapp.for_tenant(city).get(tile_url(17)))
    assert collection["aggregated"] is False
    assert len(collection["features"]) == 2 and collection["truncated"] is True


def test_the_maps_filters_apply_to_points_and_clusters(testapp, city, activities, few_per_tile):
    org = activities.organisation(city)
    activities(city, org, title="Robotics lab", category="tech")
    for n in range(3):
        activities(city, org, title=f"Dance {n}", category="arts", languages=["lt"])
    app = testapp.for_tenant(city)
    tech = parse(app.get(tile_url(12), {"category": "tech", "q": "robot"}))
    assert titles(tech) == ["Robotics lab"]
    english = parse(app.get(tile_url(12), {"language": "en"}))
    assert titles(english) == ["Robotics lab"]  # the dances are in Lithuanian only
    arts = parse(app.get(tile_url(12), {"category": "arts"}))
    assert arts["aggregated"] is True and arts["total"] == 3
    assert parse(app.get(tile_url(12), {"mode": "online"}))["features"] == []


def test_drafts_and_other_cities_activities_stay_out_of_a_citys_tiles(
    testapp, factories, city, activities
):
    other = factories.tenant("kaunas")
    activities(city, title="Draft idea", status="draft")
    activities(other, title="Kaunas dance")
    assert parse(testapp.for_tenant(city).get(tile_url(12)))["features"] == []
    assert titles(parse(testapp.for_tenant(other).get(tile_url(12)))) == ["Kaunas dance"]


def test_a_tiles_etag_answers_304_until_an_activity_changes(testapp, factories, city, activities):
    made = activities(city, title="Dance workshop")
    app = testapp.for_tenant(city)
    first = app.get(tile_url(14))
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert first.headers["Last-Modified"]
    app.get(tile_url(14), headers={"If-None-Match": etag}, status=304)
    # Another tile, or the same with another filter, is another answer.
    assert app.get(tile_url(13)).headers["ETag"] != etag
    assert app.get(tile_url(14), {"free": "1"}).headers["ETag"] != etag
    with tenant_context(factories.session, city):
        get_city_row(factories.session, Activity, made.id).title = "Salsa workshop"
        factories.session.commit()
    changed = app.get(tile_url(14), headers={"If-None-Match": etag}, status=200)
    assert titles(parse(changed)) == ["Salsa workshop"]


def test_public_anonymous_tiles_may_be_cached_by_a_cdn(testapp, city, activities):
    activities(city)
    response = testapp.for_tenant(city).get(tile_url(14), {"lang": "en"})
    assert response.headers["Cache-Control"] == feeds.TILE_CACHE_CONTROL
    assert "stale-while-revalidate" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    # The address says everything the answer depends on (compression aside).
    assert response.headers.get("Vary", "Accept-Encoding") == "Accept-Encoding"
    again = testapp.for_tenant(city).get(
        tile_url(14), {"lang": "en"}, headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_int == 304 and again.headers["Cache-Control"] == feeds.TILE_CACHE_CONTROL


def test_tiles_whose_language_comes_from_a_header_are_not_shared(testapp, city, activities):
    activities(city)
    response = testapp.for_tenant(city).get(tile_url(14), headers={"Accept-Language": "lt"})
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert {"Accept-Language", "Cookie"} <= set(response.headers["Vary"].split(", "))


def test_a_signed_in_persons_tiles_are_never_cached_publicly(people, city, activities):
    activities(city)
    client = people.client(city, people.user())
    response = client.get(tile_url(14), {"lang": "en"})
    # The app's own rule for signed-in answers (no-store) is stricter still than the tile's.
    assert "public" not in response.headers["Cache-Control"]
    assert {"private", "no-store"} & set(response.headers["Cache-Control"].split(", "))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/map/tiles/a/1/1.geojson", 400),
        ("/api/v1/map/tiles/1/-1/0.geojson", 400),
        ("/api/v1/map/tiles/1/1.5/0.geojson", 400),
        ("/api/v1/map/tiles/1/2/0.geojson", 404),
        ("/api/v1/map/tiles/1/0/2.geojson", 404),
        ("/api/v1/map/tiles/23/0/0.geojson", 404),
        ("/api/v1/map/tiles/99999999999/0/0.geojson", 400),
    ],
)
def test_a_tile_that_is_no_tile_is_refused_with_a_message(testapp, city, path, status):
    response = testapp.for_tenant(city).get(path, status=status)
    assert response.json["error"]
    if status == 400:
        assert response.json["fields"]


def test_bad_filters_on_a_tile_are_a_400_naming_them(testapp, city):
    response = testapp.for_tenant(city).get(tile_url(12), {"from": "soon"}, status=400)
    assert "from" in response.json["fields"]


def test_a_tile_is_in_the_openapi_document(testapp, city):
    paths = testapp.for_tenant(city).get("/api/openapi.json").json["paths"]
    operation = paths["/api/v1/map/tiles/{z}/{x}/{y}.geojson"]["get"]
    assert {"z", "x", "y", "category"} <= {p["name"] for p in operation["parameters"]}
