"""An organiser creates and publishes an activity with the form alone, on a phone, in a real
browser under the pages' own Content-Security-Policy (Debian's Chromium through Playwright,
headless, offline): the rich-text editor, the place picker's search and map click, the repeat
builder, languages by name and a skill chosen by its name. Then the activity's page shows its
place and its sessions, and the activity carries the skill."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from playwright.sync_api import expect

from col_core.activities.models import Activity
from col_core.db.meta import utcnow
from col_core.tenancy.scoping import get_city_row
from col_core.testing.pytest_plugin import offline_page
from plugins.esco.cli import import_download

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"
    ),
]
VILNIUS = zoneinfo.ZoneInfo("Europe/Vilnius")
ESCO = Path(__file__).resolve().parents[2] / "plugins" / "esco" / "data" / "v1.1.1" / "en"
LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
LIBRARY = {
    "name": "Martynas Mažvydas National Library",
    "address": "Gedimino pr. 51, Vilnius",
    "latitude": 54.6903,
    "longitude": 25.2638,
}


def next_monday() -> dt.date:
    today = utcnow().astimezone(VILNIUS).date() + dt.timedelta(days=3)
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


@pytest.fixture
def esco_english(registry):
    with registry["col.session_factory"]() as session:
        import_download(session, str(ESCO))
        session.commit()


def test_an_organiser_publishes_an_activity_with_the_form_alone(
    live_server, chromium, factories, people, esco_english
):
    city = factories.tenant(
        "vilnius",
        map={
            "center": [54.6872, 25.2797],
            "zoom": 13,
            "tile_url": "http://tiles.invalid/{z}/{x}/{y}.png",
            "attribution": "© Tiles",
            "places": [LIBRARY],
        },
    )
    org = people.organisation(city)
    staff = people.client(city, people.member(city, org))
    server = live_server()
    base = f"{server.origin}/t/vilnius"
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="en")
    page = offline_page(context, server.origin, staff.session_cookie)
    problems: list[str] = []  # script errors and CSP refusals (tiles are refused: offline)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )

    page.goto(f"{base}/organisations/{org.slug}/activities")
    page.fill("input[name=title]", "River clean-up")
    page.locator("form[action$='/activities/new'] [type=submit]").click()
    page.wait_for_url("**/edit")

    # The description: typed into the editor, with bold, a list and a link; no markup shown.
    expect(page.locator("#f-description")).to_be_hidden()
    editor = page.locator("#f-description-editor")
    editor.click()
    page.keyboard.type("Help clean the river bank ")
    page.locator(".editor-tool[data-command=bold]").click()
    page.keyboard.type("with gloves")
    page.locator(".editor-tool[data-command=bold]").click()
    page.keyboard.press("Enter")
    page.locator(".editor-tool[data-command=insertUnorderedList]").click()
    page.keyboard.type("Bring boots")
    page.keyboard.press("Enter")
    page.keyboard.type("Map")
    page.keyboard.press("Shift+Home")
    page.once("dialog", lambda dialog: dialog.accept("example.org/river-map"))
    page.locator(".editor-tool[data-command=createLink]").click()
    expect(editor.locator("a")).to_have_text("Map")

    page.fill("#f-contact_email", "river@example.org")
    page.fill("#f-languages-filter", "lith")
    assert page.locator("#f-languages option[value=uk]").get_attribute("hidden") is not None
    assert page.locator("#f-languages option[value=lt]").get_attribute("hidden") is None
    page.select_option("#f-languages", ["lt", "en"])

    # A skill, chosen by its name (the picker searches ESCO in the page's language).
    page.get_by_role("combobox", name="Add a skill").press_sequentially("listen activ", delay=20)
    page.locator("#skill-options").get_by_role("option", name="listen actively", exact=True).click()
    expect(page.locator(".skill-chip").filter(has_text="listen actively")).to_be_visible()

    # Dates: "One date" shows one session; "Repeats" the first session and the builder.
    page.select_option("#f-schedule_kind", "single")
    expect(page.locator("#f-session_start_0")).to_be_visible()
    expect(page.locator("#f-session_start_1")).to_be_hidden()
    expect(page.locator("#f-repeat_every")).to_be_hidden()
    page.select_option("#f-schedule_kind", "recurring")
    expect(page.locator("#f-session_start_1")).to_be_hidden()
    expect(page.locator("#f-rrule")).to_be_hidden()
    monday = next_monday()
    page.fill("#f-session_start_0", f"{monday.isoformat()}T17:00")
    page.fill("#f-session_end_0", f"{monday.isoformat()}T19:00")
    page.select_option("#f-repeat_every", "week")
    page.check("#f-repeat_day-MO")
    page.check("#f-repeat_day-TH")
    page.check("#f-repeat_ends-count")
    page.fill("#f-repeat_count", "4")

    # The place: found by searching the city's places, then moved by a click on the map.
    expect(page.locator("#f-latitude")).to_be_hidden()  # advanced, folded away
    page.fill("#place-search", "mazvydas")
    page.keyboard.press("Enter")
    page.locator(".place-result").click()
    expect(page.locator("#f-address")).to_have_value(LIBRARY["address"])
    expect(page.locator("#f-latitude")).to_have_value("54.690300")
    page.locator("#place-map").click(position={"x": 120, "y": 150})
    latitude = float(page.locator("#f-latitude").input_value())
    longitude = float(page.locator("#f-longitude").input_value())
    assert (latitude, longitude) != (LIBRARY["latitude"], LIBRARY["longitude"])
    assert abs(latitude - LIBRARY["latitude"]) < 0.05
    assert abs(longitude - LIBRARY["longitude"]) < 0.05

    with page.expect_navigation():
        page.locator("button[name=action][value=publish]").click()
    assert re.search(r"/activities/\d+$", page.url), page.locator("[role=alert]").all_inner_texts()
    expect(page.locator("body")).to_contain_text("Published.")
    expect(page.locator("#where")).to_be_visible()
    assert LIBRARY["address"] in page.locator("main").inner_text()
    sessions = page.locator("section[aria-labelledby=when] time")
    expect(sessions).to_have_count(4)
    expect(page.locator("main strong, main b").first).to_have_text("with gloves")
    assert problems == []

    activity_id = int(page.url.rstrip("/").split("/")[-1])
    with factories.within(city):
        activity = get_city_row(factories.session, Activity, activity_id)
        assert activity.status == "published"
        assert activity.schedule["rrule"] == "FREQ=WEEKLY;COUNT=4;BYDAY=MO,TH"
        starts = [s.starts_at.astimezone(VILNIUS) for s in activity.sessions]
        assert [start.strftime("%a %H:%M") for start in sorted(starts)] == [
            "Mon 17:00",
            "Thu 17:00",
            "Mon 17:00",
            "Thu 17:00",
        ]
        assert sorted(starts)[0].date() == monday
        assert (round(activity.latitude, 6), round(activity.longitude, 6)) == (
            latitude,
            longitude,
        )
        assert activity.languages == ["en", "lt"] or activity.languages == ["lt", "en"]
        assert [skill.concept_uri for skill in activity.skills] == [LISTEN_ACTIVELY]
        assert "<b>with gloves</b>" in activity.description
        assert "<li>Bring boots</li>" in activity.description
        assert 'href="https://example.org/river-map"' in activity.description
