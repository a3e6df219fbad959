"""Times in the city's time zone, without seconds, one format per language (issue 16, item 7):
the activity page, the map page's list and the map's JSON write a session the same way."""

from __future__ import annotations

import datetime as dt

import pytest

# 15:00 UTC is 10:00 in New York in December (UTC-5): a browser or server on UTC would say 15:00.
START = dt.datetime(2030, 12, 8, 15, 0, tzinfo=dt.UTC)
EN = "Sun, Dec 8, 2030, 10:00\u202fAM"
DE = "So., 8. Dez. 2030, 10:00"


@pytest.fixture
def city(factories):
    return factories.tenant(
        "newyork", timezone="America/New_York", locales=["en", "de"], plugins=["map"]
    )


def test_an_activity_page_writes_a_session_as_date_then_start_to_end(city, testapp, activities):
    made = activities(city, title="Choir", starts=START)
    page = testapp.for_tenant(city).get(f"/activities/{made.id}", headers={"Accept-Language": "en"})
    assert "Sun, Dec 8, 2030, 10:00\u202fAM\u2009\u2013\u200912:00\u202fPM" in page.text
    assert ":00:00 " not in page.text and ":00:00\u202f" not in page.text  # no seconds
    page = testapp.for_tenant(city).get(f"/activities/{made.id}", headers={"Accept-Language": "de"})
    assert "So., 8. Dez. 2030, 10:00\u201312:00 Uhr" in page.text


def test_the_map_list_and_its_json_agree_on_the_citys_time(city, testapp, activities):
    located = activities(city, title="Choir", starts=START)
    online = activities(
        city, title="Coding", starts=START, online=True, latitude=None, longitude=None
    )
    app = testapp.for_tenant(city)
    for language, expected in (("en", EN), ("de", DE)):
        headers = {"Accept-Language": language}
        page = app.get("/map/", headers=headers)
        assert page.text.count(expected) == 2, language  # the map's list and the online list
        features = app.get("/api/v1/activities.geojson", headers=headers).json["features"]
        assert [f["properties"]["when"] for f in features] == [expected]
        assert features[0]["id"] == f"activity:{located.id}"
        unlocated = app.get("/api/v1/activities.unlocated", headers=headers).json["items"]
        assert [(item["key"], item["when"]) for item in unlocated] == [(str(online.id), expected)]
