"""The badges JSON API: listing classes, issuing to many recipients with per-row errors."""

from __future__ import annotations

import re


def _csrf(app) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', app.get("/badges/verify").text)[1]


def test_list_badge_classes(badges, city, openapi):
    badges.badge_class(name="Listed")
    response = openapi(city.get("/api/v1/badges/classes"))
    assert [b["name"] for b in response.json["badge_classes"]] == ["Listed"]


def test_issue_through_the_api_with_row_errors(badges, city, openapi):
    class_id = badges.badge_class()
    badges.organiser(city)
    response = city.post_json(
        f"/api/v1/badges/classes/{class_id}/assertions",
        {
            "recipients": [
                {"email": "ana@example.org", "evidence": [{"url": "https://ex.org/1"}]},
                {"email": "broken"},
            ]
        },
        headers={"X-CSRF-Token": _csrf(city)},
        status=201,
    )
    openapi(response)
    [issued] = response.json["issued"]
    assert issued["assertion"].startswith("http://vilnius.example.test/badges/assertions/")
    assert "not an email address" in response.json["errors"]["2"]


def test_issue_api_refuses_strangers_and_bad_bodies(badges, city):
    class_id = badges.badge_class()
    badges.user("someone@example.org")
    badges.sign_in(city, "someone@example.org")
    headers = {"X-CSRF-Token": _csrf(city)}
    url = f"/api/v1/badges/classes/{class_id}/assertions"
    refused = city.post_json(
        url, {"recipients": [{"email": "a@example.org"}]}, headers=headers, status=403
    )
    assert "owners and admins" in refused.json["error"]
    organiser = city.__class__(city.app, extra_environ=city.extra_environ)
    badges.organiser(organiser)
    headers = {"X-CSRF-Token": _csrf(organiser)}
    bad = organiser.post_json(url, {"recipients": "ana"}, headers=headers, status=422)
    assert bad.json["fields"] == {"recipients": "required"}
