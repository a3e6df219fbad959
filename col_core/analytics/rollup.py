"""The daily rollup: incremented in the events' own transaction, or recomputed in bulk by SQL.

Incremental and bulk paths share one definition of every breakdown (age band by year of birth,
map grid square by truncated coordinates), so ``col analytics rebuild`` reproduces what the hooks
counted.  Views and badges are only counted as they happen (the core keeps no log of views, and
badges live in a plugin), so a rebuild leaves those rows alone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, and_, case, cast, delete, distinct, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from col_core.activities.models import Activity, ActivitySkill, Attendance, Participation
from col_core.analytics.models import ActiveLearner, DailyMetric
from col_core.security.models import User

REBUILD_JOB = "analytics.rebuild"
#: Metrics the rebuild recomputes from the core's own tables.  "learners" counts a learner on
#: the day of their first place in the city.  Active learners are counted from the
#: ``ActiveLearner`` rows themselves (one per learner and month), never from the rollup.
REBUILT = ("joins", "completions", "attendance", "learners")
#: Joins are broken down by every dimension; completions and attendance by activity_pairs().
GRID = 100  # map grid squares of 1/100 degree (about 1 km): never individual addresses
AGE_BANDS = (
    (0, 14, "under-15"),
    (15, 19, "15-19"),
    (20, 24, "20-24"),
    (25, 29, "25-29"),
    (30, 200, "30-plus"),
)


def age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return ""
    age = year - birth_year
    return next((band for low, high, band in AGE_BANDS if low <= age <= high), "")


def grid_cell(latitude: float | None, longitude: float | None) -> str:
    if latitude is None or longitude is None:
        return ""
    return f"{int(latitude * GRID)},{int(longitude * GRID)}"


def cell_centre(key: str) -> tuple[float, float]:
    lat, lon = (int(part) for part in key.split(","))
    # Truncation moves toward zero, so the square lies away from zero from its key.
    return ((lat + (0.5 if lat >= 0 else -0.5)) / GRID, (lon + (0.5 if lon >= 0 else -0.5)) / GRID)


def activity_pairs(activity) -> list[tuple[str, str]]:
    """Every event about an activity counts for the city, its category, the activity itself and
    its organisation (whose dashboard then reads a few rollup rows, not participations)."""
    return [
        ("", ""),
        ("category", activity.category or ""),
        ("activity", str(activity.id)),
        ("organisation", str(activity.organisation_id)),
    ]


def join_breakdown(activity, user, day: dt.date) -> list[tuple[str, str]]:
    """The (dimension, key) pairs one join is counted under."""
    birth_year = None
    if user.birth_date:
        birth_year = user.birth_date.year
    pairs = [
        *activity_pairs(activity),
        ("age", age_band(birth_year, day.year)),
        ("language", user.preferred_locale or ""),
        ("cell", grid_cell(activity.latitude, activity.longitude)),
    ]
    pairs.extend(("skill", skill.concept_uri) for skill in activity.skills)
    # An empty key is not counted, except for the whole city ("") and "no category".
    always_counted = ("", "category")
    return [(dimension, key) for dimension, key in pairs if dimension in always_counted or key]


ALL_DAYS = (1 << 31) - 1  # every day of a month in ActiveLearner.days


def day_bit(day: dt.date) -> int:
    """The bit of ``day`` in :attr:`ActiveLearner.days`."""
    return 1 << (day.day - 1)


def count_learner(session, tenant_id: int, user_id: int, day: dt.date) -> None:
    """Count a learner who just took a place: new in the city, active this month and day.

    One lookup of the learner's months (through the unique index) and one upsert."""
    month = day.replace(day=1)
    known = session.scalar(
        select(ActiveLearner.month)
        .where(ActiveLearner.tenant_id == tenant_id, ActiveLearner.user_id == user_id)
        .limit(1)
    )
    if known is None:
        increment(session, tenant_id, day, "learners", [("", "")])
    insert = _insert_for(session)
    statement = insert(ActiveLearner).values(
        tenant_id=tenant_id, month=month, user_id=user_id, days=day_bit(day)
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "user_id", "month"],
            set_={"days": ActiveLearner.days.op("|")(statement.excluded.days)},
        )
    )


def _insert_for(session):
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def increment(
    session, tenant_id: int, day: dt.date, metric: str, pairs: list[tuple[str, str]], by: int = 1
) -> None:
    """Add ``by`` to each (dimension, key) of ``metric`` on ``day``, creating rows as needed."""
    add(
        session,
        tenant_id,
        {(day, metric, dimension, key): by for dimension, key in dict.fromkeys(pairs)},
    )


def add(session, tenant_id: int, amounts: dict[tuple, int]) -> None:
    """Add each ``{(day, metric, dimension, key): n}`` to the rollup in one statement."""
    insert = _insert_for(session)
    rows = [
        {
            "tenant_id": tenant_id,
            "day": day,
            "metric": metric,
            "dimension": dimension,
            "key": key,
            "value": n,
        }
        for (day, metric, dimension, key), n in amounts.items()
    ]
    statement = insert(DailyMetric).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["tenant_id", "metric", "dimension", "key", "day"],
        set_={"value": DailyMetric.value + statement.excluded.value},
    )
    session.execute(statement)


# -- bulk recompute -------------------------------------------------------------------------------


def _day(column, dialect: str):
    return cast(column, DailyMetric.day.type) if dialect == "postgresql" else func.date(column)


def _year(column, dialect: str):
    if dialect == "postgresql":
        return cast(func.extract("year", column), Integer)
    return cast(func.strftime("%Y", column), Integer)


def _truncated(column, dialect: str):
    scaled = column * GRID
    return cast(func.trunc(scaled) if dialect == "postgresql" else scaled, Integer)


def _age_band_sql(birth, when, dialect: str):
    age = _year(when, dialect) - _year(birth, dialect)
    return case(*[(and_(age >= low, age <= high), band) for low, high, band in AGE_BANDS], else_="")


def _activity_keys() -> dict:
    return {
        "": literal(""),
        "category": Activity.category,
        "activity": cast(Activity.id, String),
        "organisation": cast(Activity.organisation_id, String),
    }


def _join_keys(dialect: str) -> dict:
    when = Participation.created_at
    cell = (
        cast(_truncated(Activity.latitude, dialect), String)
        + ","
        + cast(_truncated(Activity.longitude, dialect), String)
    )
    return {
        **_activity_keys(),
        "age": case(
            (User.birth_date.is_(None), ""), else_=_age_band_sql(User.birth_date, when, dialect)
        ),
        "language": func.coalesce(User.preferred_locale, ""),
        "cell": case((Activity.latitude.is_(None) | Activity.longitude.is_(None), ""), else_=cell),
        "skill": ActivitySkill.concept_uri,
    }


def _sources(dialect: str):
    """(metric, dimension, key expression, day expression, FROM statement) of every rebuilt row."""
    joined = (
        select()
        .select_from(Participation)
        .join(Activity, Activity.id == Participation.activity_id)
        .join(User, User.id == Participation.user_id)
        .where(Participation.status != "waitlisted")
    )
    for dimension, key in _join_keys(dialect).items():
        source = joined
        if dimension == "skill":
            source = source.join(ActivitySkill, ActivitySkill.activity_id == Activity.id)
        yield "joins", dimension, key, Participation.created_at, source
    completed = (
        select()
        .select_from(Participation)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(Participation.completed_at.is_not(None))
    )
    attended = (
        select()
        .select_from(Attendance)
        .join(Participation, Participation.id == Attendance.participation_id)
        .join(Activity, Activity.id == Participation.activity_id)
    )
    for dimension, key in _activity_keys().items():
        yield "completions", dimension, key, Participation.completed_at, completed
        yield "attendance", dimension, key, Attendance.marked_at, attended


def _month_start(column, dialect: str):
    if dialect == "postgresql":
        return cast(func.date_trunc("month", column), DailyMetric.day.type)
    return func.date(column, "start of month")


def _day_of_month(column, dialect: str):
    if dialect == "postgresql":
        return cast(func.extract("day", column), Integer)
    return cast(func.strftime("%d", column), Integer)


def _active_learners(tenant_id: int, dialect: str):
    """(tenant, month, user, days) of every learner's places.  Summing the distinct bits of
    the days ORs them: SQLite has no bitwise OR aggregate."""
    month = _month_start(Participation.created_at, dialect)
    bit = literal(1).op("<<")(_day_of_month(Participation.created_at, dialect) - 1)
    return (
        select(literal(tenant_id), month, Participation.user_id, func.sum(distinct(bit)))
        .where(Participation.tenant_id == tenant_id, Participation.status != "waitlisted")
        .group_by(Participation.user_id, month)
    )


def _learner_queries(tenant_id: int, dialect: str):
    placed = (Participation.tenant_id == tenant_id, Participation.status != "waitlisted")
    first = (
        select(func.min(Participation.created_at).label("first"))
        .where(*placed)
        .group_by(Participation.user_id)
        .subquery()
    )
    day = _day(first.c.first, dialect)
    yield (
        select(literal(tenant_id), day, literal("learners"), literal(""), literal(""), func.count())
        .select_from(first)
        .group_by(day)
    )


def rebuild(session, tenant_id: int, progress=None) -> int:
    """Recompute the core's metrics and the learners' months of one city by SQL (INSERT ...
    SELECT ... GROUP BY).

    ``progress(n)`` is called after each of the steps; returns the number of steps.  Runs in the
    caller's transaction and tenant context, so readers see the old figures until it commits.
    """
    dialect = session.get_bind().dialect.name
    session.execute(
        delete(DailyMetric).where(
            DailyMetric.tenant_id == tenant_id, DailyMetric.metric.in_(REBUILT)
        )
    )
    session.execute(delete(ActiveLearner).where(ActiveLearner.tenant_id == tenant_id))
    session.execute(
        ActiveLearner.__table__.insert().from_select(
            ["tenant_id", "month", "user_id", "days"], _active_learners(tenant_id, dialect)
        )
    )
    steps = 1
    if progress:
        progress(1)
    for metric, dimension, key, when, source in _sources(dialect):
        day = _day(when, dialect)
        query = (
            source.add_columns(
                literal(tenant_id), day, literal(metric), literal(dimension), key, func.count()
            )
            .where(Activity.tenant_id == tenant_id)
            .group_by(day, key)
        )
        if dimension not in ("", "category"):
            query = query.having(key != "")
        _insert(session, query)
        steps += 1
        if progress:
            progress(1)
    for query in _learner_queries(tenant_id, dialect):
        _insert(session, query)
        steps += 1
        if progress:
            progress(1)
    return steps


def _insert(session, query) -> None:
    session.execute(
        DailyMetric.__table__.insert().from_select(
            ["tenant_id", "day", "metric", "dimension", "key", "value"], query
        )
    )


def rebuild_job(request, job) -> None:
    """The ``analytics.rebuild`` job: ``rebuild`` the job's city in the job's transaction."""
    rebuild(request.dbsession, job.tenant_id)


def rebuild_steps() -> int:
    return 1 + len(list(_sources("sqlite"))) + len(list(_learner_queries(0, "sqlite")))
