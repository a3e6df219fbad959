"""Finding 3 of issue #14, performed: bursts of simultaneous joins for a few places, through the
demo's own server (waitress, threads) and through gunicorn with 4 worker processes, on the test
run's database (SQLite, or PostgreSQL with COL_TEST_DATABASE_URL).  Before the fix SQLite gave up
to 17 joined for 10 places under the demo server and 11 to 13 under gunicorn.

Each burst asserts what the people were told (10 joined, the rest waitlisted), what the database
holds (nobody beyond the capacity), and that the queue is consistent: the joined are exactly the
first people of the queue, in the order places were given.
"""

from __future__ import annotations

import time
from collections import Counter
from functools import partial

import pytest
from sqlalchemy import select

from col_core.activities.models import Activity, Participation
from col_core.tenancy.scoping import get_city_row
from col_core.testing.servers import burst

pytestmark = pytest.mark.slow

BURSTS, CROWD, PLACES = 5, 50, 10
SERVERS = ["demo", "gunicorn"]


def queue(factories, city, activity) -> list[Participation]:
    """Everyone joined or waitlisted, in queue order, as the database holds it now."""
    factories.session.expire_all()
    with factories.within(city):
        return list(
            factories.session.scalars(
                select(Participation)
                .where(
                    Participation.activity_id == activity.id,
                    Participation.status.in_(("joined", "waitlisted")),
                )
                .order_by(Participation.queued_at, Participation.id)
            )
        )


def assert_consistent(factories, city, activity) -> list[Participation]:
    people = queue(factories, city, activity)
    with factories.within(city):
        capacity = get_city_row(factories.session, Activity, activity.id).capacity
    joined = sum(1 for p in people if p.status == "joined")
    assert joined <= capacity, f"overbooked: {joined} joined for {capacity} places"
    if joined < capacity:
        assert joined == len(people), "a place is free while people wait"
    waiting = len(people) - joined
    assert [p.status for p in people] == ["joined"] * joined + ["waitlisted"] * waiting, (
        "someone waits ahead of a person who got a place"
    )
    return people


def ok(replies, status: int) -> list:
    problems = [
        r if isinstance(r, Exception) else (r.status, r.text[:200])
        for r in replies
        if isinstance(r, Exception) or r.status != status
    ]
    assert not problems, problems[:3]
    return replies


def join(browser, activity):
    """The join button of the activity's page (a form with the session's CSRF token)."""
    return browser.post_form(f"/activities/{activity.id}/join")


def leave(browser, activity):
    return browser.post_form(f"/activities/{activity.id}/leave")


@pytest.mark.parametrize("kind", SERVERS)
def test_bursts_of_joins_never_overbook(kind, serve, crowd, activity, city, factories):
    server = serve(kind)
    durations = []
    for _ in range(BURSTS):
        target = activity(capacity=PLACES)
        learners = crowd(server, CROWD)
        started = time.monotonic()
        ok(burst(partial(join, learner, target) for learner in learners), 303)
        durations.append(time.monotonic() - started)
        people = assert_consistent(factories, city, target)
        assert len(people) == CROWD
        assert Counter(p.status for p in people) == {"joined": PLACES, "waitlisted": CROWD - PLACES}
    print(
        f"\n{kind}: {BURSTS} bursts of {CROWD} joins for {PLACES} places, 0 overbooked; "
        f"a burst took {min(durations):.1f}-{max(durations):.1f} s"
    )


@pytest.mark.parametrize("kind", SERVERS)
def test_leaves_joins_and_more_places_at_once_keep_the_queue(
    kind, serve, crowd, api_client, activity, city, factories
):
    """Some of the joined leave, newcomers join and the organiser adds two places, all at the
    same moment: every free place goes to the head of the waitlist, none to a newcomer."""
    server = serve(kind)
    target = activity(capacity=PLACES)
    organiser = api_client(server, target.organiser)
    first = crowd(server, 30)
    ok(burst(partial(join, learner, target) for learner in first), 303)
    joined = {p.user_id for p in queue(factories, city, target) if p.status == "joined"}
    leavers = [learner for learner in first if learner.user_id in joined][:5]
    newcomers = crowd(server, 15)
    calls = (
        [partial(leave, leaver, target) for leaver in leavers]
        + [partial(join, newcomer, target) for newcomer in newcomers]
        + [
            partial(
                organiser.request,
                "PATCH",
                f"/api/v1/activities/{target.id}",
                b'{"capacity": 12}',
                "application/json",
            )
        ]
    )
    replies = burst(calls)
    ok(replies[:-1], 303)
    ok(replies[-1:], 200)
    people = assert_consistent(factories, city, target)
    joined_now = [p for p in people if p.status == "joined"]
    assert len(joined_now) == 12 and len(people) == 30 - 5 + 15
    # Newcomers came after everyone already waiting, so none of them got a place.
    assert not {p.user_id for p in joined_now} & {n.user_id for n in newcomers}
