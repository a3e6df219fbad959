"""Rows in a database migrated part of the way, for the tests of the migrations that key city
rows by ``(tenant_id, id)``: an empty database of the suite's kind, a row of any table with
every reference set, the rows counted, a table's key read back."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
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

from col_core.db import make_engine

CONCEPT = "http://data.europa.eu/esco/skill/x"
# The one value a column's CHECK constraint accepts.
FIXED = {("jobs", "status"): "pending"}


@contextlib.contextmanager
def empty_database(col_database, tmp_path) -> Iterator[Engine]:
    """An empty database of the suite's kind, dropped afterwards."""
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


def fill(connection, name: str, number: int, table=None) -> tuple:
    """A row of table ``name`` (as the database has it, or ``table``) in city ``number``, its
    every required field and every reference set (a row of each table is numbered as its city,
    so it points at its own city's rows) and its id numbered by the database; its primary key."""
    table = table if table is not None else Table(name, MetaData(), autoload_with=connection)
    row = {
        column.name: _value(table, column, number)
        for column in table.columns
        if (not column.nullable or column.foreign_keys)
        and column.computed is None
        and column.name != "id"
    }
    return tuple(connection.execute(insert(table), row).inserted_primary_key)


def counts(connection, names) -> dict[str, int]:
    return {
        name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
        for name in names
    }


def is_city_keyed(connection, name: str) -> bool:
    found = inspect(connection)
    if connection.dialect.name == "sqlite":
        return any(
            index["column_names"] == ["tenant_id", "id"] and index["unique"]
            for index in found.get_indexes(name)
        )
    return found.get_pk_constraint(name)["constrained_columns"] == ["tenant_id", "id"]
