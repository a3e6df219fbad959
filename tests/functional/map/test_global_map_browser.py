"""The global site's map on a phone (390×844): markers from two cities, each naming its city
and linking to the activity on its city's address."""

from __future__ import annotations

import pytest

from .test_map_discovery_browser import phone

pytestmark = pytest.mark.browser


def test_global_map_shows_markers_from_two_cities(live_server, chromium, factories, activities):
    factories.global_site()
    vilnius = factories.tenant("vilnius", name="Vilnius")
    ghent = factories.tenant("ghent", name="Ghent")
    dance = activities(vilnius, title="Dance workshop")
    robots = activities(ghent, title="Robot lab", lat=51.05, lon=3.72)
    server = live_server()
    with phone(chromium) as page:
        page.goto(f"{server.origin}/map/")
        for title in ("Dance workshop", "Robot lab"):
            page.locator(f'.leaflet-marker-icon[alt="{title}"]').wait_for()
        robot = page.locator(".map-list li", has_text="Robot lab").first
        assert "Ghent" in robot.inner_text()
        assert robot.locator("a").get_attribute("href") == (
            f"{server.city(ghent)}/activities/{robots.id}"
        )
        page.locator('.leaflet-marker-icon[alt="Dance workshop"]').click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "Vilnius" in popup.inner_text()
        assert popup.locator("a").get_attribute("href") == (
            f"{server.city(vilnius)}/activities/{dance.id}"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
