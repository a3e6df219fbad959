"""Sharding cities with Citus: the SQL that distributes the schema by ``tenant_id``.

``col db citus`` prints it (docs/deployment.md, section 8): every global table becomes a
*reference table* (copied to every node) and every city-owned table (``TenantScoped``) a
*distributed table* sharded by ``tenant_id``, all co-located, so that a request's statements,
which all name one city, run on the one node that holds it.  Tables come in the order of their
foreign keys (a referenced table is distributed first), as Citus requires.
"""

from __future__ import annotations

from col_core.tenancy import rls

DISTRIBUTION_COLUMN = "tenant_id"
# Tables of the migrations, not of the models: the binding key is read by the row-level
# security functions wherever a statement runs, so every node has it; alembic's version stays
# on the coordinator.
REFERENCE_EXTRAS = (rls.KEY_TABLE,)


def city_tables(base) -> set[str]:
    return set(rls.tenant_tables(base))


def distribution_statements(base, metadata) -> list[str]:
    """``SELECT create_reference_table(...)`` / ``create_distributed_table(...)`` for every
    table of ``metadata``, referenced tables first."""
    cities = city_tables(base)
    statements = ["CREATE EXTENSION IF NOT EXISTS citus;"]
    statements += [f"SELECT create_reference_table('{name}');" for name in REFERENCE_EXTRAS]
    first = None
    for table in metadata.sorted_tables:
        if table.name not in cities:
            statements.append(f"SELECT create_reference_table('{table.name}');")
            continue
        colocation = f", colocate_with => '{first}'" if first else ""
        statements.append(
            f"SELECT create_distributed_table('{table.name}', '{DISTRIBUTION_COLUMN}'{colocation});"
        )
        first = first or table.name
    return statements
