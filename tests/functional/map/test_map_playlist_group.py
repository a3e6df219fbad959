"""``?group=playlist:<id>``: a playlist's activities as one group on the map, its list and feeds.

The map plugin asks ``col_map_group``; the playlists plugin answers for playlists a person may
see in this city.  Everything runs through the real app: playlists built with the playlists API,
the map and the feeds read over HTTP.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from col_core.activities.models import ActivitySession
from col_core.db.meta import utcnow

GEOJSON = "/api/v1/activities.geojson"


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius")


@pytest.fixture
def org(people, city):
    return people.organisation(city)


@pytest.fixture
def staff(people, city, org):
    return people.client(city, people.organiser(city, org))


@pytest.fixture
def spots(people, city, org):
    """Five published activities with a place and a session, a day apart."""
    made = []
    for n, title in enumerate(("Intro", "Workshop", "Talk", "Visit", "Film")):
        starts = utcnow() + dt.timedelta(days=n + 1)
        ends = starts + dt.timedelta(hours=2)
        made.append(
            people.activity(
                city,
                org,
                title,
                latitude=54.68 + n / 100,
                longitude=25.28,
                address="Town hall",
                schedule_kind="single",
                starts_at=starts,
                ends_at=ends,
                sessions=[ActivitySession(starts_at=starts, ends_at=ends)],
            )
        )
    return made


def make_playlist(app, org, activities, publish=True, title="Science pathway") -> int:
    playlist = app.post_json(
        f"/api/v1/organisations/{org.slug}/playlists",
        {"title": title, "description": "<p>Learn.</p>"},
        status=201,
    ).json["playlist"]
    if activities:
        app.put_json(
            f"/api/v1/playlists/{playlist['id']}/items",
            {"items": [{"activity_id": a.id, "mandatory": True} for a in activities]},
        )
    if publish:
        app.post(f"/api/v1/playlists/{playlist['id']}/publish", status=200)
    return playlist["id"]


def titles(collection) -> set[str]:
    return {feature["properties"]["title"] for feature in collection["features"]}


def listed(page) -> set[str]:
    """The ids of the map page's server-rendered list."""
    return set(re.findall(r'<li data-id="([^"]+)"', page.text))


def test_geojson_returns_exactly_the_playlists_activities(testapp, city, org, staff, spots):
    playlist = make_playlist(staff, org, spots[:3])
    app = testapp.for_tenant(city)
    grouped = app.get(GEOJSON, {"group": f"playlist:{playlist}"}).json
    assert titles(grouped) == {"Intro", "Workshop", "Talk"}
    assert titles(app.get(GEOJSON).json) == {"Intro", "Workshop", "Talk", "Visit", "Film"}


def test_map_page_shows_the_banner_and_a_list_in_sync_with_the_feed(
    testapp, city, org, staff, spots
):
    playlist = make_playlist(staff, org, spots[1:3])
    app = testapp.for_tenant(city)
    page = app.get("/map/", {"group": f"playlist:{playlist}", "sort": "date"})
    assert "Activities of the playlist “Science pathway”" in page.text
    banner = page.html.select_one(".map-group")
    links = {a.text: a["href"] for a in banner.select("a")}
    assert links["Back to “Science pathway”"] == f"http://vilnius.example.test/playlists/{playlist}"
    assert links["Show all activities"] == "http://vilnius.example.test/map/?sort=date"
    # The filters form keeps the group, so the script's refreshes ask for it too.
    assert (
        page.html.select_one('#map-filters input[name="group"]')["value"] == f"playlist:{playlist}"
    )
    feed = app.get(GEOJSON, {"group": f"playlist:{playlist}", "sort": "date"}).json
    assert (
        listed(page)
        == {feature["id"] for feature in feed["features"]}
        == {f"activity:{spots[1].id}", f"activity:{spots[2].id}"}
    )
    assert len(listed(app.get("/map/"))) == 5


def test_calendar_of_the_map_keeps_to_the_group(testapp, city, org, staff, spots):
    playlist = make_playlist(staff, org, spots[:1])
    feed = testapp.for_tenant(city).get("/map/activities.ics", {"group": f"playlist:{playlist}"})
    assert "SUMMARY:Intro" in feed.text and "Workshop" not in feed.text


def test_playlist_page_links_to_its_group_on_the_map(testapp, city, org, staff, spots):
    playlist = make_playlist(staff, org, spots[:2])
    app = testapp.for_tenant(city)
    page = app.get(f"/playlists/{playlist}")
    link = page.html.find("a", string="See on the map")
    assert link["href"] == f"http://vilnius.example.test/map/?group=playlist%3A{playlist}"
    assert listed(app.get(link["href"])) == {f"activity:{a.id}" for a in spots[:2]}


def test_changed_items_change_the_feed(testapp, city, org, staff, spots):
    """The group's members key the cached answer: the search index alone does not change."""
    playlist = make_playlist(staff, org, spots[:2])
    app = testapp.for_tenant(city)
    first = app.get(GEOJSON, {"group": f"playlist:{playlist}"})
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items",
        {"items": [{"activity_id": spots[4].id, "mandatory": True}]},
    )
    second = app.get(
        GEOJSON, {"group": f"playlist:{playlist}"}, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert second.status_int == 200 and titles(second.json) == {"Film"}


def test_an_empty_playlist_shows_nothing_rather_than_everything(testapp, city, org, staff, spots):
    playlist = make_playlist(staff, org, [], publish=False)
    assert staff.get(GEOJSON, {"group": f"playlist:{playlist}"}).json["features"] == []


def test_a_private_playlist_of_another_organiser_is_404_to_a_learner(
    people, city, org, staff, spots
):
    draft = make_playlist(staff, org, spots[:2], publish=False)
    learner = people.client(city, people.user())
    group = {"group": f"playlist:{draft}"}
    assert (
        learner.get(GEOJSON, group, status=404).json["error"]
        == "There is no such group of activities in this city."
    )
    assert "There is no such group of activities" in learner.get("/map/", group, status=404).text
    learner.get("/map/activities.ics", group, status=404)
    # The control: its organiser sees the draft's group.
    assert titles(staff.get(GEOJSON, group).json) == {"Intro", "Workshop"}


def test_another_citys_playlist_is_404(testapp, factories, people, city, org, staff, spots):
    playlist = make_playlist(staff, org, spots[:2])
    other = factories.tenant("kaunas")
    people.activity(other, people.organisation(other), "Kaunas lab", latitude=54.9, longitude=23.9)
    group = {"group": f"playlist:{playlist}"}
    app = testapp.for_tenant(other)
    assert app.get(GEOJSON, group, status=404).json["fields"] == {}
    app.get("/map/", group, status=404)
    assert titles(testapp.for_tenant(city).get(GEOJSON, group).json) == {"Intro", "Workshop"}


@pytest.mark.parametrize(
    "group",
    [
        "playlist:999999",
        "playlist:abc",
        "playlist:",
        "nonsense",
        "badge:1",
        "playlist:" + "9" * 200,
    ],
)
def test_unknown_groups_are_404_not_an_empty_map(testapp, city, org, staff, spots, group):
    app = testapp.for_tenant(city)
    assert (
        app.get(GEOJSON, {"group": group}, status=404).json["error"]
        == "There is no such group of activities in this city."
    )
    app.get("/map/", {"group": group}, status=404)


def test_the_parameter_is_in_the_openapi_document(testapp, city):
    operation = testapp.for_tenant(city).get("/api/openapi.json").json["paths"][GEOJSON]["get"]
    assert "group" in {parameter["name"] for parameter in operation["parameters"]}


def test_online_list_keeps_to_the_group(testapp, city, org, staff, spots, people, openapi):
    """The list beside the map (activities without a place) asks with the map's group."""
    starts = utcnow() + dt.timedelta(days=1)
    ends = starts + dt.timedelta(hours=1)
    online = [
        people.activity(
            city,
            org,
            title,
            latitude=None,
            longitude=None,
            address="",
            online=True,
            schedule_kind="single",
            starts_at=starts,
            ends_at=ends,
            sessions=[ActivitySession(starts_at=starts, ends_at=ends)],
        )
        for title in ("Online in the playlist", "Online elsewhere")
    ]
    playlist = make_playlist(staff, org, [spots[0], online[0]])
    app = testapp.for_tenant(city)
    grouped = openapi(app.get("/api/v1/activities.unlocated", {"group": f"playlist:{playlist}"}))
    assert [item["title"] for item in grouped.json["items"]] == ["Online in the playlist"]
    everything = app.get("/api/v1/activities.unlocated", {"sort": "distance", "near": "54.7,25.3"})
    assert {item["title"] for item in everything.json["items"]} == {
        "Online in the playlist",
        "Online elsewhere",
    }
    page = app.get("/map/", {"group": f"playlist:{playlist}"})
    assert [li.a.text for li in page.html.select("#online-results li")] == [
        "Online in the playlist"
    ]
    app.get("/api/v1/activities.unlocated", {"group": "playlist:999999"}, status=404)
