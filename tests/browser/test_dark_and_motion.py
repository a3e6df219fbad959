"""The learner asks for a dark screen or for less motion, and the city's site listens.

Dark mode: every page type at phone size passes axe-core (its contrast rule included) in a city
with its own colours, on a dark page.  Less motion: the maps stop gliding.
"""

from __future__ import annotations

import pytest

from col_core.activities.search.testing import activities  # noqa: F401  (fixture)

from .test_phone_and_accessibility import CHROMIUM, MAP, check, phone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"
    ),
]
# A deep red city with a brown accent: both too dark to read on a dark page as they are.
COLOURS = {"primary": "#7c2d12", "accent": "#78350f"}
DARK_PAGE = "rgb(17, 24, 39)"


def dark_findings(page, name: str, url: str) -> list[str]:
    found = check(page, name, url)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    if background != DARK_PAGE:
        found.append(f"{name}: the page is {background}, not dark")
    return found


def test_every_page_type_reads_well_in_dark_mode(
    live_server, chromium, factories, people, activities, registry
):
    from plugins.badges.testing import Badges

    city = factories.tenant("vilnius", map=MAP, branding={"colours": COLOURS})
    organisation = people.organisation(city)
    made = activities(city, organisation, title="Choir")
    organiser = people.organiser(city, organisation)
    badges = Badges(registry, factories, city)
    learner = people.user("ana")
    uid = badges.issue(badges.badge_class(name="Bike repair"), user=learner)
    server = live_server()
    base = server.city(city)
    found: list[str] = []
    page = phone(chromium, server, scheme="dark")
    for name, path in [
        ("home", "/"),
        ("map", "/map/"),
        ("activity", f"/activities/{made.id}"),
        ("badge catalogue", "/badges/"),
        ("sign-in", "/signin"),
    ]:
        found += dark_findings(page, name, base + path)
    page = phone(chromium, server, people.client(city, learner).session_cookie, scheme="dark")
    found += dark_findings(page, "wallet", base + "/badges/wallet")
    found += dark_findings(page, "badge share page", f"{base}/badges/share/{uid}")
    found += dark_findings(page, "account", base + "/account")
    page = phone(chromium, server, people.client(city, organiser).session_cookie, scheme="dark")
    found += dark_findings(
        page, "organiser dashboard", f"{base}/organisations/{organisation.slug}/activities"
    )
    found += dark_findings(page, "activity edit form", f"{base}/activities/{made.id}/edit")
    assert found == [], "\n".join(found)


def test_a_light_screen_stays_light(live_server, chromium, factories):
    city = factories.tenant("vilnius", map=MAP, branding={"colours": COLOURS})
    server = live_server()
    page = phone(chromium, server)
    page.goto(server.city(city) + "/")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"


MAP_MOTION = """() => {
  const box = document.querySelector("#map.leaflet-container");
  return {fades: box.classList.contains("leaflet-fade-anim"),
          zooms: L.Map.prototype.options.zoomAnimation,
          inertia: L.Map.prototype.options.inertia};
}"""


@pytest.mark.parametrize(
    ("motion", "moving"), [("reduce", False), ("no-preference", True)], ids=["reduce", "default"]
)
def test_the_map_stops_gliding_for_those_who_ask_for_less_motion(
    motion, moving, live_server, chromium, factories, people, activities
):
    city = factories.tenant("vilnius", map=MAP)
    activities(city, people.organisation(city), title="Choir")
    server = live_server()
    page = phone(chromium, server, motion=motion)
    page.goto(server.city(city) + "/map/")
    page.locator("#map.leaflet-container").wait_for()
    assert page.evaluate(MAP_MOTION) == {"fades": moving, "zooms": moving, "inertia": moving}
