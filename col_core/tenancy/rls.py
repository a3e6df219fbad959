"""PostgreSQL row-level security: the second wall behind the ORM filter.

The application connects as an ordinary login role (``col.database_url``) that owns nothing, is
no superuser, cannot bypass row-level security and is no member of the owner, so no statement it
runs can switch the policies off.  Migrations run as the owner (``col.database_owner_url``).

Each transaction is *bound* to a city, a person and a scope by
:func:`col_core.tenancy.scoping` through the ``col_bind_tenant()`` function: the binding's three
values and a MAC over them and the transaction's nonce (``col_rls_nonce()``: the server
backend, the transaction's start and the server's start, which a read-only standby can compute
as well as the primary), keyed with a secret derived from
``col.secret``.  The policies read the binding through SECURITY DEFINER functions that check
that MAC against the key, which only the owner can read (table ``col_rls_key``); a binding the
application role writes itself with ``set_config`` (an injected query, say) carries no valid MAC
and binds nothing, and a MAC seen in one transaction is worthless in the next.

Scopes: ``tenant`` (a request's ordinary work: the bound city's rows, the bound person's own
account rows, the accounts of the city's people), ``accounts`` (the reviewed account look-ups
that come before the person is known: sign-in, the session cookie, API tokens, sign-up, password
reset, look-ups by e-mail address), ``cross`` (deliberate cross-city work under
:func:`~col_core.tenancy.scoping.cross_tenant`).  See docs/security.md, "Tenant isolation".
"""

from __future__ import annotations

import hashlib
import hmac

POLICY = "col_tenant_isolation"
READ_POLICY = "col_public_read"

# How the binding is named in the database (transaction-local settings the definer functions
# read; the MAC makes them trustworthy, not the settings themselves).
TENANT_SETTING = "col.tenant_id"
USER_SETTING = "col.user_id"
SCOPE_SETTING = "col.scope"
MAC_SETTING = "col.binding_mac"
SCOPES = ("tenant", "accounts", "cross")

KEY_TABLE = "col_rls_key"

_TENANT = "(SELECT col_rls_tenant())"
_USER = "(SELECT col_rls_user())"
_SCOPE = "(SELECT col_rls_scope())"
_CROSS = f"{_SCOPE} = 'cross'"
_ACCOUNTS = f"{_SCOPE} IN ('accounts', 'cross')"

# Rows a city owns.
_TENANT_CONDITION = f"{_CROSS} OR tenant_id = {_TENANT}"
# Global tables of the platform's configuration that anyone may read (a request's host is
# resolved before any city is known) and only their own city (or cross-city work) may change.
_CONFIGURATION = {"tenants": f"{_CROSS} OR id = {_TENANT}", "tenant_hosts": _TENANT_CONDITION}
# City tables that are the public projection of what the cities publish (search documents: the
# published, public activities and the like; the terms indexed from them): anyone reads them, as
# the global site reads every city's, and only their own city changes them.  A policy on their
# reads would cost every search its index: PostgreSQL applies a policy's condition before any
# condition of the query that is not LEAKPROOF, and full-text (`@@`) and trigram (`%`) matching
# are not, so each search read every row of its city (docs/performance.md, "Row-level security
# and the search indexes").  The search's own statements name the city (`DatabaseSearch`).
PUBLIC_READ = ("search_documents", "idx_search_terms")
# Global tables about sign-in itself, read and written only by the account look-ups.
_ACCOUNT_ONLY = ("auth_attempts",)
PEOPLE_TABLE = "users"


# --- the binding's MAC ------------------------------------------------------------------------


def derive_key(secret: str) -> bytes:
    """The binding key: derived from ``col.secret``, so the secret itself is never stored."""
    return hmac.new(secret.encode(), b"col row-level security binding v1", hashlib.sha256).digest()


def message(tenant_id: int | None, user_id: int | None, scope: str, nonce: str) -> str:
    """What the MAC covers; ``col_rls_verified()`` builds the very same string."""
    return (
        f"{'' if tenant_id is None else tenant_id}:{'' if user_id is None else user_id}:"
        f"{scope}:{nonce}"
    )


def mac(key: bytes, tenant_id: int | None, user_id: int | None, scope: str, nonce: str) -> str:
    return hmac.new(
        key, message(tenant_id, user_id, scope, nonce).encode(), hashlib.sha256
    ).hexdigest()


def key_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys: the database computes HMAC-SHA256 with its built-in
    ``sha256()`` from these (no pgcrypto needed, which managed databases may not offer)."""
    block = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def store_key_statements(key: bytes) -> list[tuple[str, dict]]:
    inner, outer = key_pads(key)
    return [
        (f"DELETE FROM {KEY_TABLE}", {}),
        (
            f"INSERT INTO {KEY_TABLE} (id, inner_pad, outer_pad) VALUES (1, :inner, :outer)",
            {"inner": inner, "outer": outer},
        ),
    ]


# --- policies ---------------------------------------------------------------------------------


def _policy(
    table: str, using: str, check: str | None = None, name: str = POLICY, command: str = "ALL"
) -> list[str]:
    with_check = ""
    if command != "SELECT":
        with_check = f" WITH CHECK ({check or using})"
    on_table = f'{name} ON "{table}"'
    drop = f"DROP POLICY IF EXISTS {on_table}"
    create = f"CREATE POLICY {on_table} FOR {command} USING ({using}){with_check}"
    return [drop, create]


def _forced(table: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
    ]


def enable_statements(table: str) -> list[str]:
    """Row-level security for a table of city-owned rows (readable by all in ``PUBLIC_READ``)."""
    statements = _forced(table) + _policy(table, _TENANT_CONDITION)
    if table in PUBLIC_READ:
        statements += _policy(table, "true", name=READ_POLICY, command="SELECT")
    return statements


def enable(op, table: str) -> None:
    """Call from an alembic migration after creating a tenant-owned table."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in enable_statements(table):
        op.execute(statement)


def tenant_tables(base) -> list[str]:
    """Tables of every TenantScoped model (not merely every table with a tenant_id column)."""
    from col_core.tenancy.scoping import TenantScoped

    return sorted(
        {
            table.name
            for mapper in base.registry.mappers
            if issubclass(mapper.class_, TenantScoped)
            for table in mapper.tables
        }
    )


def _references_people(table) -> list[str]:
    return sorted(
        fk.parent.name
        for fk in table.foreign_keys
        if fk.column.table.name == PEOPLE_TABLE and fk.column.name == "id"
    )


def people_statements(base, existing: set[str]) -> list[str]:
    """Policies of the global tables that hold people's data, derived from the models.

    * ``users``: an account is global, so a city sees the accounts of *its* people: those with
      a row in one of its tables that names them (a membership, a participation, a badge...),
      those whose home it is, and the bound person's own; the account look-ups see all.
      Anyone may insert (sign-up; an account alone reveals nothing).
    * every other global table with a column referring to an account (sessions, API tokens,
      one-time tokens, badge imports): the bound person's rows, or the account look-ups.
    * ``auth_attempts``: the account look-ups only (the sign-in throttle).
    * ``tenants`` and ``tenant_hosts``: readable by all, changed only by their own city.
    """
    from col_core.tenancy.scoping import TenantScoped

    tables = {
        table.name: (mapper.class_, table)
        for mapper in base.registry.mappers
        for table in mapper.tables
    }
    statements: list[str] = []
    if PEOPLE_TABLE in existing:
        related = []
        for name, (model, table) in sorted(tables.items()):
            if name not in existing or not issubclass(model, TenantScoped):
                continue
            for column in _references_people(table):
                # The city's own rows only: the subquery runs under that table's policy too.
                related.append(
                    f'EXISTS (SELECT 1 FROM "{name}" related WHERE related."{column}"'
                    f' = "{PEOPLE_TABLE}".id)'
                )
        visible = " OR ".join([_ACCOUNTS, f"id = {_USER}", f"home_tenant_id = {_TENANT}", *related])
        statements += _forced(PEOPLE_TABLE) + _policy(PEOPLE_TABLE, visible, check="true")
    for name, (model, table) in sorted(tables.items()):
        if name == PEOPLE_TABLE or name not in existing or issubclass(model, TenantScoped):
            continue
        if name in _CONFIGURATION:
            statements += _forced(name) + _policy(name, _CONFIGURATION[name])
            statements += _policy(name, "true", name=READ_POLICY, command="SELECT")
        elif name in _ACCOUNT_ONLY:
            statements += _forced(name) + _policy(name, _ACCOUNTS)
        elif columns := _references_people(table):
            own = " OR ".join(f'"{column}" = {_USER}' for column in columns)
            statements += _forced(name) + _policy(name, f"{_ACCOUNTS} OR {own}")
    return statements


def drop_people_policy_statement() -> str:
    """The accounts' policy, which ``people_statements`` derives from every table naming a
    person, dropped (before a downgrade drops such a table)."""
    return f'DROP POLICY IF EXISTS {POLICY} ON "{PEOPLE_TABLE}"'


def grant_statements(role: str) -> list[str]:
    """Privileges the application role needs (and none it must not have); run by
    ``col db upgrade`` when ``col.db_role`` is set."""
    return [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        # The binding key is the owner's alone; the schema's version only the owner changes.
        f'REVOKE ALL ON {KEY_TABLE} FROM "{role}"',
        f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM "{role}"',
        f"GRANT EXECUTE ON FUNCTION col_bind_tenant(integer, integer, text, text),"
        f' col_rls_tenant(), col_rls_user(), col_rls_scope() TO "{role}"',
    ]


def role_problems(connection) -> list[str]:
    """Why the role ``connection`` works as could switch row-level security off, if it could.

    The application's own connection must be an ordinary role: no superuser, no BYPASSRLS,
    able to become no other role, owning no table."""
    from sqlalchemy import text

    row = connection.execute(
        text(
            "SELECT r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole,"
            " (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid) AS memberships,"
            " (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            "  WHERE n.nspname = 'public' AND c.relowner = r.oid) AS owned"
            " FROM pg_roles r WHERE r.rolname = current_user"
        )
    ).one()
    problems = []
    if row.rolsuper:
        problems.append("is a superuser")
    if row.rolbypassrls:
        problems.append("has BYPASSRLS")
    if row.rolcreaterole:
        problems.append("has CREATEROLE")
    if row.memberships:
        problems.append("is a member of other roles (it could SET ROLE to them)")
    if row.owned:
        problems.append("owns tables (it could drop their row-level security)")
    return [f"the database role {row.rolname} {problem}" for problem in problems]
