"""The migrations that key city rows by ``(tenant_id, id)`` (col_core/db/city_keys.py) keep
every row, up and back down, and new rows are still numbered afterwards.

A database migrated up to the revisions before them holds rows of two cities in every table
they convert; the rows of every table are counted before and after.  On SQLite the key stays
the rowid and only an index is added, so no table that others refer to is copied (dropping a
copy with foreign keys on would delete the rows that refer to it, ON DELETE CASCADE).
"""

from __future__ import annotations

import pytest
from alembic import command

from col_core.db import metadata, migrate

from .migration_rows import counts, empty_database, fill, is_city_keyed

CORE_BEFORE = "e3a9c7d41b58"
ESCO_BEFORE = "74909fd2b43a"
CONVERTED = (
    "analytics_active_learners",
    "analytics_daily",
    "city_admins",
    "consents",
    "jobs",
    "notifications",
    "search_documents",
    "search_versions",
    "stored_files",
    "esco_learner_skills",
    "esco_skill_tags",
)
COUNTED = ("tenants", "users", *CONVERTED)


@pytest.fixture
def engine(col_database, tmp_path):
    with empty_database(col_database, tmp_path) as engine:
        yield engine


def test_keying_city_rows_keeps_every_row_up_and_down(registry, engine):
    plugins = registry["col.plugins"]
    with engine.begin() as connection:
        config = migrate.alembic_config(connection, plugins)
        command.upgrade(config, CORE_BEFORE)
        command.upgrade(config, ESCO_BEFORE)
        for number in (1, 2):
            for name in ("tenants", "users"):
                fill(connection, name, number)
        fill(connection, "esco_concepts", 1)
        for number in (1, 2):
            for name in CONVERTED:
                fill(connection, name, number)
        before = counts(connection, COUNTED)
        assert set(before.values()) == {2}
    with engine.begin() as connection:
        migrate.upgrade(connection, plugins)
        assert counts(connection, COUNTED) == before
        assert all(is_city_keyed(connection, name) for name in CONVERTED)
        assert migrate.differences(connection, plugins) == []
        # The models' tables number new rows after the old ones (SQLite: the rowid,
        # PostgreSQL: the sequence).
        for name in ("tenants", "users"):
            fill(connection, name, 3)
        for name in CONVERTED:
            assert fill(connection, name, 3, metadata.tables[name]) == (3, 3), name
        before = counts(connection, COUNTED)
    with engine.begin() as connection:
        migrate.downgrade(connection, CORE_BEFORE, plugins)
        migrate.downgrade(connection, ESCO_BEFORE, plugins)
        assert counts(connection, COUNTED) == before
        assert not any(is_city_keyed(connection, name) for name in CONVERTED)
