"""Sharing a badge: LinkedIn's add-to-profile link, the recipient's name only by choice, Open
Graph and Twitter card tags with a PNG image on badge class and share pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup


def _meta(page) -> dict[str, str]:
    soup = BeautifulSoup(page.text, "html.parser")
    return {
        (m.get("property") or m.get("name")): m.get("content")
        for m in soup.find_all("meta")
        if m.get("property") or m.get("name")
    }


def _owner(badges, testapp, display_name="Ana Petraitė"):
    ana = badges.user("ana@example.org", display_name=display_name)
    uid = badges.issue(badges.badge_class(name="Bike repair"), user=ana)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    return uid, browser


def test_owner_gets_a_linkedin_add_certification_link(badges, testapp):
    uid, browser = _owner(badges, testapp)
    page = browser.get(f"/badges/share/{uid}")
    link = page.html.find(id="linkedin-add")["href"]
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    issued = badges.assertion(uid).issued_on
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Bike repair",
        "organizationName": badges.organisation.name,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": f"http://vilnius.example.test/badges/share/{uid}",
        "certId": uid,
    }


def test_linkedin_link_carries_the_expiry(badges, testapp):
    ana = badges.user("ana@example.org")
    uid = badges.issue(badges.badge_class(expires_after_days=400), user=ana)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    link = browser.get(f"/badges/share/{uid}").html.find(id="linkedin-add")["href"]
    expires = badges.assertion(uid).expires_at
    query = parse_qs(urlsplit(link).query)
    assert query["expirationYear"] == [str(expires.year)]
    assert query["expirationMonth"] == [str(expires.month)]


def test_no_linkedin_link_for_others_or_revoked_badges(badges, testapp, city):
    uid, browser = _owner(badges, testapp)
    assert city.get(f"/badges/share/{uid}").html.find(id="linkedin-add") is None
    badges.revoke(uid, "mistake")
    page = browser.get(f"/badges/share/{uid}", status=410)
    assert page.html.find(id="linkedin-add") is None


def test_share_page_names_the_recipient_only_when_they_choose(badges, testapp, city):
    uid, browser = _owner(badges, testapp)
    assert "Ana Petraitė" not in city.get(f"/badges/share/{uid}")
    form = browser.get(f"/badges/share/{uid}").forms["visibility-form"]
    form["show_name"] = True
    form.submit(status=303)
    page = city.get(f"/badges/share/{uid}")
    assert "Awarded to Ana Petraitė" in page
    assert "Ana Petraitė earned this badge" in _meta(page)["og:description"]
    form = browser.get(f"/badges/share/{uid}").forms["visibility-form"]
    form["show_name"] = False
    form.submit(status=303)
    assert "Ana Petraitė" not in city.get(f"/badges/share/{uid}")


def test_no_name_without_a_display_name(badges, testapp, city):
    uid, browser = _owner(badges, testapp, display_name="")
    form = browser.get(f"/badges/share/{uid}").forms["visibility-form"]
    form["show_name"] = True
    form.submit(status=303)
    assert badges.assertion(uid).show_name is True
    page = city.get(f"/badges/share/{uid}")
    assert "Awarded to" not in page and "ana@example.org" not in page


def test_only_the_owner_can_choose(badges, testapp):
    uid, _browser = _owner(badges, testapp)
    badges.user("bob@example.org")
    bob = testapp.for_tenant(badges.tenant)
    badges.sign_in(bob, "bob@example.org")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', bob.get("/badges/verify").text)[1]
    bob.post(
        f"/badges/share/{uid}",
        {"visibility": "public", "show_name": "1", "csrf_token": csrf},
        status=403,
    )
    assert badges.assertion(uid).show_name is False


def test_share_page_has_open_graph_and_twitter_card(badges, city):
    uid = badges.issue(badges.badge_class(name="Bike repair", description="Fixes bikes."))
    meta = _meta(city.get(f"/badges/share/{uid}"))
    class_id = badges.assertion(uid).badge_class_id
    image = f"http://vilnius.example.test/badges/classes/{class_id}/image.png"
    assert meta["og:title"] == meta["twitter:title"] == "Bike repair"
    assert meta["og:image"] == meta["twitter:image"] == image
    assert meta["og:url"] == f"http://vilnius.example.test/badges/share/{uid}"
    assert meta["twitter:card"] == "summary" and "Fixes bikes." in meta["og:description"]
    assert city.get(image.removeprefix("http://vilnius.example.test")).content_type == "image/png"


def test_badge_class_page_has_open_graph_and_twitter_card(badges, city):
    class_id = badges.badge_class(name="Bike repair", description="Fixes bikes.")
    meta = _meta(city.get(f"/badges/classes/{class_id}"))
    assert meta["og:title"] == "Bike repair" and meta["og:description"] == "Fixes bikes."
    assert meta["og:url"] == f"http://vilnius.example.test/badges/classes/{class_id}"
    assert meta["twitter:image"].endswith(f"/badges/classes/{class_id}/image.png")


def test_png_preview_of_an_unknown_class_is_404(badges, city):
    city.get("/badges/classes/999/image.png", status=404)


def test_download_names_are_in_the_readers_language(badges, testapp):
    uid, browser = _owner(badges, testapp)
    page = browser.get(f"/badges/share/{uid}", headers={"Accept-Language": "lt"})
    downloads = [link.text for link in page.html.select("main ul li a")]
    assert "Kredencialas (Open Badges 3.0)" in downloads
    assert "Credential (Open Badges 3.0)" not in downloads
