"""The core migration that keys organisations, activities and the rows hanging off them by
``(tenant_id, id)`` (a4c1d7e9f203) keeps every row, up and back down, and makes every foreign
key pointing at them composite, the plugins' too: the database then refuses a row that points
at another city's row.

Two cities' rows fill every table it converts and the plugins' tables that refer to them; on
SQLite those are copied with foreign keys off, so no ``ON DELETE CASCADE`` takes a child row.
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from col_core.db import metadata, migrate

from .migration_rows import counts, empty_database, fill, is_city_keyed

CORE_BEFORE = "81db51767f89"
BADGES_BEFORE = "8195d9a2f02e"
PLAYLISTS_BEFORE = "c8f2a6d4e1b9"
# Parents before the rows that refer to them.
CONVERTED = (
    "organisations",
    "activities",
    "activity_sessions",
    "activity_skills",
    "activity_co_organisers",
    "participations",
    "attendances",
    "activity_reminders",
    "activity_feedback",
    "invitations",
    "memberships",
    "webhook_subscriptions",
    "webhook_attempts",
)
REFERRING = ("badge_issuers", "playlists", "playlist_items")
COUNTED = ("tenants", "users", *CONVERTED, *REFERRING)


@pytest.fixture
def engine(col_database, tmp_path):
    with empty_database(col_database, tmp_path) as engine:
        yield engine


def _references(connection) -> list[list[str]]:
    """The referring columns of every foreign key pointing at a converted table."""
    found = inspect(connection)
    return [
        key["constrained_columns"]
        for table in found.get_table_names()
        for key in found.get_foreign_keys(table)
        if key["referred_table"] in CONVERTED
    ]


def _point_at_another_city(connection, name: str, column: str) -> None:
    """Copy city 1's row of table ``name`` with ``column`` naming city 2's row instead."""
    table = Table(name, MetaData(), autoload_with=connection)
    row = connection.execute(select(table).where(table.c.tenant_id == 1)).mappings().one()
    copy = {key: value for key, value in row.items() if key != "id"}
    connection.execute(insert(table), {**copy, column: 2})


# A core reference and a plugin's, each to a row of another city.
CROSSING = (("participations", "activity_id"), ("playlist_items", "activity_id"))


def test_keying_the_core_city_rows_keeps_every_row_up_and_down(registry, engine):
    plugins = registry["col.plugins"]
    with engine.begin() as connection:
        config = migrate.alembic_config(connection, plugins)
        for revision in (CORE_BEFORE, BADGES_BEFORE, PLAYLISTS_BEFORE):
            command.upgrade(config, revision)
        for number in (1, 2):
            for name in ("tenants", "users", *CONVERTED, *REFERRING):
                fill(connection, name, number)
        before = counts(connection, COUNTED)
        assert set(before.values()) == {2}
    with engine.begin() as connection:
        migrate.upgrade(connection, plugins)
        assert counts(connection, COUNTED) == before
        assert all(is_city_keyed(connection, name) for name in CONVERTED)
        assert all(key[0] == "tenant_id" for key in _references(connection))
        assert migrate.differences(connection, plugins) == []
        for name in ("tenants", "users"):
            fill(connection, name, 3)
        # New rows are numbered after the old ones (SQLite: the rowid, PostgreSQL: the sequence).
        for name in CONVERTED:
            assert fill(connection, name, 3, metadata.tables[name]) == (3, 3), name
        before = counts(connection, COUNTED)
        for name, column in CROSSING:
            with pytest.raises(IntegrityError), connection.begin_nested():
                _point_at_another_city(connection, name, column)
    with engine.begin() as connection:
        migrate.downgrade(connection, CORE_BEFORE, plugins)
        assert counts(connection, COUNTED) == before
        assert not any(is_city_keyed(connection, name) for name in CONVERTED)
        assert all("tenant_id" not in key for key in _references(connection))
        # Back to single-column keys, which name a row of any city.
        for name, column in CROSSING:
            _point_at_another_city(connection, name, column)


def test_plugins_installed_after_the_core_keying_refer_to_it_by_city(registry, engine):
    """A deployment that adds the badges and playlists plugins after upgrading the core: their
    first migrations make their references to organisations and activities composite at once
    (PostgreSQL has no unique key on ``id`` alone there to point at)."""
    plugins = registry["col.plugins"]
    with engine.begin() as connection, migrate.sqlite_foreign_keys_off(connection):
        command.upgrade(migrate.alembic_config(connection, plugins), "col_core@head")
        assert not inspect(connection).has_table("badge_issuers")
    with engine.begin() as connection:
        migrate.upgrade(connection, plugins)
        assert all(key[0] == "tenant_id" for key in _references(connection))
        assert migrate.differences(connection, plugins) == []
