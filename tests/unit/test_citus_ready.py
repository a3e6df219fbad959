"""Citus readiness: could every city-owned table be distributed by ``tenant_id``?

Citus (distributed PostgreSQL, docs/deployment.md "Sharding cities with Citus") shards a table
by one column and enforces a primary key, a unique constraint or a foreign key across shards
only when it includes that column.  So each ``TenantScoped`` model's table must have
``tenant_id`` in its primary key and in every unique constraint, and a foreign key to another
city-owned table must include ``tenant_id`` on both sides (``(tenant_id, x_id) REFERENCES
x (tenant_id, id)``), which also makes the database itself refuse a row that points at another
city's row.  Global tables (accounts, cities, hosts, ESCO) become Citus *reference tables*,
copied to every node: city tables may refer to them, they may not refer to a city's rows.

Every city-owned table is keyed by its city (``CityKeyed`` models, or a natural key that
begins with ``tenant_id``) and refers to other city rows with ``city_reference``
(col_core/db/city_keys.py); this test holds every model, a plugin's new ones included, to that.
"""

from __future__ import annotations

import pytest
from sqlalchemy import UniqueConstraint

from col_core.db.citus import distribution_statements
from col_core.db.meta import Base
from col_core.db.migrate import load_models
from col_core.plugins import configured_registry
from col_core.tenancy.scoping import TenantScoped

TENANT = "tenant_id"


@pytest.fixture(scope="module")
def tables():
    """{table name: (is city-owned, Table)} of every model of the core and every plugin."""
    load_models(configured_registry({}))
    found = {}
    for mapper in Base.registry.mappers:
        for table in mapper.tables:
            found[table.name] = (issubclass(mapper.class_, TenantScoped), table)
    return found


def names(columns) -> list[str]:
    return [column.name for column in columns]


def citus_problems(table, city_tables: set[str]) -> list[str]:
    """Why Citus could not distribute ``table`` by tenant_id (nothing: it could)."""
    problems = []
    if TENANT not in names(table.primary_key.columns):
        problems.append(f"primary key ({', '.join(names(table.primary_key.columns))})")
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and TENANT not in names(constraint.columns):
            problems.append(f"unique ({', '.join(names(constraint.columns))})")
    for index in table.indexes:
        if index.unique and TENANT not in names(index.columns):
            problems.append(f"unique index ({', '.join(names(index.columns))})")
    for key in table.foreign_key_constraints:
        if key.referred_table.name in city_tables and TENANT not in names(key.columns):
            problems.append(
                f"foreign key ({', '.join(names(key.columns))}) to {key.referred_table.name}"
            )
    return problems


def test_every_city_table_is_distributable_by_tenant_id(tables):
    city_tables = {name for name, (owned, _table) in tables.items() if owned}
    problems = {
        name: found
        for name in sorted(city_tables)
        if (found := citus_problems(tables[name][1], city_tables))
    }
    assert not problems, (
        "City-owned tables Citus could not distribute by tenant_id: put tenant_id in the primary"
        f" key, unique constraints and foreign keys to other city tables: {problems}"
    )


def test_every_city_table_names_its_city(tables):
    """A city-owned row always has its city: the distribution column is never empty.  (It is
    also part of the composite foreign keys to other city tables.)"""
    for name, (owned, table) in tables.items():
        if owned:
            column = table.columns[TENANT]
            assert not column.nullable, name
            assert "tenants.id" in {key.target_fullname for key in column.foreign_keys}, name


def test_no_global_table_refers_to_a_city_row(tables):
    """Global tables become reference tables, on every node: Citus lets distributed tables
    refer to them, never the other way round."""
    city_tables = {name for name, (owned, _table) in tables.items() if owned}
    wrong = sorted(
        (name, key.referred_table.name)
        for name, (owned, table) in tables.items()
        if not owned
        for key in table.foreign_key_constraints
        if key.referred_table.name in city_tables
    )
    assert not wrong


def test_the_distribution_commands_cover_every_table_referenced_first(tables):
    """``col db citus`` (docs/deployment.md): each table once, city tables sharded by
    tenant_id and co-located, global ones copied to every node, a table after those it
    refers to."""
    statements = distribution_statements(Base, Base.metadata)
    made = {}
    for position, statement in enumerate(statements[1:]):
        name = statement.split("'")[1]
        assert name not in made, name
        made[name] = position
        assert ("create_distributed_table" in statement) == tables.get(name, (False,))[0], name
    assert set(tables) <= set(made)
    for name, (_owned, table) in tables.items():
        for key in table.foreign_key_constraints:
            if key.referred_table.name != name:
                assert made[key.referred_table.name] < made[name], (name, key.referred_table)
    distributed = [s for s in statements if "create_distributed_table" in s]
    assert all("colocate_with" in s for s in distributed[1:])
