"""Active learners over a period: distinct learners who took a place, exact to the day.

Counted by hand from participations written with their dates, then ``col analytics rebuild``
(which the join hook's incremental counts must agree with, see test_analytics_city).
"""

from __future__ import annotations

import datetime as dt

import pytest

from col_core.activities.models import Participation
from col_core.analytics.testing import placed_activity, table

# Learner 1 joined on 10 March and 20 April, learner 2 on 5 April, learner 3 on 27 February;
# learner 4 is only on a waiting list in March (never active).
PLACES = [
    (1, "2026-03-10", "joined"),
    (1, "2026-04-20", "left"),
    (2, "2026-04-05", "joined"),
    (3, "2026-02-27", "joined"),
    (4, "2026-03-15", "waitlisted"),
]


def seed(people, factories, run_col, k):
    city = factories.tenant("vilnius", settings={"analytics.min_group_size": k}, plugins=[])
    organisation = people.organisation(city, "Makers")
    admin = people.city_admin(city)
    learners = [people.user("learner") for _ in range(4)]
    activities = [
        placed_activity(factories, city, organisation, f"Workshop {n}", "science", 54.68, 25.27)
        for n in range(len(PLACES))
    ]
    with factories.within(city):
        for activity, (n, day, status) in zip(activities, PLACES, strict=False):
            created = dt.datetime.fromisoformat(day + "T10:00")
            factories.save(
                Participation(
                    activity_id=activity.id,
                    user_id=learners[n - 1].id,
                    status=status,
                    created_at=created,
                    queued_at=created,
                )
            )
    result = run_col("analytics", "rebuild", "--tenant", "vilnius")
    assert result.exit_code == 0, result.output
    return people.client(city, admin)


def headline(client, start, end, column="period"):
    payload = client.get("/api/v1/analytics/city", params={"from": start, "to": end}).json
    return {row["figure"]: row[column] for row in table(payload, "headline")["rows"]}


@pytest.fixture
def admin(people, factories, run_col):
    return seed(people, factories, run_col, k=1)


def test_a_learner_active_in_two_months_of_the_period_counts_once(admin):
    figures = headline(admin, "2026-03-01", "2026-04-30")
    assert figures["Active learners"] == 2  # learners 1 and 2; 1 joined in March and April
    assert figures["Joins"] == 3


def test_the_period_is_cut_to_the_day_inside_its_first_and_last_months(admin):
    # 11 March to 19 April leaves out learner 1's joins on 10 March and 20 April.
    assert headline(admin, "2026-03-11", "2026-04-19")["Active learners"] == 1
    assert headline(admin, "2026-03-10", "2026-04-19")["Active learners"] == 2
    assert headline(admin, "2026-03-11", "2026-04-20")["Active learners"] == 2


def test_a_period_inside_one_month_counts_only_its_days(admin):
    assert headline(admin, "2026-04-05", "2026-04-05")["Active learners"] == 1
    # Nobody: zero is below any k, so it reads "fewer than 1".
    assert headline(admin, "2026-04-06", "2026-04-19")["Active learners"] == {"fewer_than": 1}
    assert headline(admin, "2026-04-01", "2026-04-30")["Active learners"] == 2


def test_the_previous_period_has_its_own_active_learners(admin):
    # 1 March to 30 April is 61 days; the 61 days before hold learner 3 alone.
    assert headline(admin, "2026-03-01", "2026-04-30", "previous")["Active learners"] == 1


def test_active_learners_are_in_the_csv_export(admin):
    rows = admin.get(
        "/analytics/headline.csv", params={"from": "2026-02-01", "to": "2026-04-30"}
    ).text.splitlines()
    assert "Active learners,3,fewer than 1" in rows


def test_few_active_learners_are_suppressed(people, factories, run_col):
    admin = seed(people, factories, run_col, k=3)
    assert headline(admin, "2026-03-01", "2026-04-30")["Active learners"] == {"fewer_than": 3}
    assert headline(admin, "2026-02-01", "2026-04-30")["Active learners"] == 3
