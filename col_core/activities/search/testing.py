"""Test helpers for discovery: published activities made as the app stores them.

Import the ``activities`` fixture into a ``conftest.py``:
``from col_core.activities.search.testing import activities  # noqa: F401``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from col_core.activities.models import Activity, ActivitySession
from col_core.organisations.models import Organisation

VILNIUS = (54.6872, 25.2797)


def _soon() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)


class Activities:
    """``activities(city, title=..., lat=..., ...)`` makes a published activity with a session."""

    def __init__(self, factories):
        self.factories = factories

    def using(self, factories) -> Activities:
        """The same helper writing through another app's factories."""
        return Activities(factories)

    def organisation(self, tenant) -> Organisation:
        with self.factories.within(tenant):
            return self.factories.save(
                Organisation(name="Youth Centre", slug=f"yc-{self.factories.next()}")
            )

    def __call__(
        self,
        tenant,
        org=None,
        *,
        title="Dance workshop",
        lat=VILNIUS[0],
        lon=VILNIUS[1],
        starts=None,
        status="published",
        **fields,
    ) -> Activity:
        org = org or self.organisation(tenant)
        starts = starts or _soon()
        ends = starts + dt.timedelta(hours=2)
        values = {
            "description": "<p>Learn to <b>dance</b> together.</p>",
            "category": "arts",
            "latitude": lat,
            "longitude": lon,
            "address": "Gedimino pr. 1",
            "languages": ["lt", "en"],
            "starts_at": starts,
            "ends_at": ends,
        }
        values.update(fields)
        with self.factories.within(tenant):
            made = Activity(organisation_id=org.id, title=title, status=status, **values)
            made.sessions = [ActivitySession(starts_at=starts, ends_at=ends)]
            return self.factories.save(made)


@pytest.fixture
def activities(factories):
    return Activities(factories)
