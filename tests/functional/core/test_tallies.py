"""Counts kept during GETs (page views) reach the database later, in batches, and are not lost
when a batch cannot be written."""

from __future__ import annotations

import time
import urllib.request

from sqlalchemy import func, select

from col_core.activities.viewing import ACTIVITY_VIEWS
from col_core.analytics.models import DailyMetric


def _views(factories, city, activity) -> int:
    with factories.within(city):
        return factories.session.scalar(
            select(func.coalesce(func.sum(DailyMetric.value), 0)).where(
                DailyMetric.metric == "views", DailyMetric.dimension == "activity",
                DailyMetric.key == str(activity.id)))


def test_a_live_server_writes_its_page_views_in_the_background(live_server, factories, people):
    city = factories.tenant("vilnius")
    activity = people.activity(city, people.organisation(city))
    server = live_server(**{"col.tally_seconds": "0.2"})
    for _ in range(3):
        with urllib.request.urlopen(f"{server.city(city)}/activities/{activity.id}") as page:
            assert page.status == 200
    deadline = time.monotonic() + 30
    while _views(factories, city, activity) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _views(factories, city, activity) == 3
    assert server.config.registry["col.tallies"].pending() == {}


def test_counts_that_cannot_be_written_wait_for_the_next_flush(registry, factories, people):
    city = factories.tenant("vilnius")
    activity = people.activity(city, people.organisation(city))
    tallies = registry["col.tallies"]
    key = (activity.created_at.date(), activity.id)
    tallies.count(ACTIVITY_VIEWS, 999_999, key)  # a city that does not exist: the write fails
    tallies.count(ACTIVITY_VIEWS, city.id, key, by=2)
    assert tallies.flush() == 1
    assert _views(factories, city, activity) == 2
    assert tallies.pending() == {ACTIVITY_VIEWS: {(999_999, key): 1}}
    tallies.discard()
