"""The migration that keys the playlists' rows by ``(tenant_id, id)`` keeps every row, up and
back down, and afterwards the database itself refuses a row naming another city's row.

As the core's (tests/functional/core/migration_rows.py): rows of two cities in every table,
counted before and after.  On SQLite the tables with a unique constraint are copied; an item's
unlock condition (each item unlocks after itself here) must survive that copy, which neither
cascades nor sets null.
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from col_core.db import metadata, migrate
from tests.functional.core.migration_rows import counts, empty_database, fill, is_city_keyed

BEFORE = "c8f2a6d4e1b9"
REFERRED = ("tenants", "users", "organisations", "activities")
CONVERTED = (
    "playlists",
    "playlist_items",
    "playlist_badges",
    "playlist_enrolments",
    "playlist_item_completions",
    "playlist_awards",
    "playlist_notices",
)
COUNTED = (*REFERRED, *CONVERTED)
# City 1's rows naming city 2's (each row's references are numbered as its city).
ACROSS_CITIES = (
    "UPDATE playlist_items SET unlock_after_id = 2 WHERE id = 1",
    "UPDATE playlist_item_completions SET item_id = 2 WHERE id = 1",
    "UPDATE playlist_awards SET playlist_badge_id = 2 WHERE id = 1",
)


@pytest.fixture
def engine(col_database, tmp_path):
    with empty_database(col_database, tmp_path) as engine:
        yield engine


def _unlocking_after_themselves(connection) -> int:
    query = "SELECT count(*) FROM playlist_items WHERE unlock_after_id = id"
    return connection.execute(text(query)).scalar_one()


def _unlock_after_ondelete(connection) -> str | None:
    [key] = [
        key
        for key in inspect(connection).get_foreign_keys("playlist_items")
        if "unlock_after_id" in key["constrained_columns"]
    ]
    return key["options"].get("ondelete")


def test_keying_playlists_by_city_keeps_every_row_up_and_down(registry, engine):
    plugins = registry["col.plugins"]
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection, plugins), BEFORE)
        for name in (*REFERRED, *CONVERTED):
            for number in (1, 2):
                fill(connection, name, number)
        before = counts(connection, COUNTED)
        assert set(before.values()) == {2}
        assert _unlock_after_ondelete(connection) == "SET NULL"
    with engine.begin() as connection:
        migrate.upgrade(connection, plugins)
        assert counts(connection, COUNTED) == before
        assert _unlocking_after_themselves(connection) == before["playlist_items"]
        assert all(is_city_keyed(connection, name) for name in CONVERTED)
        assert _unlock_after_ondelete(connection) is None
        assert migrate.differences(connection, plugins) == []
        for name in REFERRED:
            fill(connection, name, 3)
        for name in CONVERTED:
            assert fill(connection, name, 3, metadata.tables[name]) == (3, 3)
        before = counts(connection, COUNTED)
    for statement in ACROSS_CITIES:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.begin() as connection:
        migrate.downgrade(connection, BEFORE, plugins)
        assert counts(connection, COUNTED) == before
        assert _unlocking_after_themselves(connection) == before["playlist_items"]
        assert not any(is_city_keyed(connection, name) for name in CONVERTED)
        assert _unlock_after_ondelete(connection) == "SET NULL"
