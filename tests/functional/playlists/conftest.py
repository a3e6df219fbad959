"""Fixtures for the playlists tests: a city with two organisations, activities, learners."""

from __future__ import annotations

import datetime as dt

import pytest

from col_core.activities.models import Activity
from col_core.db.meta import utcnow
from col_core.testing.people import People


class World(People):
    """The shared test people, with playlists' kind of activity: published, a month ahead."""

    def activity(self, city, organisation, title="Open lab", days=30, **fields) -> Activity:
        start = utcnow() + dt.timedelta(days=days)
        values = {
            "description": "<p>Come and tinker.</p>",
            "schedule_kind": "single",
            "address": "Town hall",
            "latitude": 54.68,
            "longitude": 25.28,
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
        }
        values.update(fields)
        return super().activity(city, organisation, title, **values)


@pytest.fixture
def world(factories, testapp):
    return World(factories, testapp)


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius", timezone="Europe/Vilnius")


@pytest.fixture
def org(world, city):
    return world.organisation(city)


@pytest.fixture
def organiser(world, city, org):
    return world.organiser(city, org)


@pytest.fixture
def staff(world, city, organiser):
    return world.client(city, organiser)


@pytest.fixture
def activities(world, city, org):
    """Five published activities of the organisation: Intro, Workshop, Talk, Visit, Film."""
    return [
        world.activity(city, org, title) for title in ("Intro", "Workshop", "Talk", "Visit", "Film")
    ]


@pytest.fixture
def learner(world):
    return world.user()


@pytest.fixture
def make_playlist(staff, org):
    """A playlist built through the API: ``make_playlist(activities, kinds, publish=True, **body)``
    where kinds are True (mandatory), False (optional) or a group name."""

    def make(activities, kinds=None, publish=True, **body):
        values = {"title": "Science pathway", "description": "<p>Learn by doing.</p>", **body}
        playlist = staff.post_json(
            f"/api/v1/organisations/{org.slug}/playlists", values, status=201
        ).json["playlist"]
        kinds = kinds if kinds is not None else [True] * len(activities)
        rows = [
            {"activity_id": a.id, "mandatory": k is True, "group": k if isinstance(k, str) else ""}
            for a, k in zip(activities, kinds, strict=False)
        ]
        staff.put_json(f"/api/v1/playlists/{playlist['id']}/items", {"items": rows})
        if publish:
            staff.post(f"/api/v1/playlists/{playlist['id']}/publish", status=200)
        return playlist["id"]

    return make


@pytest.fixture
def complete(world, city, staff):
    """``complete(activity, learner)``: the learner joins and the organiser marks the activity
    completed through the activities API, so the real col_activity_completed hook runs."""

    def mark(activity, user, organiser_app=None):
        participation = world.joined(city, activity, user)
        (organiser_app or staff).post_json(
            f"/api/v1/activities/{activity.id}/completion",
            {"participation_ids": [participation.id]},
            status=200,
        )

    return mark


@pytest.fixture
def in_city(tenant_request):
    """``with in_city(city) as request:`` a request of the city whose transaction commits."""
    return tenant_request
