"""OB 2.0 hosted verification and OB 3.0 credentials served at their id URLs."""

from __future__ import annotations

from plugins.badges.ob import ob2

BASE = "http://vilnius.example.test/badges"
JSONLD = {"Accept": "application/ld+json"}


def test_hosted_assertion_is_json_ld_at_its_id(badges, city):
    uid = badges.issue(badges.badge_class())
    doc = city.get(f"/badges/assertions/{uid}", headers=JSONLD).json
    assert doc["id"] == f"{BASE}/assertions/{uid}"
    assert doc["type"] == "Assertion" and doc["verification"] == {"type": "hosted"}
    assert ob2.recipient_matches(doc["recipient"], "ana@example.org")
    assert "ana@example.org" not in city.get(f"/badges/assertions/{uid}.json").text


def test_assertion_page_for_people(badges, city):
    uid = badges.issue(badges.badge_class())
    page = city.get(f"/badges/assertions/{uid}", headers={"Accept": "text/html"}).follow()
    assert page.content_type == "text/html"
    assert "Bike repair" in page and 'property="og:title"' in page


def test_badge_class_and_issuer_documents(badges, city):
    class_id = badges.badge_class(
        skills=[{"uri": "http://data.europa.eu/esco/skill/abc", "label": "repair bicycles"}]
    )
    badge = city.get(f"/badges/classes/{class_id}.json").json
    assert badge["issuer"].startswith(f"{BASE}/issuers/")
    assert badge["alignment"][0]["targetUrl"] == "http://data.europa.eu/esco/skill/abc"
    issuer = city.get(
        badge["issuer"].removeprefix("http://vilnius.example.test"), headers=JSONLD
    ).json
    assert issuer["type"] == "Issuer" and issuer["name"] == "Bike Kitchen"
    key = city.get(issuer["publicKey"].removeprefix("http://vilnius.example.test")).json
    assert key["type"] == "CryptographicKey" and "BEGIN PUBLIC KEY" in key["publicKeyPem"]


def test_revoked_hosted_assertion_answers_410_with_reason(badges, city):
    uid = badges.issue(badges.badge_class())
    badges.revoke(uid, "issued by mistake")
    response = city.get(f"/badges/assertions/{uid}.json", status=410)
    assert response.json == {"revoked": True, "revocationReason": "issued by mistake"}


def test_revocation_list_with_one_entry(badges, city):
    class_id = badges.badge_class()
    kept, revoked = badges.issue(class_id), badges.issue(class_id, "bob@example.org")
    badges.revoke(revoked, "cheating")
    issuer_url = city.get(f"/badges/classes/{class_id}.json").json["issuer"]
    listing = city.get(issuer_url.removeprefix("http://vilnius.example.test") + "/revocations").json
    ids = {entry["id"] for entry in listing["revokedAssertions"]}
    assert f"{BASE}/assertions/{revoked}" in ids and f"{BASE}/assertions/{kept}" not in ids
    assert {e["revocationReason"] for e in listing["revokedAssertions"]} == {"cheating"}
