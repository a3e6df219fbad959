"""The organiser dashboard, an activity's participants' progress, and who may see them."""

from __future__ import annotations

import csv
import io

from col_core.analytics.testing import seed_city, table
from col_core.db.meta import utcnow


def test_organisation_dashboard_counts_only_its_own_activities(seeded, people, openapi):
    staff = people.client(seeded.city, seeded.organiser_a)
    payload = openapi(staff.get(f"/api/v1/analytics/organisations/{seeded.org_a.slug}")).json
    activities = {row["activity"]: row for row in table(payload, "activities")["rows"]}
    assert activities == {
        "Robots": {
            "activity": "Robots",
            "views": 0,
            "joins": 6,
            "attendance": 4,
            "completions": 3,
            "badges": 2,
            "rating": {"fewer_than": 2},
        },
        "Drawing": {
            "activity": "Drawing",
            "views": 0,
            "joins": 2,
            "attendance": 0,
            "completions": 0,
            "badges": 0,
            "rating": {"fewer_than": 2},
        },
    }
    month = utcnow().strftime("%Y-%m")
    trend = {row["month"]: row for row in table(payload, "trend")["rows"]}
    assert trend[month] == {
        "month": month,
        "month_label": utcnow().strftime("%B %Y"),
        "joins": 8,
        "completions": 3,
    }
    more = table(payload, "more")["rows"]
    assert {"figure": "Feedback responses", "value": {"fewer_than": 2}} in more


def test_learners_views_of_an_activity_page_are_counted_not_organisers(seeded, people, registry):
    learner = people.client(seeded.city, seeded.learners[6])
    learner.get(f"/activities/{seeded.robots.id}")
    people.client(seeded.city).get(f"/activities/{seeded.robots.id}")
    staff = people.client(seeded.city, seeded.organiser_a)
    staff.get(f"/activities/{seeded.robots.id}")
    assert registry["col.tallies"].flush() == 1  # in a batch after the GETs: two views, one key
    payload = staff.get(f"/api/v1/analytics/organisations/{seeded.org_a.slug}").json
    views = {row["activity"]: row["views"] for row in table(payload, "activities")["rows"]}
    assert views == {"Robots": 2, "Drawing": 0}


def test_organisation_page_and_csv(seeded, people):
    staff = people.client(seeded.city, seeded.organiser_a)
    page = staff.get(f"/organisations/{seeded.org_a.slug}/analytics")
    assert "<svg" in page.text and '<th scope="row">Robots</th>' in page.text
    assert f"/activities/{seeded.robots.id}/analytics" in page.text
    response = staff.get(f"/organisations/{seeded.org_a.slug}/analytics/activities.csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "Activity",
        "Page views",
        "Joins",
        "Attendances",
        "Completions",
        "Badges issued",
        "Average rating",
    ]
    assert sorted(rows[1:]) == [
        ["Drawing", "0", "2", "0", "0", "0", "fewer than 2"],
        ["Robots", "0", "6", "4", "3", "2", "fewer than 2"],
    ]


def test_organisation_page_has_an_impact_section_for_its_organisers(seeded, people):
    page = people.client(seeded.city, seeded.organiser_a).get(f"/organisations/{seeded.org_a.slug}")
    assert f"/organisations/{seeded.org_a.slug}/analytics" in page.text
    public = people.client(seeded.city).get(f"/organisations/{seeded.org_a.slug}")
    assert "/analytics" not in public.text


def test_participants_progress_of_an_activity(seeded, people):
    staff = people.client(seeded.city, seeded.organiser_a)
    response = staff.get(f"/activities/{seeded.robots.id}/analytics/participants.csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "Participant",
        "Status",
        "Joined on",
        "Sessions attended",
        "Sessions",
        "Completed on",
    ]
    today = utcnow().date().isoformat()
    names = [learner.display_name for learner in seeded.learners[:6]]
    assert rows[1:] == [
        [name, "Joined", today, "1" if n < 4 else "0", "1", today if n < 3 else ""]
        for n, name in enumerate(names)
    ]
    assert (
        "Participants&#39; progress" in staff.get(f"/activities/{seeded.robots.id}/analytics").text
    )


def test_an_organiser_sees_only_their_own_organisation(seeded, people):
    other = people.client(seeded.city, seeded.organiser_b)
    other.get(f"/organisations/{seeded.org_a.slug}/analytics", status=403)
    other.get(f"/organisations/{seeded.org_a.slug}/analytics/activities.csv", status=403)
    other.get(f"/api/v1/analytics/organisations/{seeded.org_a.slug}", status=403)
    other.get(f"/activities/{seeded.robots.id}/analytics", status=403)
    other.get(f"/activities/{seeded.robots.id}/analytics/participants.csv", status=403)
    payload = other.get(f"/api/v1/analytics/organisations/{seeded.org_b.slug}").json
    assert [row["activity"] for row in table(payload, "activities")["rows"]] == ["Stars"]


def test_learners_and_anonymous_visitors_are_refused(seeded, people):
    learner = people.client(seeded.city, seeded.learners[0])
    learner.get(f"/organisations/{seeded.org_a.slug}/analytics", status=403)
    learner.get(f"/activities/{seeded.robots.id}/analytics", status=403)
    anonymous = people.client(seeded.city)
    anonymous.get(f"/api/v1/analytics/organisations/{seeded.org_a.slug}", status=(401, 403))
    assert anonymous.get(
        f"/organisations/{seeded.org_a.slug}/analytics", expect_errors=True
    ).status_int in (302, 303, 401, 403)


def test_another_citys_organisation_does_not_exist_here(seeded, people, factories, as_request):
    other = seed_city(people, factories, as_request, slug="kaunas")
    staff = people.client(seeded.city, seeded.organiser_a)
    staff.get(f"/organisations/{other.org_a.slug}/analytics", status=404)
    staff.get(f"/activities/{other.robots.id}/analytics", status=404)
