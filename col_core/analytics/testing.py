"""Test helpers for analytics: a seeded city whose figures are small enough to count by hand.

Organisation A runs "Robots" (science, started an hour ago, skill "teamwork") and "Drawing"
(arts); organisation B runs "Stars" (science, same map square as Robots).  Learners 1-5 were born
in 2010 (15-19), 6 and 7 in 2004 (20-24); 1-4 use Lithuanian, 5-7 English.
Joins: Robots 1-6, Drawing 1-2, Stars 7.  Completed: Robots 1-3.  Attended: Robots 1-4.
Two badges awarded.  Use from a ``conftest.py``: ``from col_core.analytics.testing import ...``.
"""

from __future__ import annotations

import datetime as dt
import functools
from types import SimpleNamespace

from col_core import scripting
from col_core.activities.models import Activity, ActivitySession, ActivitySkill, Participation
from col_core.db.meta import utcnow

SKILL = "http://data.europa.eu/esco/skill/teamwork"


def placed_activity(
    factories, tenant, organisation, title, category, lat, lon, skills=(), **fields
):
    """Analytics' kind of activity: published, in a place, one session of two days (started an
    hour ago unless ``starts`` says when), with ``skills`` as ``(uri, label)``."""
    starts = fields.pop("starts", utcnow() - dt.timedelta(hours=1))
    ends = starts + dt.timedelta(days=2)
    with factories.within(tenant):
        return factories.save(
            Activity(
                organisation_id=organisation.id,
                title=title,
                category=category,
                status="published",
                published_at=utcnow(),
                latitude=lat,
                longitude=lon,
                starts_at=starts,
                ends_at=ends,
                schedule={},
                languages=["en"],
                accessibility=[],
                resources=[],
                sessions=[ActivitySession(starts_at=starts, ends_at=ends)],
                skills=[ActivitySkill(concept_uri=uri, label=label) for uri, label in skills],
                **fields,
            )
        )


def scripted_request(registry):
    """``with scripted_request(registry)(tenant) as request:`` a request that commits, like a
    command does (the ``tenant_request`` fixture)."""
    return functools.partial(scripting.scripted_request, registry)


def seed_city(people, factories, as_request, slug="vilnius", min_group_size=None):
    settings = {} if min_group_size is None else {"analytics.min_group_size": min_group_size}
    settings["categories"] = [
        {"slug": "science", "names": {"en": "Science", "lt": "Mokslas"}},
        {"slug": "arts", "names": {"en": "Arts", "lt": "Menai"}},
    ]
    # Only the core: plugins' own reactions (badges, playlists) would blur the hand counts.
    city = factories.tenant(slug, settings=settings, plugins=[])
    org_a, org_b = people.organisation(city, "Makers"), people.organisation(city, "Astronomers")
    seeded = SimpleNamespace(
        city=city,
        org_a=org_a,
        org_b=org_b,
        organiser_a=people.organiser(city, org_a),
        organiser_b=people.organiser(city, org_b),
        admin=people.city_admin(city),
    )
    seeded.robots = placed_activity(
        factories, city, org_a, "Robots", "science", 54.687, 25.279, skills=[(SKILL, "teamwork")]
    )
    seeded.drawing = placed_activity(factories, city, org_a, "Drawing", "arts", 54.70, 25.30)
    seeded.stars = placed_activity(factories, city, org_b, "Stars", "science", 54.6875, 25.2795)
    seeded.learners = [
        people.user(
            "learner",
            birth_date=dt.date(2010 if n <= 5 else 2004, 3, 1),
            preferred_locale="lt" if n <= 4 else "en",
        )
        for n in range(1, 8)
    ]
    joins = [(seeded.robots, n) for n in range(1, 7)] + [
        (seeded.drawing, 1),
        (seeded.drawing, 2),
        (seeded.stars, 7),
    ]
    for activity, n in joins:
        people.client(city, seeded.learners[n - 1]).post(
            f"/activities/{activity.id}/join", status=303
        )
    staff = people.client(city, seeded.organiser_a)
    with factories.within(city):
        ids = {
            p.user_id: p.id
            for p in factories.session.query(Participation).filter_by(activity_id=seeded.robots.id)
        }
        session_id = seeded.robots.sessions[0].id
    chosen = [("participation", ids[seeded.learners[n].id]) for n in range(3)]
    staff.post(
        f"/activities/{seeded.robots.id}/participants",
        chosen + [("action", "complete")],
        status=303,
    )
    staff.post(
        f"/activities/{seeded.robots.id}/participants",
        chosen
        + [
            ("participation", ids[seeded.learners[3].id]),
            ("session", str(session_id)),
            ("action", "attend"),
        ],
        status=303,
    )
    # Two badges issued, as the badges plugin announces them (tested without the plugin).
    with as_request(city) as request:
        for _ in range(2):
            request.hooks.col_badge_awarded(
                request=request,
                assertion=SimpleNamespace(tenant_id=city.id, activity=seeded.robots),
            )
    return seeded


def set_city_total(factories, city, metric: str, value: int) -> None:
    """Make every city-wide rollup row of ``metric`` hold ``value`` (big figures, formatting)."""
    from sqlalchemy import update

    from col_core.analytics.models import DailyMetric

    with factories.within(city):
        factories.session.execute(
            update(DailyMetric)
            .where(DailyMetric.metric == metric, DailyMetric.dimension == "")
            .values(value=value)
        )
        factories.session.commit()


def table(payload, key):
    """One table of a dashboard's JSON, by key."""
    return next(t for t in payload["tables"] if t["key"] == key)
