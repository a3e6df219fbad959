"""The map page in a real browser (Debian's Chromium through Playwright, headless, offline).

The app is served by waitress on 127.0.0.1 in a thread; every request outside it (tiles) is
refused, so this also shows that the page works with no tile server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from col_core.activities.search.testing import activities  # noqa: F401  (fixture)
from col_core.testing.pytest_plugin import offline_page

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"
    ),
]
CENTRE = (54.6872, 25.2797)


@pytest.fixture
def server(live_server):
    return live_server().origin


@pytest.fixture
def city(factories, activities):
    city = factories.tenant(
        "vilnius",
        map={
            "center": list(CENTRE),
            "zoom": 12,
            "tile_url": "http://tiles.invalid/{z}/{x}/{y}.png",
        },
    )
    org = activities.organisation(city)
    for number in range(12):  # a hundred metres apart: one cluster at the city's zoom
        activities(
            city,
            org,
            title=f"Dance workshop {number}",
            lat=CENTRE[0] + number * 0.001,
            lon=CENTRE[1],
        )
    activities(
        city, org, title="Robotics lab", category="tech", lat=CENTRE[0] - 0.02, lon=CENTRE[1] + 0.03
    )
    return city


def test_map_clusters_filters_and_opens_an_activity(server, chromium, city):
    context = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    base = f"{server}/t/vilnius"
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(server) else route.abort(),
    )
    page.goto(f"{base}/map/")
    # Twelve activities a hundred metres apart cluster at the city's zoom.
    cluster = page.locator(".marker-cluster").first
    cluster.wait_for(timeout=10000)
    assert int(cluster.inner_text()) >= 2
    assert page.locator("#results li").count() == 13

    # Filtering updates the markers, the list and the shareable address together.
    page.locator(".filter-panel > summary").click()  # the filters' panel opens
    page.select_option("#f-category", "tech")
    # (expect, not wait_for_function: the page's CSP has no 'unsafe-eval' for its strings.)
    expect(page.locator("#results li")).to_have_count(1)
    assert page.locator("#results li").inner_text().startswith("Robotics lab")
    assert "category=tech" in page.url and "at=" in page.url
    assert page.locator(".marker-cluster").count() == 0
    shared_url = page.url

    # The one marker left opens the activity.
    page.locator(".leaflet-marker-icon").first.click()
    page.locator(".leaflet-popup-content a").click()
    page.wait_for_load_state()
    assert "Robotics lab" in page.locator("h1").inner_text()

    # The shared address restores the same view and filter.
    shared = context.new_page()
    shared.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(server) else route.abort(),
    )
    shared.goto(shared_url)
    expect(shared.locator("#results li")).to_have_count(1)
    assert shared.locator("#f-category").input_value() == "tech"


def test_a_misspelt_search_says_what_it_searched_and_offers_the_words_as_typed(
    server, chromium, city
):
    page = offline_page(chromium.new_context(), server)
    page.goto(f"{server}/t/vilnius/map/")
    # New words load the page, which says what it searched instead.
    page.fill("#f-q", "robtics")
    page.press("#f-q", "Enter")
    expect(page.locator("#corrected")).to_contain_text("robotics")
    expect(page.locator("#results li")).to_have_count(1)
    # The words as typed, one click away: found nowhere, on the map or in the list.
    page.locator("#corrected a").click()
    expect(page.locator("#corrected")).to_have_count(0)
    assert "exact=1" in page.url
    expect(page.locator("#results li")).to_have_count(0)
    # The list is the server's; the map's script (which owns the search box) runs after it.
    expect(page.locator("#map.leaflet-container")).to_have_count(1)
    # The next words are corrected again (exact= was for the words as typed only).
    page.fill("#f-q", "dnace")
    page.press("#f-q", "Enter")
    expect(page.locator("#corrected")).to_contain_text("dance")
    expect(page.locator("#results li").first).to_contain_text("Dance workshop")


def test_the_keyboard_skips_the_map_or_stays_on_a_marker(server, chromium, city):
    page = offline_page(chromium.new_context(viewport={"width": 390, "height": 844}), server)
    page.goto(f"{server}/t/vilnius/map/")
    expect(page.locator("#map.leaflet-container")).to_have_count(1)
    skip = page.locator(".map-layout > .skip-link")
    assert skip.get_attribute("href") == "#results-title"
    expect(page.locator("#results-title")).to_have_count(1)
    # A focused marker keeps its focus: the map (framed on its activities, so the lab is at its
    # edge) does not pan to it, so the markers and the list are not rebuilt under it.
    marker = page.locator('#map .leaflet-marker-icon[title="Robotics lab"]')
    marker.focus()
    page.wait_for_timeout(1500)  # longer than a pan and the refresh that follows it
    assert page.evaluate("document.activeElement.title") == "Robotics lab"


def test_phones_switch_between_the_map_and_the_list(server, chromium, city):
    page = offline_page(chromium.new_context(viewport={"width": 390, "height": 844}), server)
    page.goto(f"{server}/t/vilnius/map/")
    expect(page.locator("#results li")).to_have_count(13)
    page.get_by_role("button", name="List").click()
    expect(page.get_by_role("button", name="List")).to_have_attribute("aria-pressed", "true")
    assert not page.locator("#map").is_visible() or page.locator("#map").bounding_box()["x"] < 0
    assert page.evaluate("document.getElementById('map').inert")
    # The list is in the first screen, and still shows the map's area: the same 13 activities.
    assert page.locator("#results-title").bounding_box()["y"] < 844 / 2
    expect(page.locator("#results li")).to_have_count(13)
    assert "view=list" in page.url
    # The address keeps the choice: a reload (or a shared link) opens on the list.
    page.reload()
    expect(page.locator("#results li")).to_have_count(13)
    assert page.evaluate("document.getElementById('map').inert")
    page.get_by_role("button", name="Map").click()
    assert page.locator("#map").bounding_box()["x"] >= 0
    assert not page.evaluate("document.getElementById('map').inert")
    assert "view=list" not in page.url


def test_wide_screens_show_the_map_and_the_list_side_by_side(server, chromium, city):
    page = offline_page(chromium.new_context(viewport={"width": 1280, "height": 800}), server)
    page.goto(f"{server}/t/vilnius/map/?view=list")
    expect(page.locator("#map.leaflet-container")).to_have_count(1)
    assert not page.locator("#view-switch").is_visible()
    assert page.locator("#map").bounding_box()["x"] >= 0
    assert not page.evaluate("document.getElementById('map').inert")


def test_panning_fetches_only_new_tiles_and_the_list_follows(server, chromium, city):
    page = offline_page(chromium.new_context(viewport={"width": 1280, "height": 800}), server)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/map/tiles/" in r.url else None)
    page.goto(f"{server}/t/vilnius/map/?at={CENTRE[0]},{CENTRE[1]},14")
    expect(page.locator("#results li")).to_have_count(12)  # the lab is south-east, out of view
    first = set(fetched)
    assert first and len(fetched) == len(first)
    # Leaflet pans 80 pixels a key: the view moves onto the lab, the workshops leave it.
    page.locator("#map").focus()
    for key in ["ArrowRight"] * 6 + ["ArrowDown"] * 8:
        page.keyboard.press(key)
        page.wait_for_timeout(150)
    expect(page.locator("#results li")).to_have_count(1)
    assert page.locator("#results li").inner_text().startswith("Robotics lab")
    expect(page.locator("#results-announce")).to_have_text("1 on the map, 0 online")
    panned = fetched[len(first) :]
    assert panned and not first & set(panned)  # only tiles it had not got
    assert len(fetched) == len(set(fetched))
    # Back where it started: every tile is still kept, nothing is asked again.
    for key in ["ArrowLeft"] * 6 + ["ArrowUp"] * 8:
        page.keyboard.press(key)
        page.wait_for_timeout(150)
    expect(page.locator("#results li")).to_have_count(12)
    page.wait_for_timeout(500)
    assert len(fetched) == len(set(fetched)) == len(first) + len(panned)


def test_a_crowded_tiles_cluster_is_counted_by_the_server_and_zooms_in(live_server, chromium, city):
    # The twelve workshops share a tile: with at most eleven points a tile, it answers a cluster.
    origin = live_server(**{"map.tile_limit": "11"}).origin
    page = offline_page(chromium.new_context(viewport={"width": 1280, "height": 800}), origin)
    page.goto(f"{origin}/t/vilnius/map/")
    expect(page.locator("#results-announce")).to_have_text("13 on the map, 0 online")
    expect(page.locator("#results li")).to_have_count(1)  # the lab, alone in its tile
    expect(page.locator("#list-status")).to_contain_text("zoom in")
    crowd = page.locator('#map .marker-cluster[title="Activities in this area of the map: 12"]')
    assert crowd.inner_text() == "12"
    crowd.focus()
    page.keyboard.press("Enter")
    # Framed on the twelve, the map asks for smaller tiles: still crowded, smaller clusters.
    page.wait_for_url(lambda url: int(url.rsplit("%2C", 1)[1]) > 12)
    expect(page.locator("#results-announce")).to_have_text("12 on the map, 0 online")
    expect(crowd).to_have_count(0)
    counts = [int(text) for text in page.locator("#map .marker-cluster").all_inner_texts()]
    assert sum(counts) == 12 and max(counts) < 12
