"""Discovery that never hides things, in a real phone-sized Chromium (no map tiles needed):
online activities are listed beside the map, "near me" finds what is near, a skill filter
survives the map's JavaScript, and changes are announced."""

from __future__ import annotations

import contextlib
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from col_core.activities.models import ActivitySkill

pytestmark = pytest.mark.browser
CENTRE = (54.6872, 25.2797)
PYTHON = "http://data.europa.eu/esco/skill/python-test"


@contextlib.contextmanager
def phone(chromium, **options):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, **options)
    # No internet here: tiles are answered empty, so nothing waits on them.
    context.route("https://**/*", lambda route: route.fulfill(status=204, body=""))
    try:
        yield context.new_page()
    finally:
        context.close()


def geojson_requests(page) -> list[dict]:
    """The queries of the map's GeoJSON requests: its tiles, and the bbox feed's probes."""
    seen = []
    page.on(
        "request",
        lambda request: (
            seen.append(parse_qs(urlsplit(request.url).query))
            if "activities.geojson" in request.url or "/map/tiles/" in request.url
            else None
        ),
    )
    return seen


@pytest.fixture
def city(factories, activities):
    city = factories.tenant("vilnius", map={"center": list(CENTRE), "zoom": 13})
    org = activities.organisation(city)
    activities(city, org, title="Dance at the centre", lat=CENTRE[0] + 0.003, lon=CENTRE[1])
    activities(
        city,
        org,
        title="Python club",
        lat=CENTRE[0] - 0.004,
        lon=CENTRE[1] + 0.002,
        category="tech",
        skills=[ActivitySkill(concept_uri=PYTHON, label="Python")],
    )
    for n in range(3):
        activities(
            city,
            org,
            title=f"Online course {n}",
            lat=None,
            lon=None,
            address="",
            online=True,
            category="tech",
        )
    return city


def test_online_activities_are_listed_and_counted(live_server, chromium, city):
    server = live_server()
    with phone(chromium) as page:
        page.goto(f"{server.city(city)}/map/")
        online = page.locator("#online-results li")
        online.nth(2).wait_for()
        assert sorted(online.all_inner_texts())[0].startswith("Online course 0")
        assert page.locator("#online-title").inner_text() == "Online: 3"
        expect(page.locator("#results-announce")).to_have_text("2 on the map, 3 online")
        # The "Where" filter: online only keeps the online list and empties the map's list.
        page.locator(".filter-panel > summary").click()  # the filters' panel opens
        page.select_option("#f-mode", "online")
        expect(page.locator("#results li")).to_have_count(0)
        expect(page.locator("#online-results li")).to_have_count(3)
        assert "mode=online" in page.url


def test_skill_survives_in_the_list_the_geojson_request_and_the_address(
    live_server, chromium, city
):
    server = live_server()
    with phone(chromium) as page:
        requests = geojson_requests(page)
        page.goto(f"{server.city(city)}/map/?skill={PYTHON}")
        expect(page.locator("#results-announce")).to_have_text("1 on the map, 0 online")
        expect(page.locator("#results li")).to_have_count(1)
        assert page.locator("#results li").inner_text().startswith("Python club")
        assert page.locator("#online").is_hidden()
        assert requests and all(query.get("skill") == [PYTHON] for query in requests)
        assert parse_qs(urlsplit(page.url).query)["skill"] == [PYTHON]
        page.locator(".filter-panel > summary").click()
        page.select_option("#f-sort", "date")
        page.wait_for_url("**sort=date**")
        assert parse_qs(urlsplit(page.url).query)["skill"] == [PYTHON]
        assert requests[-1].get("skill") == [PYTHON]
        ical = parse_qs(urlsplit(page.locator("#map-ical").get_attribute("href")).query)
        assert ical["skill"] == [PYTHON] and ical["sort"] == ["date"]


def test_near_me_at_the_centre_finds_activities_and_marks_the_place(live_server, chromium, city):
    server = live_server()
    with phone(
        chromium,
        geolocation={"latitude": CENTRE[0], "longitude": CENTRE[1]},
        permissions=["geolocation"],
    ) as page:
        soon = dt.date.today()
        page.goto(f"{server.city(city)}/map/?locate=1&from={soon}&to={soon + dt.timedelta(days=7)}")
        expect(page.locator("#near-me-status")).to_have_text(
            "Activities within 2 km of you, nearest first."
        )
        expect(page.locator("#results li")).to_have_count(2)
        # The list is drawn once, then again sorted with distances when the position is known.
        expect(page.locator("#results li").first).to_contain_text("km away")
        first, second = (text.strip() for text in page.locator("#results li").all_inner_texts())
        assert first.startswith("Dance at the centre") and "0.3 km away" in first
        assert second.startswith("Python club")
        assert page.locator(".map-you[title='You are here']").count() == 1
        assert "sort=distance" in page.url and "near=" in page.url


def test_near_me_widens_until_it_finds_something(live_server, chromium, factories, activities):
    city = factories.tenant("kaunas", map={"center": list(CENTRE), "zoom": 13})
    activities(city, title="Far away workshop", lat=CENTRE[0] + 0.06, lon=CENTRE[1])  # 6.7 km
    server = live_server()
    with phone(
        chromium,
        geolocation={"latitude": CENTRE[0], "longitude": CENTRE[1]},
        permissions=["geolocation"],
    ) as page:
        page.goto(f"{server.city(city)}/map/")
        page.get_by_role("button", name="Near me").click()
        expect(page.locator("#near-me-status")).to_have_text(
            "Activities within 10 km of you, nearest first."
        )
        page.locator("#results li").first.wait_for()
        assert page.locator("#results li").first.inner_text().startswith("Far away workshop")


def test_an_empty_result_offers_ways_out(live_server, chromium, city):
    server = live_server()
    with phone(chromium) as page:
        page.goto(f"{server.city(city)}/map/?q=nothingmatchesthis")
        page.locator("#empty").wait_for()
        assert page.locator("#way-clear").is_visible()
        assert page.locator("#way-online").is_visible()
        page.locator("#way-clear").click()
        expect(page.locator("#online-results li")).to_have_count(3)
        assert page.locator("#empty").is_hidden()
