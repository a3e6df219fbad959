"""Fixtures for the activities tests: a city, an organisation with an organiser, learners."""

from __future__ import annotations

import datetime as dt

import pytest

from col_core.activities.models import Activity, ActivitySession
from col_core.db.meta import utcnow

from .activities_testing import CATEGORIES, HookRecorder, in_days, local


@pytest.fixture
def city(factories):
    return factories.tenant(
        "vilnius", timezone="Europe/Vilnius", settings={"categories": CATEGORIES}
    )


@pytest.fixture
def org(people, city):
    return people.organisation(city)


@pytest.fixture
def organiser(people, city, org):
    return people.member(city, org)


@pytest.fixture
def staff(people, city, organiser):
    """The organiser's API client."""
    return people.client(city, organiser)


@pytest.fixture
def make_activity(factories, city, org):
    """A published activity row with one session (fields overridable)."""

    def make(tenant=None, organisation=None, starts=None, hours=2, **fields):
        tenant, organisation = tenant or city, organisation or org
        starts = starts or in_days(3)
        values = {
            "title": "Open lab",
            "description": "<p>Come and tinker.</p>",
            "status": "published",
            "published_at": utcnow(),
            "type": "event",
            "category": "science",
            "address": "Town hall",
            "latitude": 54.68,
            "longitude": 25.28,
            "contact_email": "lab@example.org",
            "languages": ["en"],
            "accessibility": [],
            "resources": [],
        }
        values.update(fields)
        ends = starts + dt.timedelta(hours=hours)
        values.setdefault("schedule", {"sessions": [{"start": local(starts), "end": local(ends)}]})
        with factories.within(tenant):
            return factories.save(
                Activity(
                    organisation_id=organisation.id,
                    starts_at=starts,
                    ends_at=ends,
                    sessions=[ActivitySession(starts_at=starts, ends_at=ends)],
                    **values,
                )
            )

    return make


@pytest.fixture
def hooks(registry):
    recorder = HookRecorder()
    manager = registry["col.plugins"].manager
    manager.register(recorder, name="test-recorder")
    yield recorder
    manager.unregister(name="test-recorder")
