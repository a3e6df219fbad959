"""One page of every page type on a phone (390x844) in Chromium: none is wider than the screen,
and axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) finds no serious or critical violation.

axe-core comes from a package (``axe-playwright-python`` ships ``axe.min.js``), injected into
each page.  Requests leaving the server are refused, as in ``test_map_browser.py``: no tiles,
no video, no internet.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from col_core.activities.search.testing import activities  # noqa: F401  (fixture)
from col_core.testing.pytest_plugin import offline_page

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"
    ),
]
AXE = files("axe_playwright_python") / "axe.min.js"
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
HEADER_SHARE = 0.12  # of the screen's height, at most
RUN_AXE = """() => axe.run(document, {
  runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
  resultTypes: ["violations"],
}).then((r) => r.violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => v.impact + " " + v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")
    + " (" + n.failureSummary.replace(/\\s+/g, " ").slice(0, 160) + ")").join(" | ")))"""
MAP = {
    "center": [54.6872, 25.2797],
    "zoom": 12,
    "tile_url": "http://tiles.invalid/{z}/{x}/{y}.png",
    "attribution": "© Tiles",
}


def phone(
    chromium,
    server,
    cookie=None,
    language="en",
    viewport=PHONE,
    javascript=True,
    scheme="light",
    motion="no-preference",
):
    # bypass_csp on this test's context only: the pages' policy (script nonces) would refuse
    # the injected axe-core script.  test_pages_under_csp.py checks the pages under the policy.
    context = chromium.new_context(
        viewport=viewport,
        bypass_csp=True,
        locale=language,
        java_script_enabled=javascript,
        color_scheme=scheme,
        reduced_motion=motion,
    )
    return offline_page(context, server.origin, cookie)


def check(page, name: str, url: str | None = None, status: int = 200) -> list[str]:
    """What is wrong with the page now open (or opened from ``url``), one line per finding."""
    if url is not None:
        response = page.goto(url)
        assert response.status == status, (name, url, response.status)
    page.wait_for_load_state("networkidle")
    found = []
    language = page.evaluate("navigator.language")
    if page.evaluate("document.documentElement.lang") != language:
        found.append(f"{name}: not in {language}")
    screen = page.viewport_size
    width = page.evaluate("document.documentElement.scrollWidth")
    header = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
    if header > HEADER_SHARE * screen["height"]:
        found.append(f"{name}: header {header:.0f} px high on a {screen['height']} px screen")
    if width > screen["width"]:
        wide = page.evaluate("""() => [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
          .slice(0, 4).map((e) => e.tagName + "." + e.className)""")
        found.append(f"{name}: {width} px wide on {screen['width']} ({', '.join(wide)})")
    page.add_script_tag(path=str(AXE))
    found += [f"{name}: {line}" for line in page.evaluate(RUN_AXE)]
    return found


def _luminance(css: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", css)[:3])
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def header_focus_ring(page, url: str) -> list[str]:
    """The keyboard's focus ring on the header's links stands out from the city colour (3:1)."""
    page.goto(url)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the city's name, in the header
    ring, background = (
        page.evaluate("""() => [getComputedStyle(document.activeElement).outlineColor,
      getComputedStyle(document.querySelector(".site-header")).backgroundColor]""")
    )
    lighter, darker = sorted((_luminance(ring), _luminance(background)), reverse=True)
    contrast = (lighter + 0.05) / (darker + 0.05)
    return [] if contrast >= 3 else [f"header focus ring: {ring} on {background}, {contrast:.2f}:1"]


# Every page at 390 px in three languages, and at 320 px in German, whose words are longest.
@pytest.mark.parametrize(
    ("language", "viewport"),
    [("en", PHONE), ("de", PHONE), ("lt", PHONE), ("de", SMALL_PHONE)],
    ids=["en", "de", "lt", "de-320x640"],
)
def test_every_page_type_fits_a_phone_and_passes_axe(
    language, viewport, live_server, chromium, factories, people, activities, registry
):
    from plugins.badges.testing import Badges

    city = factories.tenant("vilnius", map=MAP, locales=["en", "de", "lt"])
    organisation = people.organisation(city)
    video = activities(
        city,
        organisation,
        title="Choir",
        resources=[
            {
                "kind": "video",
                "title": "Warm-up",
                "url": "https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ",
            }
        ],
    )
    # A few dozen metres apart: their markers overlap at the maps' zoom.
    others = [
        activities(city, organisation, title=f"Workshop {n}", lat=54.6872 + n * 0.0003)
        for n in range(3)
    ]
    organiser = people.organiser(city, organisation)
    staff = people.client(city, organiser)
    playlist = staff.post_json(
        f"/api/v1/organisations/{organisation.slug}/playlists",
        {"title": "Science pathway", "description": "<p>Learn by doing.</p>"},
        status=201,
    ).json["playlist"]["id"]
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items",
        {"items": [{"activity_id": a.id, "mandatory": True, "group": ""} for a in others]},
    )
    staff.post(f"/api/v1/playlists/{playlist}/publish", status=200)
    badges = Badges(registry, factories, city)
    learner = people.user("ana")
    badge = badges.badge_class(name="Bike repair")
    uid = badges.issue(badge, user=learner)
    # Endorsed, so the badge's page, the catalogue and the share page list an endorsement.
    badges.endorse(organisation.id, f"class:{badge}", "Our volunteers learnt a lot there.")
    admin = people.city_admin(city)
    server = live_server(**{"badges.fetch_private": "true"})
    base = server.city(city)
    signed_out = [
        ("home", "/"),
        ("map", "/map/"),
        ("activity with a video", f"/activities/{video.id}"),
        ("playlist", f"/playlists/{playlist}"),
        ("badge", f"/badges/classes/{badge}"),
        ("badge catalogue", "/badges/"),
        ("impact", "/impact"),
        ("organisation", f"/organisations/{organisation.slug}"),
        ("skills", "/esco/skills"),
        ("sign-in", "/signin"),
    ]
    found: list[str] = []
    page = phone(chromium, server, language=language, viewport=viewport)
    for name, path in signed_out:
        found += check(page, name, base + path)
    found += check(page, "404", base + "/no-such-page", status=404)
    found += header_focus_ring(page, base + "/")
    page.goto(base + "/badges/verify")
    page.fill("[name=badge]", f"{base}/badges/assertions/{uid}")
    page.locator("#verify-form [type=submit]").click()
    page.locator("#result-title").wait_for()
    found += check(page, "badge verification result")
    page.fill("[name=badge]", f"{base}/badges/assertions/{'0f' * 80}")  # a long address
    page.locator("#verify-form [type=submit]").click()
    page.locator("#result-title").wait_for()
    found += check(page, "badge verification result, not valid")

    page = phone(chromium, server, people.client(city, learner).session_cookie, language, viewport)
    found += check(page, "wallet", base + "/badges/wallet")
    found += check(page, "badge share page, as its owner", f"{base}/badges/share/{uid}")
    found += check(page, "map, as a learner", base + "/map/")
    found += check(page, "account", base + "/account")
    found += check(page, "notifications", base + "/notifications")  # the badge's, unread
    found += check(page, "connected applications", base + "/badges/wallet/apps")
    found += check(page, "surprise me", base + "/map/surprise")
    page.goto(f"{base}/badges/share/{uid}")
    page.locator("#wallet-offer-form [type=submit]").click()
    page.wait_for_load_state()
    found += check(page, "wallet app offer with its QR code")
    page = phone(chromium, server, staff.session_cookie, language, viewport)
    found += check(
        page, "organiser dashboard", f"{base}/organisations/{organisation.slug}/activities"
    )
    found += check(page, "activity edit form", f"{base}/activities/{video.id}/edit")
    found += check(page, "members and roles", f"{base}/organisations/{organisation.slug}/members")
    page = phone(chromium, server, people.client(city, admin).session_cookie, language, viewport)
    found += check(page, "city admin branding", base + "/admin/branding")
    found += check(page, "home, as the city admin", base + "/")
    found += check(page, "organisations to check", base + "/admin/organisations")
    found += check(page, "badge with the city's endorsement form", f"{base}/badges/classes/{badge}")
    assert found == [], "\n".join(found)


def test_analytics_dashboard_fits_a_phone_and_passes_axe(
    live_server, chromium, factories, registry, people
):
    from col_core.analytics.testing import scripted_request, seed_city

    seeded = seed_city(
        people, factories, scripted_request(registry), slug="kaunas", min_group_size=2
    )
    server = live_server()
    page = phone(chromium, server, people.client(seeded.city, seeded.admin).session_cookie)
    page.goto(server.city(seeded.city) + "/analytics")
    page.locator("#analytics-map.leaflet-container").wait_for(timeout=10000)
    found = check(page, "analytics dashboard")
    assert found == [], "\n".join(found)


def map_in_first_screen(page, name: str) -> list[str]:
    """The map page opens on the map: a good part of it above the fold, not after the filters."""
    top, height = page.evaluate(
        "[document.getElementById('map').getBoundingClientRect().top, innerHeight]"
    )
    return [] if top < height * 0.5 else [f"{name}: the map starts at {top:.0f} px of {height}"]


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390x844", "320x640"])
def test_small_phones_get_a_compact_header_and_the_map_first(
    viewport, live_server, chromium, factories, people, activities
):
    city = factories.tenant("vilnius", map=MAP, locales=["en", "de", "lt"])
    organisation = people.organisation(city)
    made = activities(city, organisation, title="Choir")
    activities(city, organisation, title="Coding club", online=True, latitude=None, longitude=None)
    admin = people.city_admin(city)
    server = live_server()
    base = server.city(city)
    found: list[str] = []
    for cookie in (None, people.client(city, admin).session_cookie):
        who = "city admin" if cookie else "signed out"
        page = phone(chromium, server, cookie, viewport=viewport)
        for name, path in [
            ("home", "/"),
            ("map", "/map/"),
            ("activity", f"/activities/{made.id}"),
            ("sign-in", "/signin"),
        ]:
            found += check(page, f"{name} ({who})", base + path)
        page.goto(base + "/map/")
        found += map_in_first_screen(page, f"map ({who})")
        # The one menu button opens the navigation and the language choice.
        page.goto(base + "/")
        menu = page.locator(".site-menu > summary")
        menu.click()
        assert page.locator(".main-nav a").first.is_visible()
        assert page.locator("#lang-select").is_visible()
        found += check(page, f"home with the menu open ({who})")
    assert found == [], "\n".join(found)


def test_the_menu_and_the_filters_open_without_javascript(live_server, chromium, factories):
    city = factories.tenant("vilnius", map=MAP, locales=["en", "de"])
    server = live_server()
    page = phone(chromium, server, viewport=SMALL_PHONE, javascript=False)
    page.goto(server.city(city) + "/map/")
    assert not page.locator(".main-nav").is_visible()
    page.locator(".site-menu > summary").click()
    assert page.locator(".main-nav").is_visible()
    page.locator(".site-menu > summary").click()  # closed again: it lies over the page
    page.locator(".filter-panel > summary").click()
    page.select_option("#f-mode", "online")
    page.locator(".filter-fields [type=submit]").click()
    page.wait_for_url("**mode=online**")
    assert page.locator(".chip.on").first.inner_text().endswith("Online")


def test_the_maps_controls_speak_the_pages_language(live_server, chromium, factories):
    city = factories.tenant("vilnius", map=MAP, locales=["en", "de", "lt"])
    server = live_server()
    page = phone(chromium, server, language="de")
    page.goto(server.city(city) + "/map/")
    page.locator("#map .leaflet-control-zoom-in").wait_for()
    titles = page.evaluate("""() => [...document.querySelectorAll("#map .leaflet-control-zoom a")]
      .map((a) => a.title)""")
    assert titles == ["Vergrößern", "Verkleinern"]
