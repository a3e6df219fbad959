"""Every kind of page in Chromium under the Content-Security-Policy: the policy blocks nothing the
pages need (their scripts, styles, charts, maps, videos, the drafts that save themselves).

Each page records the browser's ``securitypolicyviolation`` events; a page that needed
something the policy forbids would have one.  Requests leaving the server are refused, as in
``test_map_browser.py``, so tiles and videos never reach the network.
"""

from __future__ import annotations

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
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def open_page(chromium, server, cookie=None):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(RECORD_VIOLATIONS)
    return offline_page(context, server.origin, cookie)


def visit(page, url) -> None:
    response = page.goto(url)
    assert response.status < 400, url
    assert response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__violations") == [], url


def test_city_pages_signed_out_and_signed_in(live_server, chromium, factories, people, activities):
    city = factories.tenant(
        "vilnius",
        map={
            "center": [54.6872, 25.2797],
            "zoom": 12,
            "tile_url": "http://tiles.invalid/{z}/{x}/{y}.png",
            "attribution": "© Tiles",
        },
    )
    organisation = activities.organisation(city)
    shown = activities(
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
    draft = activities(city, organisation, title="Draft", status="draft")
    organiser = people.organiser(city, organisation)
    cookie = people.client(city, organiser).session_cookie
    server = live_server()
    base = server.city(city)

    page = open_page(chromium, server)
    for path in (
        "/",
        "/map/",
        f"/activities/{shown.id}",
        "/signin",
        "/signup",
        "/password/forgot",
        "/badges/verify",
        "/esco/skills",
    ):
        visit(page, base + path)
    visit(page, base + f"/activities/{shown.id}")
    assert page.locator("iframe[src^='https://www.youtube-nocookie.com/embed/']").count() == 1
    visit(page, base + "/map/")
    page.locator(".leaflet-marker-icon, .marker-cluster").first.wait_for(timeout=10000)

    page = open_page(chromium, server, cookie)
    for path in (
        "/account",
        "/badges/wallet",
        f"/organisations/{organisation.slug}/activities",
        f"/organisations/{organisation.slug}/analytics",
        f"/organisations/{organisation.slug}/webhooks",
        "/map/",
    ):
        visit(page, base + path)
    # The draft saves itself through the shared script, which the policy lets run.
    visit(page, base + f"/activities/{draft.id}/edit")
    page.fill("#f-title", "Draft, renamed")
    page.locator("#autosave-status").filter(has_text="Draft saved.").wait_for(timeout=15000)
    assert page.evaluate("window.__violations") == []
    # What an injection would add is refused, and seen refused.
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.__ran = true"; document.body.append(s); }""")
    assert page.evaluate("window.__ran") is None
    assert page.evaluate("window.__violations")[0].startswith("script-src")


def test_city_dashboard_with_charts_and_map(live_server, chromium, factories, registry, people):
    from col_core.analytics.testing import scripted_request, seed_city

    seeded = seed_city(
        people, factories, scripted_request(registry), slug="kaunas", min_group_size=2
    )
    cookie = people.client(seeded.city, seeded.admin).session_cookie
    server = live_server()
    page = open_page(chromium, server, cookie)
    visit(page, server.city(seeded.city) + "/analytics")
    assert page.locator("svg[role=img]").count() >= 4
    page.locator("#analytics-map.leaflet-container").wait_for(timeout=10000)
    assert page.evaluate("window.__violations") == []
