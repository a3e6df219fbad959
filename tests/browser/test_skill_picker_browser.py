"""The skill picker on a phone (390 x 844) in a city that speaks Spanish: an organiser types
part of a skill's Spanish name, chooses it with the keyboard (ARIA combobox), sees it as a chip
that a screen reader names, and saves; axe-core finds nothing serious in the picker."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from col_core.activities.models import ActivitySkill
from col_core.testing.pytest_plugin import offline_page
from plugins.esco.cli import import_download

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"
    ),
]
DATA = Path(__file__).resolve().parents[2] / "plugins" / "esco" / "data"
AXE = files("axe_playwright_python") / "axe.min.js"
LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
RUN_AXE = """() => axe.run("#f-skills", {
  runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
  resultTypes: ["violations"],
}).then((r) => r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))"""


@pytest.fixture
def esco_spanish(registry):
    for folder in ("v1.1.1/en", "v1.0.x/es"):
        with registry["col.session_factory"]() as session:
            import_download(session, str(DATA / folder))
            session.commit()


def test_an_organiser_tags_an_activity_by_a_spanish_name_on_a_phone(
    live_server, chromium, factories, people, esco_spanish
):
    city = factories.tenant("madrid", locales=["es", "en"], default_locale="es")
    org = people.organisation(city)
    activity = people.activity(
        city,
        org,
        "Círculo de escucha",
        description="<p>Escuchamos juntos.</p>",
        address="Plaza Mayor 1",
        latitude=40.415,
        longitude=-3.707,
        contact_email="hola@example.org",
    )
    staff = people.client(city, people.member(city, org))
    server = live_server()
    # bypass_csp only so that axe-core can be injected; the picker's own script is a file.
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, locale="es", bypass_csp=True
    )
    page = offline_page(context, server.origin, staff.session_cookie)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{server.origin}/t/madrid/activities/{activity.id}/edit")

    box = page.get_by_role("combobox", name="Añadir una competencia")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("escucha activ", delay=20)
    option = page.locator("#skill-options").get_by_role("option").first
    expect(option).to_have_text("practicar la escucha activa")
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    box.press("Enter")  # chooses; does not send the form

    chip = page.locator(".skill-chip").filter(has_text="practicar la escucha activa")
    expect(chip).to_be_visible()
    expect(page.locator("#skill-status")).to_contain_text("practicar la escucha activa")
    remove = chip.get_by_role("button")
    assert "practicar la escucha activa" in remove.get_attribute("aria-label")
    assert box.input_value() == "" and "/edit" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(RUN_AXE) == []

    with page.expect_navigation():
        page.locator("button[name=action][value=save]").click()
    expect(page.locator(".skill-chip")).to_have_count(1)
    with factories.within(city):
        stored = factories.session.scalars(
            select(ActivitySkill.concept_uri).where(ActivitySkill.activity_id == activity.id)
        ).all()
    assert stored == [LISTEN_ACTIVELY]
    assert problems == []
