"""Fixtures for the map tests: published activities, made as the app stores them."""

from __future__ import annotations

import datetime as dt

import pytest

from col_core.activities.models import Activity, ActivitySession
from col_core.security.models import Organisation

VILNIUS = (54.6872, 25.2797)
SOON = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(days=2)


def organisation(factories, tenant) -> Organisation:
    with factories.within(tenant):
        return factories.save(Organisation(name="Youth Centre", slug=f"yc-{factories.next()}"))


def activity(factories, tenant, org=None, *, title="Dance workshop", lat=VILNIUS[0],
             lon=VILNIUS[1], starts=SOON, status="published", **fields) -> Activity:
    org = org or organisation(factories, tenant)
    ends = starts + dt.timedelta(hours=2) if starts else None
    values = {"description": "<p>Learn to <b>dance</b> together.</p>", "category": "arts",
              "latitude": lat, "longitude": lon, "address": "Gedimino pr. 1",
              "languages": ["lt", "en"], "starts_at": starts, "ends_at": ends}
    values.update(fields)
    with factories.within(tenant):
        made = Activity(organisation_id=org.id, title=title, status=status, **values)
        if starts:
            made.sessions = [ActivitySession(starts_at=starts, ends_at=ends)]
        return factories.save(made)


class Activities:
    def __init__(self, factories):
        self.factories = factories

    def organisation(self, tenant):
        return organisation(self.factories, tenant)

    def __call__(self, tenant, org=None, **fields) -> Activity:
        return activity(self.factories, tenant, org, **fields)


@pytest.fixture
def activities(factories):
    """``activities(city, title=..., lat=..., ...)`` makes a published activity."""
    return Activities(factories)
