"""The migrations that key city rows by ``(tenant_id, id)`` (col_core/db/city_keys.py) keep
every row, up and back down, and new rows are still numbered afterwards.

A database migrated up to the revisions before them holds rows of two cities in every table
they convert; the rows of every table are counted before and after.  On SQLite the key stays
the rowid and only an index is added, so no table that others refer to is copied (dropping a
copy with foreign keys on would delete the rows that refer to it, ON DELETE CASCADE).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from alembic import command
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Table,
    create_engine,
    insert,
    inspect,
    make_url,
    text,
)

from col_core.db import make_engine, metadata, migrate

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
CONCEPT = "http://data.europa.eu/esco/skill/x"
# The one value a column's CHECK constraint accepts.
FIXED = {("jobs", "status"): "pending"}


@pytest.fixture
def engine(col_database, tmp_path):
    """An empty database of the suite's kind."""
    if not col_database.is_postgresql:
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    name = f"col_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(col_database.admin_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(
        make_url(col_database.owner_url).set(database=name).render_as_string(hide_password=False)
    )
    yield engine
    engine.dispose()
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _value(table, column, number: int):
    """A value ``column`` accepts: the row named ``number`` of the table it refers to."""
    if (table.name, column.name) in FIXED:
        return FIXED[table.name, column.name]
    for key in column.foreign_keys:
        return CONCEPT if key.column.table.name == "esco_concepts" else number
    kind = column.type
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, DateTime):
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    if isinstance(kind, Date):
        return dt.date(2026, 1, 1)
    if isinstance(kind, Integer | Float):
        return number
    return str(number) if column.name != "uri" else CONCEPT


def _fill(connection, name: str, number: int, table=None) -> tuple:
    """A row of table ``name`` (as the database has it, or ``table``) in city ``number``, its
    every required field set and its id numbered by the database; its primary key."""
    table = table if table is not None else Table(name, MetaData(), autoload_with=connection)
    row = {
        column.name: _value(table, column, number)
        for column in table.columns
        if not column.nullable and column.computed is None and column.name != "id"
    }
    return tuple(connection.execute(insert(table), row).inserted_primary_key)


def _counts(connection) -> dict[str, int]:
    return {
        name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
        for name in ("tenants", "users", *CONVERTED)
    }


def _is_city_keyed(connection, name: str) -> bool:
    found = inspect(connection)
    if connection.dialect.name == "sqlite":
        return any(
            index["column_names"] == ["tenant_id", "id"] and index["unique"]
            for index in found.get_indexes(name)
        )
    return found.get_pk_constraint(name)["constrained_columns"] == ["tenant_id", "id"]


def test_keying_city_rows_keeps_every_row_up_and_down(registry, engine):
    plugins = registry["col.plugins"]
    with engine.begin() as connection:
        config = migrate.alembic_config(connection, plugins)
        command.upgrade(config, CORE_BEFORE)
        command.upgrade(config, ESCO_BEFORE)
        for number in (1, 2):
            for name in ("tenants", "users"):
                _fill(connection, name, number)
        _fill(connection, "esco_concepts", 1)
        for number in (1, 2):
            for name in CONVERTED:
                _fill(connection, name, number)
        before = _counts(connection)
        assert set(before.values()) == {2}
    with engine.begin() as connection:
        migrate.upgrade(connection, plugins)
        assert _counts(connection) == before
        assert all(_is_city_keyed(connection, name) for name in CONVERTED)
        assert migrate.differences(connection, plugins) == []
        # The models' tables number new rows after the old ones (SQLite: the rowid,
        # PostgreSQL: the sequence).
        for name in ("tenants", "users"):
            _fill(connection, name, 3)
        for name in CONVERTED:
            assert _fill(connection, name, 3, metadata.tables[name]) == (3, 3), name
        before = _counts(connection)
    with engine.begin() as connection:
        migrate.downgrade(connection, CORE_BEFORE, plugins)
        migrate.downgrade(connection, ESCO_BEFORE, plugins)
        assert _counts(connection) == before
        assert not any(_is_city_keyed(connection, name) for name in CONVERTED)
