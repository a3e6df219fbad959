"""The badges plugin's figures on the city and organiser dashboards (``col_metrics``)."""

from __future__ import annotations

import datetime as dt

from col_core.analytics.testing import table
from col_core.db.meta import utcnow
from plugins.badges.models import EvidenceSubmission
from plugins.badges.testing import Badges


def test_dashboards_count_claims_issues_and_evidence_waiting(registry, factories, people):
    city = factories.tenant("kaunas", settings={"analytics.min_group_size": 2})
    badges = Badges(registry, factories, city)
    badge = badges.badge_class(earning="claim")
    for n in range(3):
        badges.issue(badge, f"claim{n}@example.org", source="claim")
    badges.issue(badge, "direct@example.org")
    for n in range(2):  # eight months ago: the previous six-month period
        uid = badges.issue(badge, f"old{n}@example.org", source="claim")
        badges.update(uid, issued_on=utcnow() - dt.timedelta(days=240))
    learner = people.user()
    with factories.within(city):
        factories.save(
            *[
                EvidenceSubmission(
                    badge_class_id=badge, user_id=learner.id, task=task, status=status
                )
                for task, status in enumerate(("submitted", "submitted", "approved"))
            ]
        )

    admin = people.client(city, people.city_admin(city))
    rows = {
        row["figure"]: (row["period"], row["previous"])
        for row in table(admin.get("/api/v1/analytics/city").json, "headline")["rows"]
    }
    assert rows["Badges claimed with a code"] == (3, 2)
    assert rows["Evidence waiting for review"][0] == 2
    assert "Badges claimed with a code" in admin.get("/analytics").text
    organiser = people.client(city, people.member(city, badges.organisation))
    more = table(
        organiser.get(f"/api/v1/analytics/organisations/{badges.organisation.slug}").json, "more"
    )["rows"]
    assert {"figure": "Badges issued", "value": 4} in more
    assert {"figure": "Badges claimed with a code", "value": 3} in more
