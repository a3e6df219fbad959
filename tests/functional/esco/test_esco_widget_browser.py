"""The skill widget in a real browser: an organiser types a French label without accents,
picks the suggestion with the keyboard, and the activity is tagged (ARIA combobox pattern)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"
    ),
]
LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"


@contextlib.contextmanager
def served_page(live_server, cookie: tuple[str, str]):
    """A phone-sized Chromium page, signed in with ``cookie``, and the app on a free port."""
    from playwright.sync_api import sync_playwright

    server = live_server()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"]
        )
        context = chromium.new_context(viewport={"width": 390, "height": 844})
        name, value = cookie
        context.add_cookies([{"name": name, "value": value, "url": server.origin}])
        yield context.new_page(), server.origin
        chromium.close()


def test_keyboard_tagging_with_the_combobox(live_server, esco, people, factories):
    from playwright.sync_api import expect

    esco.load("v1.1.1/en", "v1.0.x/fr")
    city = factories.tenant("lyon", locales=["en", "fr"], default_locale="en")
    org = people.organisation(city)
    activity = people.activity(city, org, title="Listening circle")
    organiser = people.client(city, people.organiser(city, org))
    with served_page(live_server, organiser.session_cookie) as (page, base):
        page.goto(f"{base}/t/lyon/esco/activities/{activity.id}/skills")
        box = page.get_by_role("combobox", name="Find a skill (any language)")
        box.press_sequentially("ecouter activ", delay=20)
        option = page.locator("#esco-q-skill-listbox").get_by_role("option").first
        # On a busy machine the pause between keystrokes can outlast the widget's delay, so the
        # suggestions of a shorter prefix may show first: wait for those of the whole text.
        expect(option).to_have_text(re.compile(r"^listen actively"))
        assert box.get_attribute("aria-expanded") == "true"
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
        assert option.get_attribute("aria-selected") == "true"
        box.press("Enter")
        page.wait_for_url(f"**/esco/activities/{activity.id}/skills")
        tagged = page.locator(".esco-tags a")
        tagged.first.wait_for()
        assert tagged.all_inner_texts() == ["listen actively"]
        box = page.get_by_role("combobox", name="Find a skill (any language)")
        box.press_sequentially("zz", delay=20)
        box.press("Escape")
        assert box.get_attribute("aria-expanded") == "false"
