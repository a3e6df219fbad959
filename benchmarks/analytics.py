"""Analytics benchmark: the city dashboard over a million participations, SQLite and PostgreSQL.

    python -m benchmarks analytics [--participations 1000000] [--badges 100000] [--repeat 5]
                                   [--backends sqlite,postgresql]

Seeds one city with 5,000 activities, 50,000 learners and N participation records spread over
the last year (bulk Core inserts), plus badge awards recorded in the daily rollup the way the
``col_badge_awarded`` hook records them.  Then it runs ``col analytics rebuild``'s recompute
(which also fills the learners' months behind "Active learners"), and times, through the whole WSGI app in process: the city dashboard page (HTML with charts),
its JSON, a CSV export, the public impact page and one organisation's dashboard.  The city
dashboard must answer in under a second.  PostgreSQL is used when it answers on
127.0.0.1:5432.  Prints a table and, as its last line, ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.discovery import CATEGORIES, CENTRE, BenchDatabase, postgresql_available

ACTIVITIES = 5000
LEARNERS = 50000
ORGANISATIONS = 200
SKILLS = 40
CHUNK = 20000
LIMIT_S = 1.0
PAGES = (
    ("city dashboard (HTML)", "/analytics"),
    ("city dashboard (JSON)", "/api/v1/analytics/city"),
    ("CSV export (by category)", "/analytics/categories.csv"),
    ("public impact page", "/impact"),
    ("organisation dashboard", "/organisations/org-1/analytics"),
)


def _chunks(rows, size=CHUNK):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(url: str, participations: int, badges: int) -> dict:
    """Bulk-insert the city; returns timings and the ids the measurements need."""
    from sqlalchemy.orm import sessionmaker

    from col_core.activities.models import Activity, ActivitySkill, Participation
    from col_core.analytics import rollup
    from col_core.db import make_engine
    from col_core.db.meta import utcnow
    from col_core.organisations.models import Membership, Organisation
    from col_core.security.models import ApiToken, CityAdmin, User
    from col_core.security.tokens import API_TOKEN_PREFIX, digest
    from col_core.tenancy.models import Tenant
    from col_core.tenancy.scoping import tenant_context

    rng = random.Random(3)
    engine = make_engine(url)
    now = utcnow().replace(tzinfo=None, microsecond=0)
    started = time.perf_counter()
    with sessionmaker(bind=engine)() as session:
        tenant = Tenant(
            slug="bench",
            name="Bench City",
            locales=["en", "lt"],
            default_locale="en",
            timezone="Europe/Vilnius",
            plugins=[],
        )
        session.add(tenant)
        session.commit()
        t = tenant.id
        run = session.execute
        run(
            User.__table__.insert(),
            [
                {
                    "id": n,
                    "email": f"u{n}@bench.test",
                    "display_name": f"Learner {n}",
                    "email_verified_at": now,
                    "preferred_locale": rng.choice(["lt", "en", "ru"]),
                    "birth_date": dt.date(rng.randint(1990, 2014), 1 + n % 12, 1),
                }
                for n in range(1, LEARNERS + 3)
            ],
        )
        admin_id, organiser_id = LEARNERS + 1, LEARNERS + 2
        run(
            Organisation.__table__.insert(),
            [
                {
                    "id": n,
                    "tenant_id": t,
                    "name": f"Organisation {n}",
                    "slug": f"org-{n}",
                    "verified_at": now,
                }
                for n in range(1, ORGANISATIONS + 1)
            ],
        )
        run(CityAdmin.__table__.insert(), [{"tenant_id": t, "user_id": admin_id}])
        run(
            Membership.__table__.insert(),
            [{"tenant_id": t, "user_id": organiser_id, "organisation_id": 1, "role": "owner"}],
        )
        secret = API_TOKEN_PREFIX + "benchmark-token-not-secret"
        run(
            ApiToken.__table__.insert(),
            [
                {
                    "user_id": admin_id,
                    "name": "bench",
                    "scope": "read",
                    "token_hash": digest(secret),
                },
                {
                    "user_id": organiser_id,
                    "name": "bench",
                    "scope": "read",
                    "token_hash": digest(secret + "-organiser"),
                },
            ],
        )
        activities = []
        for n in range(1, ACTIVITIES + 1):
            starts = now - dt.timedelta(days=rng.randint(0, 365))
            activities.append(
                {
                    "id": n,
                    "tenant_id": t,
                    "organisation_id": 1 + n % ORGANISATIONS,
                    "title": f"Activity {n}",
                    "category": rng.choice(CATEGORIES),
                    "status": "published",
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(days=rng.choice([1, 7, 60])),
                    "latitude": CENTRE[0] + rng.gauss(0, 0.03),
                    "longitude": CENTRE[1] + rng.gauss(0, 0.05),
                    "schedule": {},
                    "languages": ["lt"],
                    "accessibility": [],
                    "resources": [],
                }
            )
        run(Activity.__table__.insert(), activities)
        run(
            ActivitySkill.__table__.insert(),
            [
                {
                    "tenant_id": t,
                    "activity_id": n,
                    "label": f"skill {s}",
                    "concept_uri": f"http://data.europa.eu/esco/skill/bench-{s}",
                }
                for n in range(1, ACTIVITIES + 1)
                for s in {rng.randrange(SKILLS) for _ in range(2)}
            ],
        )
        session.commit()
        per_learner = max(1, participations // LEARNERS)

        def participation_rows():
            made = 0
            for user in range(1, LEARNERS + 1):
                for activity in rng.sample(range(1, ACTIVITIES + 1), per_learner):
                    if made == participations:
                        return
                    made += 1
                    created = now - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                    status = rng.choices(["joined", "left", "waitlisted"], [90, 5, 5])[0]
                    completed = (
                        created + dt.timedelta(days=1)
                        if status == "joined" and rng.random() < 0.4
                        else None
                    )
                    yield {
                        "tenant_id": t,
                        "activity_id": activity,
                        "user_id": user,
                        "status": status,
                        "queued_at": created,
                        "created_at": created,
                        "updated_at": created,
                        "completed_at": completed,
                    }

        for batch in _chunks(participation_rows()):
            run(Participation.__table__.insert(), batch)
        session.commit()
        inserted = time.perf_counter() - started
        started = time.perf_counter()
        with tenant_context(session, t):
            rollup.rebuild(session, t)
            # Badge awards as col_badge_awarded counts them: one increment per award, here
            # summed per day first so that 100,000 awards take seconds, not minutes.
            per_day: dict[dt.date, int] = {}
            for _ in range(badges):
                day = (now - dt.timedelta(days=rng.randint(0, 365))).date()
                per_day[day] = per_day.get(day, 0) + 1
            for day, count in per_day.items():
                rollup.increment(session, t, day, "badges", [("", "")], by=count)
            session.commit()
        rebuilt = time.perf_counter() - started
    # Planner statistics (and PostgreSQL's visibility map, for index-only scans), as autovacuum
    # or `col analytics rebuild` leave them after a bulk load; without them PostgreSQL guesses.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(
            "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        )
    with sessionmaker(bind=engine)() as session:
        # The cost an event adds to its own transaction: one join's upserts, and the learner's
        # months looked up and upserted.
        with tenant_context(session, t):
            started = time.perf_counter()
            for n in range(200):
                rollup.increment(
                    session,
                    t,
                    now.date(),
                    "joins",
                    [
                        ("", ""),
                        ("category", "arts"),
                        ("age", "15-19"),
                        ("language", "lt"),
                        ("cell", "5468,2527"),
                        ("skill", "x"),
                    ],
                )
                rollup.count_learner(session, t, 1 + n, now.date())
            per_event = (time.perf_counter() - started) / 200
            session.rollback()
    engine.dispose()
    return {
        "insert_s": round(inserted, 1),
        "rebuild_s": round(rebuilt, 1),
        "join_upserts_ms": round(per_event * 1000, 2),
        "secret": secret,
    }


def measure(url: str, secret: str, repeat: int, workdir: Path) -> dict:
    import webtest

    from col_core.app import make_config

    config = make_config(
        None,
        **{
            "col.environment": "testing",
            "col.secret": "benchmark-secret-" + "x" * 32,
            "col.database_url": url,
            "col.data_dir": str(workdir / "data"),
            "col.base_domain": "bench.test",
            "col.public_url": "http://bench.test",
        },
    )
    config.commit()
    app = webtest.TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "bench.bench.test"})
    timings = {}
    for label, path in PAGES:
        token = secret + ("-organiser" if path.startswith("/organisations") else "")
        headers = {"Authorization": f"Bearer {token}"}
        app.get(path, headers=headers)  # warm-up: imports, templates, caches of the database
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            app.get(path, headers=headers)
            samples.append(time.perf_counter() - started)
        timings[label] = {
            "median_ms": round(statistics.median(samples) * 1000, 1),
            "max_ms": round(max(samples) * 1000, 1),
        }
    config.registry["col.engine"].dispose()
    return timings


def table(results: dict) -> str:
    lines = [f"{'backend':<12} {'page':<28} {'median ms':>10} {'max ms':>10}  under 1 s"]
    for backend, result in results.items():
        for page, timing in result["pages"].items():
            ok = "yes" if timing["max_ms"] < LIMIT_S * 1000 else "NO"
            lines.append(
                f"{backend:<12} {page:<28} {timing['median_ms']:>10} {timing['max_ms']:>10}  {ok}"
            )
        lines.append(
            f"{backend:<12} seeding {result['insert_s']} s, rebuild {result['rebuild_s']} s, "
            f"one join's rollup upserts {result['join_upserts_ms']} ms"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks analytics")
    parser.add_argument("--participations", type=int, default=1_000_000)
    parser.add_argument("--badges", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)

    from col_core import settings as col_settings
    from col_core.plugins import configured_registry

    plugins = configured_registry(col_settings.load())
    backends = [b for b in args.backends.split(",") if b == "sqlite" or postgresql_available()]
    results = {}
    with tempfile.TemporaryDirectory(prefix="col-bench-analytics-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            database = BenchDatabase(backend, args.participations, workdir)
            database.create(plugins)
            try:
                seeded = seed(database.url, args.participations, args.badges)
                pages = measure(database.url, seeded.pop("secret"), args.repeat, workdir)
                results[backend] = {**seeded, "pages": pages}
            finally:
                database.drop()
    print(
        f"{args.participations:,} participations, {args.badges:,} badges, "
        f"{ACTIVITIES:,} activities, {LEARNERS:,} learners"
    )
    print(table(results))
    worst = max(
        (
            t["max_ms"]
            for r in results.values()
            for label, t in r["pages"].items()
            if label.startswith("city dashboard")
        ),
        default=0,
    )
    print(
        "RESULT "
        + json.dumps(
            {
                "benchmark": "analytics",
                "participations": args.participations,
                "badges": args.badges,
                "limit_ms": LIMIT_S * 1000,
                "city_dashboard_worst_ms": worst,
                "passed": worst < LIMIT_S * 1000,
                "backends": results,
            }
        )
    )
    return 0 if worst < LIMIT_S * 1000 else 1


if __name__ == "__main__":
    raise SystemExit(main())
