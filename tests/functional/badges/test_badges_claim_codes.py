"""Claim codes: QR code, single and multi use, usage limits, expiry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree import ElementTree

import pytest

from col_core.tenancy.scoping import get_city_row
from col_core.testing.people import accept_terms
from plugins.badges import claims
from plugins.badges.models import BadgeClass

CHROMIUM = Path("/usr/bin/chromium")


def _code(badges, **options) -> str:
    class_id = badges.badge_class()
    with badges.request() as request:
        return claims.new_code(
            request.dbsession, get_city_row(request.dbsession, BadgeClass, class_id), **options
        ).code


def _claim(city, code, email, status=303):
    form = city.get(f"/badges/claim/{code}").forms["claim-form"]
    form["email"] = email
    return form.submit(status=status)


def test_claim_with_a_code_awards_the_badge(badges, city, outbox):
    code = _code(badges)
    response = _claim(city, code, "ana@example.org")
    assert "/badges/share/" in response.location
    assert outbox.messages()[0]["To"] == "ana@example.org"


def test_qr_code_is_a_standalone_svg_document(badges, city):
    code = _code(badges)
    response = city.get(f"/badges/claim/{code}/qr.svg")
    assert response.content_type == "image/svg+xml"
    # Served as a file (not inline in HTML), an SVG without its namespace shows as nothing.
    root = ElementTree.fromstring(response.body)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.get("width")) > 0 and int(root.get("height")) > 0
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium")
def test_qr_code_renders_in_a_browser(badges, live_city):
    from playwright.sync_api import sync_playwright

    code = _code(badges)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"]
        )
        page = chromium.new_page()
        page.goto(f"{live_city.origin}/badges/claim/{code}")
        size = page.evaluate(
            """src => new Promise(resolve => {
            const image = new Image();
            image.onload = () => resolve([image.naturalWidth, image.naturalHeight]);
            image.onerror = () => resolve([0, 0]);
            image.src = src;
        })""",
            f"{live_city.origin}/badges/claim/{code}/qr.svg",
        )
        chromium.close()
    assert size[0] > 0 and size[1] > 0


def test_single_use_code_refuses_a_second_person(badges, city):
    code = _code(badges, max_uses=1)
    _claim(city, code, "ana@example.org")
    refused = _claim(city, code, "bob@example.org", status=400)
    assert "used as many times" in refused
    assert 'value="bob@example.org"' in refused  # input kept


def test_multi_use_code_stops_at_its_limit(badges, city):
    code = _code(badges, max_uses=2)
    _claim(city, code, "a@example.org")
    _claim(city, code, "b@example.org")
    _claim(city, code, "c@example.org", status=400)


def test_claiming_again_does_not_spend_a_use(badges, city):
    code = _code(badges, max_uses=1)
    first = _claim(city, code, "ana@example.org")
    again = _claim(city, code, "ana@example.org")
    assert first.location == again.location


def test_expired_code_is_refused(badges, city):
    code = _code(badges, expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert "expired" in _claim(city, code, "ana@example.org", status=400)


def test_unknown_code_is_404(city):
    city.get("/badges/claim/NOPE", status=404)


def test_a_signed_in_person_accepts_the_citys_terms_before_claiming(badges, city):
    code = _code(badges)
    badges.user("ana@example.org")
    page = city.get("/signin")
    form = next(f for f in page.forms.values() if "password" in f.fields)
    form["email"], form["password"] = "ana@example.org", "correct horse battery"
    form.submit(status=303)
    form = city.get(f"/badges/claim/{code}").forms["claim-form"]
    assert "/consent?" in form.submit(status=303).location
    accept_terms(city)
    assert "/badges/share/" in form.submit(status=303).location
