"""Demo seeding: believable activities around each city's centre, idempotent."""

import math

import pytest
from sqlalchemy import func, select

from col_core.activities.demo import seed_activities
from col_core.activities.models import Activity, Participation
from col_core.security.demo import seed_people

CATEGORIES = [
    {"slug": s, "names": {"en": s.title()}}
    for s in ("arts", "digital", "nature", "sport", "community", "work")
]


@pytest.fixture
def gent(factories):
    return factories.tenant(
        "gent",
        timezone="Europe/Brussels",
        locales=["nl", "en", "fr"],
        default_locale="nl",
        map={"center": [51.0543, 3.7174], "zoom": 13},
        settings={"categories": CATEGORIES},
    )


def test_demo_city_gets_varied_activities_near_its_centre_once(tenant_request, gent, factories):
    with tenant_request(gent) as request:
        seed_people(request, gent)
        lines = seed_activities(request, gent)
    assert lines and "gent" in lines[0]
    with factories.within(gent):
        activities = factories.session.scalars(select(Activity)).all()
        waitlisted = factories.session.scalar(
            select(func.count(Participation.id)).where(Participation.status == "waitlisted")
        )
        # Sessions load lazily; PostgreSQL's row-level security shows them only in the city.
        assert any(a.schedule_kind == "recurring" and len(a.sessions) > 1 for a in activities)
    assert 30 <= len(activities) <= 60
    assert all(a.status == "published" for a in activities)
    assert len({a.type for a in activities}) == 8
    assert {a.category for a in activities} <= {c["slug"] for c in CATEGORIES}
    assert any(a.online for a in activities)
    placed = [a for a in activities if a.latitude is not None]
    assert placed and all(
        math.dist((a.latitude, a.longitude), (51.0543, 3.7174)) < 0.1 for a in placed
    )
    assert waitlisted > 0
    assert len({a.organisation_id for a in activities}) > 1
    with tenant_request(gent) as request:
        assert seed_activities(request, gent) is None  # a second run adds nothing
