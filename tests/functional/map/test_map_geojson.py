"""GET /api/v1/activities.geojson: RFC 7946, the viewport, filters, the cap and HTTP caching."""

from __future__ import annotations

import geojson
import pytest

from col_core.activities.models import Activity
from col_core.tenancy.scoping import get_city_row, tenant_context
from plugins.map import api as feeds

BBOX = "25.0,54.5,25.5,54.9"


def parse(response):
    assert response.content_type == "application/geo+json"
    collection = geojson.loads(response.text)
    assert isinstance(collection, geojson.FeatureCollection)
    assert collection.is_valid, collection.errors()
    for feature in collection["features"]:
        assert isinstance(feature, geojson.Feature) and feature.is_valid
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    return collection


@pytest.mark.smoke
def test_viewport_features_are_valid_geojson_with_lon_lat(testapp, factories, activities):
    city = factories.tenant("vilnius")
    made = activities(city, title="Dance workshop", lat=54.70, lon=25.30)
    activities(city, title="Far away", lat=56.0, lon=21.0)
    collection = parse(testapp.for_tenant(city).get("/api/v1/activities.geojson", {"bbox": BBOX}))
    assert [f["properties"]["title"] for f in collection["features"]] == ["Dance workshop"]
    feature = collection["features"][0]
    assert feature["geometry"]["coordinates"] == [25.30, 54.70]
    assert feature["id"] == f"activity:{made.id}"
    assert feature["properties"]["starts_at"] == made.starts_at.isoformat()
    assert feature["properties"]["url"] == f"http://vilnius.example.test/activities/{made.id}"
    assert collection["truncated"] is False


def test_filters_apply_to_the_viewport(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop", category="arts")
    activities(city, title="Robotics lab", category="tech", lat=54.69, lon=25.28)
    collection = parse(
        testapp.for_tenant(city).get(
            "/api/v1/activities.geojson", {"bbox": BBOX, "category": "tech", "q": "robot"}
        )
    )
    assert [f["properties"]["title"] for f in collection["features"]] == ["Robotics lab"]


def test_drafts_and_other_cities_are_left_out(testapp, factories, activities):
    city, other = factories.tenant("vilnius"), factories.tenant("kaunas")
    activities(city, title="Draft idea", status="draft")
    activities(other, title="Kaunas dance")
    collection = parse(testapp.for_tenant(city).get("/api/v1/activities.geojson", {"bbox": BBOX}))
    assert collection["features"] == []


def test_capped_answers_say_so_and_link_the_next_page(testapp, factories, activities):
    city = factories.tenant("vilnius")
    org = activities.organisation(city)
    for number in range(3):
        activities(city, org, title=f"Workshop {number}", lat=54.68 + number / 100)
    app = testapp.for_tenant(city)
    collection = parse(
        app.get("/api/v1/activities.geojson", {"bbox": BBOX, "limit": "2", "sort": "date"})
    )
    assert len(collection["features"]) == 2
    assert collection["truncated"] is True and collection["limit"] == 2
    rest = parse(app.get(collection["next"]))
    assert len(rest["features"]) == 1 and rest["truncated"] is False


def test_etag_answers_304_until_an_activity_changes(testapp, factories, activities):
    city = factories.tenant("vilnius")
    made = activities(city, title="Dance workshop")
    app = testapp.for_tenant(city)
    first = app.get("/api/v1/activities.geojson", {"bbox": BBOX})
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    app.get(
        "/api/v1/activities.geojson",
        {"bbox": BBOX},
        headers={"If-None-Match": first.headers["ETag"]},
        status=304,
    )
    with tenant_context(factories.session, city):
        get_city_row(factories.session, Activity, made.id).title = "Salsa workshop"
        factories.session.commit()
    changed = app.get(
        "/api/v1/activities.geojson",
        {"bbox": BBOX},
        headers={"If-None-Match": first.headers["ETag"]},
        status=200,
    )
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert parse(changed)["features"][0]["properties"]["title"] == "Salsa workshop"


def test_an_ended_activity_leaves_cached_maps_within_the_window(
    testapp, factories, activities, monkeypatch
):
    city = factories.tenant("vilnius")
    made = activities(city, title="Dance workshop")
    app = testapp.for_tenant(city)
    first = app.get("/api/v1/activities.geojson", {"bbox": BBOX})
    assert len(parse(first)["features"]) == 1
    after_it_ended = made.ends_at.timestamp() + feeds.WINDOW_SECONDS
    monkeypatch.setattr(feeds.time, "time", lambda: after_it_ended)
    later = app.get(
        "/api/v1/activities.geojson",
        {"bbox": BBOX},
        headers={"If-None-Match": first.headers["ETag"]},
        status=200,
    )
    assert parse(later)["features"] == []


def test_bad_viewport_is_a_400_naming_the_parameter(testapp, factories):
    city = factories.tenant("vilnius")
    response = testapp.for_tenant(city).get(
        "/api/v1/activities.geojson", {"bbox": "25,55,24,54"}, status=400
    )
    assert "bbox" in response.json["fields"]
    response = testapp.for_tenant(city).get(
        "/api/v1/activities.geojson", {"bbox": "a,b", "limit": "999999"}, status=400
    )
    assert set(response.json["fields"]) == {"bbox", "limit"}


def test_feed_is_404_where_the_map_is_disabled(testapp, factories):
    city = factories.tenant("vilnius", plugins=["badges"])
    testapp.for_tenant(city).get("/api/v1/activities.geojson", status=404)
    testapp.for_tenant(city).get("/map/", status=404)


def test_feed_is_in_the_openapi_document(testapp, factories):
    city = factories.tenant("vilnius")
    paths = testapp.for_tenant(city).get("/api/openapi.json").json["paths"]
    assert "bbox" in [p["name"] for p in paths["/api/v1/activities.geojson"]["get"]["parameters"]]
