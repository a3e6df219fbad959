"""A network of cities for the load benchmark, bulk-loaded (helper module of ``benchmarks.load``).

Every city has the same shape: a few verified organisations, each an Open Badges issuer with
one badge; published, public activities around one centre (one session each, some with few
places); learners whose home it is, who accepted its terms, and most of whom joined one of its
activities; and a badge awarded to one learner in ten.  Rows are written with PostgreSQL's
``COPY`` (psycopg) or, on SQLite, one executemany per table of core inserts, every column's
Python default filled in first; the search index is then built with the app's own code
(``activity_documents`` and the database search backend), city by city.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import uuid
from dataclasses import dataclass, field

from sqlalchemy import JSON, Table, text

from benchmarks.discovery import CATEGORIES, CENTRE, vocabulary

PASSWORD = "bench-Load-Password-47"
ORGANISATIONS_PER_CITY = 4


@dataclass
class Network:
    """What was seeded: ids the benchmark's requests are made of."""

    cities: list[tuple[int, str]] = field(default_factory=list)  # (tenant id, slug)
    activities: dict[int, list[int]] = field(default_factory=dict)  # tenant id -> activity ids
    learners: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # -> (id, email)
    assertions: dict[int, list[str]] = field(default_factory=dict)  # tenant id -> uids
    race_activity: int = 0  # the activity whose last places are raced for (first city)
    race_capacity: int = 0
    race_places: int = 0  # places left in it when the race starts
    race_learners: list[int] = field(default_factory=list)  # learners of the first city
    counts: dict[str, int] = field(default_factory=dict)


def complete(table: Table, rows: list[dict]) -> list[dict]:
    """``rows`` with every column's Python default filled in (COPY applies none)."""
    makers = {}
    for column in table.columns:
        default = column.default
        if default is None or not (default.is_scalar or default.is_callable):
            continue
        makers[column.name] = (
            (lambda value=default.arg: value)  # type: ignore[attr-defined]
            if default.is_scalar
            else (lambda make=default.arg: make(None))  # type: ignore[attr-defined]
        )
    for row in rows:
        for name, make in makers.items():
            if name not in row:
                row[name] = make()
    return rows


def bulk(connection, table: Table, rows: list[dict]) -> int:
    """Write ``rows`` into ``table``: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return 0
    complete(table, rows)
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return len(rows)
    names = list(rows[0])
    as_json = {column.name for column in table.columns if isinstance(column.type, JSON)}
    raw = connection.connection.dbapi_connection
    columns = ", ".join(f'"{name}"' for name in names)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[name]) if name in as_json else row[name] for name in names]
            )
    if "id" in names:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'(SELECT max(id) FROM "{table.name}"))'
            )
        )
    return len(rows)


def seed_network(
    owner_url: str,
    cities: int,
    activities: int,
    learners: int,
    race_places: int,
    race_learners: int,
    seed: int = 29,
) -> Network:
    """Create ``cities`` cities sharing ``activities`` and ``learners`` between them, and, in the
    first city, an activity with ``race_places`` places left and ``race_learners`` learners
    who have not joined it."""
    from sqlalchemy.orm import Session

    from col_core.db import make_engine
    from col_core.tenancy.models import Tenant

    engine = make_engine(owner_url)
    network = Network()
    with Session(engine) as session:
        made = [
            Tenant(
                slug=f"city{number}",
                name=f"City {number}",
                locales=["en", "lt"],
                default_locale="en",
                timezone="Europe/Vilnius",
                map={"center": list(CENTRE), "zoom": 12},
            )
            for number in range(1, cities + 1)
        ]
        session.add_all(made)
        session.commit()
        network.cities = [(tenant.id, tenant.slug) for tenant in made]
    with engine.begin() as connection:
        _write_rows(connection, network, activities, learners, race_places, race_learners, seed)
    _index(engine, network)
    engine.dispose()
    return network


def _write_rows(connection, network, activities, learners, race_places, race_learners, seed):
    from col_core.activities.models import Activity, ActivitySession, Participation
    from col_core.organisations.models import Organisation
    from col_core.security.models import Consent, User
    from col_core.security.passwords import hash_password
    from col_core.tenancy.launch import LEGAL_PAGES
    from plugins.badges.models import Assertion, BadgeClass, Issuer

    network.race_places = race_places
    rng = random.Random(seed)
    words = vocabulary(random.Random(7))
    weights = [1 / (rank + 1) for rank in range(len(words))]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    city_ids = [tenant_id for tenant_id, _ in network.cities]
    organisations, issuers, badge_classes = [], [], []
    for tenant_id in city_ids:
        for _ in range(ORGANISATIONS_PER_CITY):
            number = len(organisations) + 1
            organisations.append(
                {
                    "id": number,
                    "tenant_id": tenant_id,
                    "name": f"Organisation {number}",
                    "slug": f"org{number}",
                    "verified_at": now,
                    "verification_method": "manual",
                }
            )
            issuers.append({"id": number, "tenant_id": tenant_id, "organisation_id": number})
            badge_classes.append(
                {
                    "id": number,
                    "tenant_id": tenant_id,
                    "issuer_id": number,
                    "name": f"Badge of organisation {number}",
                    "description": "Took part and learnt.",
                    "criteria": "Complete an activity of the organisation.",
                }
            )
    by_city = {
        tenant_id: [o["id"] for o in organisations if o["tenant_id"] == tenant_id]
        for tenant_id in city_ids
    }
    activity_rows, session_rows, capacities = [], [], {}
    for number in range(1, activities + 1):
        tenant_id = city_ids[(number - 1) % len(city_ids)]
        starts = now + dt.timedelta(hours=rng.randint(24, 24 * 180))
        ends = starts + dt.timedelta(hours=2)
        capacity = rng.choice([None, None, 10, 30, 100])
        if number == 1:  # the raced activity: places enough for those who joined and a few
            capacity = 20 + race_places
        local = starts.astimezone(dt.timezone(dt.timedelta(hours=2)))
        activity_rows.append(
            {
                "id": number,
                "tenant_id": tenant_id,
                "organisation_id": rng.choice(by_city[tenant_id]),
                "type": "workshop",
                "title": " ".join(rng.choices(words, weights, k=rng.randint(3, 6))).capitalize(),
                "description": "<p>"
                + " ".join(rng.choices(words, weights, k=rng.randint(20, 40)))
                + "</p>",
                "category": rng.choice(CATEGORIES),
                "status": "published",
                "visibility": "public",
                "schedule_kind": "single",
                "schedule": {
                    "sessions": [
                        {
                            "start": local.strftime("%Y-%m-%dT%H:%M"),
                            "end": (local + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                        }
                    ]
                },
                "address": "Town hall",
                "latitude": CENTRE[0] + rng.gauss(0, 0.05),
                "longitude": CENTRE[1] + rng.gauss(0, 0.08),
                "languages": ["en"],
                "capacity": capacity,
                "contact_email": "hello@bench.test",
                "starts_at": starts,
                "ends_at": ends,
                "published_at": now,
            }
        )
        session_rows.append(
            {"tenant_id": tenant_id, "activity_id": number, "starts_at": starts, "ends_at": ends}
        )
        capacities[number] = capacity
        network.activities.setdefault(tenant_id, []).append(number)
    password_hash = hash_password(PASSWORD)
    user_rows, consent_rows, joins, assertion_rows = [], [], [], []
    joined: dict[int, int] = {}
    status_index: dict[int, int] = {}
    for number in range(1, learners + 1):
        tenant_id = city_ids[(number - 1) % len(city_ids)]
        email = f"learner{number}@bench.test"
        user_rows.append(
            {
                "id": number,
                "email": email,
                "email_verified_at": now,
                "password_hash": password_hash,
                "display_name": f"Learner {number}",
                "home_tenant_id": tenant_id,
            }
        )
        network.learners.setdefault(tenant_id, []).append((number, email))
        consent_rows += [
            {"tenant_id": tenant_id, "user_id": number, "document": page, "version": ""}
            for page in LEGAL_PAGES
        ]
        activity = _joins(network, tenant_id, number, rng, joined, capacities, race_learners)
        if activity is not None:
            joined[activity] = joined.get(activity, 0) + 1
            joins.append(
                {
                    "tenant_id": tenant_id,
                    "activity_id": activity,
                    "user_id": number,
                    "status": "joined",
                    "queued_at": now,
                }
            )
        if rng.random() < 0.1:
            badge = rng.choice(by_city[tenant_id])
            salt = uuid.uuid4().hex
            status_index[badge] = status_index.get(badge, -1) + 1
            uid = uuid.uuid4().hex
            assertion_rows.append(
                {
                    "uid": uid,
                    "tenant_id": tenant_id,
                    "badge_class_id": badge,
                    "issuer_id": badge,
                    "recipient_email": email,
                    "recipient_hash": "sha256$"
                    + hashlib.sha256((email + salt).encode()).hexdigest(),
                    "salt": salt,
                    "user_id": number,
                    "issued_on": now,
                    "status_index": status_index[badge],
                }
            )
            network.assertions.setdefault(tenant_id, []).append(uid)
    network.race_activity = 1
    network.race_capacity = capacities[1]
    tables = [
        (Organisation, organisations),
        (Issuer, issuers),
        (BadgeClass, badge_classes),
        (Activity, activity_rows),
        (ActivitySession, session_rows),
        (User, user_rows),
        (Consent, consent_rows),
        (Participation, joins),
        (Assertion, assertion_rows),
    ]
    for model, rows in tables:
        network.counts[model.__tablename__] = bulk(connection, model.__table__, rows)


def _joins(network, tenant_id, user_id, rng, joined, capacities, race_learners) -> int | None:
    """The activity the learner joined, if any: the first city's first learners are the race's
    crowd and join nothing; the next fill the raced activity (1) up to its last places."""
    race_city = network.cities[0][0]
    if tenant_id == race_city and len(network.race_learners) < race_learners:
        network.race_learners.append(user_id)
        return None
    if tenant_id == race_city and joined.get(1, 0) < capacities[1] - network.race_places:
        return 1
    activity = rng.choice(network.activities[tenant_id])
    if (
        activity == 1
        or rng.random() < 0.1
        or joined.get(activity, 0) >= (capacities[activity] or 10**9)
    ):
        return None
    return activity


def _index(engine, network: Network) -> None:
    """Each city's search documents, built by the app's own code."""
    from sqlalchemy.orm import Session

    from col_core.activities.search.documents import ACTIVITIES, activity_documents
    from col_core.activities.search.services.database import DatabaseSearch
    from col_core.tenancy.scoping import tenant_context

    for tenant_id, _ in network.cities:
        with Session(engine) as session, tenant_context(session, tenant_id):
            found, _ = activity_documents(session.connection(), ACTIVITIES.c.tenant_id == tenant_id)
            documents = found.get(tenant_id, ([], []))[0]
            DatabaseSearch(session, tenant_id, ("en", "lt")).reindex(documents)
            session.commit()
