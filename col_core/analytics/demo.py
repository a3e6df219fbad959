"""Demo history: six months of figures in the rollup, so that ``col demo`` shows a city at work.

Only the rollup is written (no fake participations or people), from the city's real demo
activities: their categories, map squares and skills.  ``col analytics rebuild`` replaces the
joins, completions and learners with what the database really holds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from sqlalchemy import select

from col_core.activities.models import Activity, ActivitySkill
from col_core.analytics import rollup
from col_core.db.meta import utcnow

DAYS = 182
AGES = [band for _low, _high, band in rollup.AGE_BANDS]


def seed_history(request, tenant) -> list[str]:
    db = request.dbsession
    activities = db.scalars(select(Activity).where(Activity.status == "published")).all()
    if not activities:
        return []
    skills: dict[int, list[str]] = {}
    for activity_id, uri in db.execute(
        select(ActivitySkill.activity_id, ActivitySkill.concept_uri)
    ):
        skills.setdefault(activity_id, []).append(uri)
    rng = random.Random(tenant.slug)
    languages = list(tenant.locales or [tenant.default_locale])
    amounts: Counter = Counter()
    today = utcnow().date()
    for days_ago in range(1, DAYS + 1):
        day = today - dt.timedelta(days=days_ago)
        for activity in activities:
            joins = rng.choice((0, 0, 1, 1, 2, 3, 5))
            if not joins:
                continue
            pairs = rollup.activity_pairs(activity)
            for metric, n in (
                ("joins", joins),
                ("views", joins * rng.randint(3, 6)),
                ("attendance", joins * 4 // 5),
                ("completions", joins // 2),
                ("badges", joins // 3),
            ):
                for dimension, key in pairs:
                    amounts[(day, metric, dimension, key)] += n
            amounts[(day, "learners", "", "")] += (joins + 1) // 3
            for _ in range(joins):
                amounts[(day, "joins", "age", rng.choices(AGES, (2, 6, 4, 2, 1))[0])] += 1
                amounts[(day, "joins", "language", rng.choice(languages))] += 1
            cell = rollup.grid_cell(activity.latitude, activity.longitude)
            for dimension, key in [("cell", cell)] * bool(cell) + [
                ("skill", uri) for uri in skills.get(activity.id, ())
            ]:
                amounts[(day, "joins", dimension, key)] += joins
    items = list(amounts.items())
    for start in range(0, len(items), 500):
        rollup.add(db, tenant.id, dict(items[start : start + 500]))
    return [f"{tenant.display_name()}: six months of demo figures on /analytics and /impact"]
