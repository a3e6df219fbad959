"""What GETs note (page views, when a session or a token was last used) reaches the database
later, in batches, and is not lost when a batch cannot be written."""

from __future__ import annotations

import datetime as dt
import time
import urllib.request

from sqlalchemy import func, select, update

from col_core.activities.viewing import ACTIVITY_VIEWS
from col_core.analytics.models import DailyMetric
from col_core.db.meta import utcnow
from col_core.jobs.models import aware
from col_core.security.models import ApiToken, UserSession


def _views(factories, city, activity) -> int:
    with factories.within(city):
        return factories.session.scalar(
            select(func.coalesce(func.sum(DailyMetric.value), 0)).where(
                DailyMetric.metric == "views",
                DailyMetric.dimension == "activity",
                DailyMetric.key == str(activity.id),
            )
        )


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
    tallies.note(ACTIVITY_VIEWS, 999_999, key)  # a city that does not exist: the write fails
    tallies.note(ACTIVITY_VIEWS, city.id, key, 2)
    assert tallies.flush() == 1
    assert _views(factories, city, activity) == 2
    assert tallies.pending() == {ACTIVITY_VIEWS: {(999_999, key): 1}}
    tallies.discard()


def test_when_sessions_and_tokens_were_last_used_is_written_by_the_flush(
    registry, factories, people
):
    city = factories.tenant("vilnius")
    user = people.user()
    client = people.client(city, user)
    secret = people.token(user, "read")
    long_ago = utcnow() - dt.timedelta(hours=1)
    factories.session.execute(update(UserSession).values(last_seen_at=long_ago))
    factories.session.commit()
    client.get("/account")
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert factories.session.scalar(select(ApiToken.last_used_at)) is None  # nothing written yet
    factories.session.rollback()  # end the reading transaction: see the flush's commit
    assert registry["col.tallies"].flush() == 2
    seen = factories.session.scalar(select(UserSession.last_seen_at))
    assert aware(seen) > long_ago + dt.timedelta(minutes=59)
    assert factories.session.scalar(select(ApiToken.last_used_at)) is not None
