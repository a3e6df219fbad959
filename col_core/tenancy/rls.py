"""PostgreSQL row-level security for tenant tables: the second wall behind the ORM filter.

Policies compare each row's ``tenant_id`` with the transaction-local ``col.tenant_id`` setting
that :mod:`col_core.tenancy.scoping` sets at the start of every transaction.  They only bind
roles that are neither superusers nor BYPASSRLS, so the application connects (or ``SET ROLE``\\ s)
as an ordinary role named by ``col.db_role``; migrations run as the owner.
"""

from __future__ import annotations

POLICY = "col_tenant_isolation"

_CONDITION = (
    "current_setting('col.cross_tenant', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('col.tenant_id', true), '')::integer"
)


def enable_statements(table: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING ({_CONDITION}) WITH CHECK ({_CONDITION})',
    ]


def enable(op, table: str) -> None:
    """Call from an alembic migration after creating a tenant-owned table."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in enable_statements(table):
        op.execute(statement)


def tenant_tables(base) -> list[str]:
    """Tables of every TenantScoped model (not merely every table with a tenant_id column)."""
    from col_core.tenancy.scoping import TenantScoped

    return sorted({table.name for mapper in base.registry.mappers
                   if issubclass(mapper.class_, TenantScoped) for table in mapper.tables})


def grant_statements(role: str) -> list[str]:
    """Privileges the application role needs; run by ``col db upgrade`` when a role is set."""
    return [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]
