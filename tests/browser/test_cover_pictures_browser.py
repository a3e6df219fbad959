"""Cards with pictures on a phone: covers in their widths and category icons fit a 390 px and
a 320 px screen, reserve their room before they load (no layout shift), and axe-core finds no
serious or critical violation (docs/design.md, "Pictures")."""

from __future__ import annotations

import datetime as dt

import pytest

from col_core.activities.search.testing import activities  # noqa: F401  (fixture)
from col_core.pictures.interfaces import IPictures
from tests.browser.test_phone_and_accessibility import MAP, PHONE, SMALL_PHONE, check, phone
from tests.functional.activities.test_cover_pictures import jpeg

pytestmark = [pytest.mark.browser]

# Every <img> of the page: loaded from its srcset, with the box its attributes promised.
IMAGES = """() => [...document.querySelectorAll("main img.card-cover, main img.list-cover, main img.page-cover")].map((img) => ({
  src: img.currentSrc, complete: img.complete, natural: img.naturalWidth,
  ratio: +img.getAttribute("width") / +img.getAttribute("height"),
  shown: img.getBoundingClientRect().width, right: img.getBoundingClientRect().right}))"""


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390", "320"])
def test_cards_with_pictures_fit_a_phone_and_pass_axe(
    viewport, live_server, chromium, factories, people, activities, tenant_request
):
    city = factories.tenant("vilnius", map=MAP, settings={"categories": [{"slug": "arts"}]})
    with tenant_request(city) as request:
        cover = request.find_service(IPictures).upload(jpeg((1600, 1000)))
    organisation = people.organisation(city)
    pictured = activities(city, organisation, title="Mural painting", cover=cover)
    activities(city, organisation, title="Choir", category="arts")
    staff = people.client(city, people.organiser(city, organisation))
    playlist = staff.post_json(
        f"/api/v1/organisations/{organisation.slug}/playlists",
        {"title": "Street art pathway", "description": "<p>Paint.</p>", "cover": cover},
        status=201,
    ).json["playlist"]["id"]
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items",
        {"items": [{"activity_id": pictured.id, "mandatory": True, "group": ""}]},
    )
    staff.post(f"/api/v1/playlists/{playlist}/publish", status=200)
    server = live_server()
    base = server.city(city)
    page = phone(chromium, server, viewport=viewport)
    found: list[str] = []
    for name, path in [
        ("home", "/"),
        ("map", "/map/?view=list"),
        ("playlists", "/playlists/"),
        ("activity", f"/activities/{pictured.id}"),
    ]:
        found += check(page, name, base + path)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy ones load too
        page.wait_for_load_state("networkidle")
        images = page.evaluate(IMAGES)
        assert any(".webp" in image["src"] for image in images), (name, images)
        for image in images:
            assert image["complete"] and image["natural"] > 0, (name, image)
            assert image["right"] <= viewport["width"] + 1, (name, image)
            assert abs(image["ratio"] - 1.6) < 0.01, (name, image)
    # The organisers' forms with their cover fields, as test_phone_and_accessibility.py checks
    # every page.
    paths = [
        f"/activities/{pictured.id}/edit",
        f"/playlists/{playlist}/edit",
        f"/organisations/{organisation.slug}/edit",
    ]
    page = phone(chromium, server, staff.session_cookie, viewport=viewport)
    for path in paths:
        found += check(page, path, base + path)
    assert found == [], "\n".join(found)


def test_the_list_the_map_draws_shows_pictures_the_server_did_not_list(
    live_server, chromium, factories, activities, tenant_request
):
    """The map page's script draws its list from the tiles (on load and after every pan):
    an activity beyond the server's first 50 still gets its picture, in its widths."""
    city = factories.tenant("vilnius", map=MAP)
    with tenant_request(city) as request:
        cover = request.find_service(IPictures).upload(jpeg((1600, 1000)))
    organisation = activities.organisation(city)
    for n in range(50):
        activities(city, organisation, title=f"Choir {n}")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    pictured = activities(city, organisation, title="Mural painting", cover=cover, starts=later)
    server = live_server()
    page = phone(chromium, server)
    page.goto(server.city(city) + "/map/?view=list")
    drawn = page.locator(f'#results li[data-id="activity:{pictured.id}"] img.list-cover')
    drawn.wait_for()
    drawn.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    image = drawn.evaluate(
        "(img) => ({src: img.currentSrc, srcset: img.srcset, complete: img.complete})"
    )
    narrowest = image["srcset"].split(", ")[0]
    assert narrowest.endswith(" 320w") and image["complete"], image
    assert image["src"] == narrowest.split()[0], image  # a thumbnail needs no more
