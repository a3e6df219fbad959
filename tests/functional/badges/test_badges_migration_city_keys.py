"""The migration that keys the badge tables by ``(tenant_id, id)`` keeps every row, up and back
down, numbers new rows after the old, and lets the database refuse a badge row pointing at
another city's row.

A database at the badges lineage's previous head holds rows of two cities in each of the ten
tables, each referring to its own city's rows; the rows of every table are counted before and
after.  On SQLite the tables others refer to are copied with foreign keys off, so no
``ON DELETE CASCADE`` may take a child row with them.  Wallet offers get a foreign key to their
badge: those whose badge is gone go.
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from col_core.db import metadata, migrate
from tests.functional.core.migration_rows import counts, empty_database, fill, is_city_keyed

BADGES_BEFORE = "8195d9a2f02e"
PARENTS = ("tenants", "users", "organisations")
# In the order a row may refer to the ones before it.
CONVERTED = (
    "badge_issuers",
    "badge_issuer_keys",
    "badge_classes",
    "badge_prerequisites",
    "badge_held_awards",
    "badge_assertions",
    "badge_claim_codes",
    "badge_evidence",
    "badge_evidence_reviews",
    "badge_endorsements",
)

OFFERS = "badge_wallet_offers"
GONE_BADGE_OFFER = (
    f"INSERT INTO {OFFERS} (tenant_id, code_hash, assertion_id, created_at, expires_at)"
    " VALUES (1, 'gone', 99, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
COUNTED = (*PARENTS, *CONVERTED, OFFERS)


@pytest.fixture
def engine(col_database, tmp_path):
    with empty_database(col_database, tmp_path) as engine:
        yield engine


def _fill_cities(connection, numbers, tables=None) -> list[tuple]:
    """A row of every table in each city of ``numbers``, referring to that city's rows (the
    rows named by the same number); their primary keys."""
    keys = []
    for number in numbers:
        for name in (*PARENTS, *CONVERTED, OFFERS):
            table = tables[name] if tables is not None and name in tables else None
            keys.append(fill(connection, name, number, table))
    return keys


def test_keying_badges_by_city_keeps_every_row_up_and_down(registry, engine):
    plugins = registry["col.plugins"]
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection, plugins), BADGES_BEFORE)
        _fill_cities(connection, (1, 2))
        before = counts(connection, COUNTED)
        assert set(before.values()) == {2}
        connection.execute(text(GONE_BADGE_OFFER))
    with engine.begin() as connection:
        migrate.upgrade(connection, plugins)
        assert counts(connection, COUNTED) == before
        assert all(is_city_keyed(connection, name) for name in CONVERTED)
        assert migrate.differences(connection, plugins) == []
        # New rows are numbered after the old (SQLite: the rowid, PostgreSQL: the sequence).
        keys = _fill_cities(connection, (3,), {name: metadata.tables[name] for name in CONVERTED})
        assert keys[len(PARENTS) : -1] == [(3, 3)] * len(CONVERTED)
        before = counts(connection, COUNTED)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        # City 1's key on city 2's issuer.
        connection.execute(
            insert(metadata.tables["badge_issuer_keys"]),
            {"tenant_id": 1, "issuer_id": 2, "kind": "rsa", "public_pem": "", "private_pem": ""},
        )
    with engine.begin() as connection:
        migrate.downgrade(connection, BADGES_BEFORE, plugins)
        assert counts(connection, COUNTED) == before
        assert not any(is_city_keyed(connection, name) for name in CONVERTED)
