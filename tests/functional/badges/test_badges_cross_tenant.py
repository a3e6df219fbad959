"""Every badges route, given city A's ids, answers 404 in city B, even to A's owner.

(The core's cross-tenant suite lists these routes as awaiting their owner; this is that line.)
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from col_core.security.models import User
from plugins.badges import claims
from plugins.badges.models import Assertion, BadgeClass, EvidenceSubmission
from plugins.badges.testing import Badges


@pytest.fixture
def world(badges, registry, factories):
    owner = badges.user("owner@alpha.example")
    badges.member(owner, "owner")
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=["Do it"])
    uid = badges.issue(class_id, "someone@example.org")
    with badges.request() as request:
        badge = request.dbsession.get(BadgeClass, class_id)
        code = claims.new_code(request.dbsession, badge).code
        submission = EvidenceSubmission(badge_class=badge, task=0, text="Secret",
                                        user=request.dbsession.get(User, owner.id))
        request.dbsession.add(submission)
        request.dbsession.flush()
        assertion = request.dbsession.scalar(select(Assertion).where(Assertion.uid == uid))
        ids = {"org": badges.organisation.id, "issuer": badge.issuer_id, "badge": class_id,
               "key": badge.issuer.keys[0].id, "uid": uid, "code": code,
               "token": assertion.accept_token, "submission": submission.id}
    city_b = Badges(registry, factories, factories.tenant("beta"))
    return ids, city_b


PATHS = [
    "/badges/issuers/{issuer}", "/badges/issuers/{issuer}.json", "/badges/issuers/{issuer}/profile",
    "/badges/issuers/{issuer}/keys/{key}", "/badges/issuers/{issuer}/jwks",
    "/badges/issuers/{issuer}/revocations", "/badges/issuers/{issuer}/status",
    "/badges/classes/{badge}", "/badges/classes/{badge}.json", "/badges/classes/{badge}/image",
    "/badges/assertions/{uid}", "/badges/assertions/{uid}.json",
    "/badges/assertions/{uid}/signed", "/badges/assertions/{uid}/baked-ob2.png",
    "/badges/assertions/{uid}/baked-ob3.svg", "/badges/credentials/{uid}",
    "/badges/share/{uid}", "/badges/claim/{code}", "/badges/claim/{code}/qr.svg",
    "/badges/accept/{token}", "/badges/classes/{badge}/evidence", "/badges/reviews/{submission}",
    "/badges/manage/organisations/{org}/new", "/badges/manage/{badge}",
    "/badges/manage/{badge}/issue", "/badges/manage/{badge}/codes",
    "/badges/manage/{badge}/revoke/{uid}", "/api/v1/badges/classes/{badge}/assertions",
]


def test_city_a_badges_are_not_found_from_city_b(world, testapp):
    ids, city_b = world
    app = testapp.for_tenant(city_b.tenant)
    city_b.sign_in(app, "owner@alpha.example")
    token = re.search(r'name="csrf_token" value="([^"]+)"', app.get("/badges/verify").text)[1]
    for template in PATHS:
        path = template.format(**ids)
        methods = ["POST"] if path.startswith("/api/") else ["GET", "POST"]
        for method in methods:
            if method == "GET":
                response = app.get(path, status="*")
            elif path.startswith("/api/"):
                response = app.post_json(path, {"recipients": [{"email": "x@example.org"}]},
                                         headers={"X-CSRF-Token": token}, status="*")
            else:
                response = app.post(path, {"csrf_token": token, "reason": "x",
                                           "email": "x@example.org", "decision": "approve",
                                           "visibility": "public"}, status="*")
            assert response.status_int == 404, (method, path, response.status)
            assert "Secret" not in response.text and "Bike Kitchen" not in response.text
