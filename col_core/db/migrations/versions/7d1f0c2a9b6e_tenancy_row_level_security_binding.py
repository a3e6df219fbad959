"""tenancy: row-level security bound by a MAC the application role cannot forge

Revision ID: 7d1f0c2a9b6e
Revises: 701db2ad0ef0
Create Date: 2026-12-07 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "7d1f0c2a9b6e"
down_revision = "701db2ad0ef0"
branch_labels = None
depends_on = None

# The policies (written by `col db upgrade` from the models, col_core/tenancy/rls.py) trust the
# city, person and scope of a transaction only when their MAC over the transaction's id checks
# out against the key in col_rls_key, which only the owner can read: these functions run as the
# owner (SECURITY DEFINER) and are all the application role can do with the key.
FUNCTIONS = r"""
CREATE TABLE IF NOT EXISTS col_rls_key (
    id integer PRIMARY KEY CHECK (id = 1),
    inner_pad bytea NOT NULL,
    outer_pad bytea NOT NULL
);
REVOKE ALL ON col_rls_key FROM PUBLIC;

CREATE FUNCTION col_rls_verified() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    given text := current_setting('col.binding_mac', true);
    transaction_id bigint := txid_current_if_assigned();
    pads record;
    text_to_sign text;
BEGIN
    IF given IS NULL OR given = '' OR transaction_id IS NULL THEN
        RETURN false;
    END IF;
    SELECT inner_pad, outer_pad INTO pads FROM col_rls_key WHERE id = 1;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    text_to_sign := coalesce(current_setting('col.tenant_id', true), '') || ':'
        || coalesce(current_setting('col.user_id', true), '') || ':'
        || coalesce(current_setting('col.scope', true), '') || ':' || transaction_id::text;
    RETURN encode(sha256(pads.outer_pad || sha256(pads.inner_pad
                  || convert_to(text_to_sign, 'UTF8'))), 'hex') = given;
END $$;
REVOKE ALL ON FUNCTION col_rls_verified() FROM PUBLIC;

CREATE FUNCTION col_rls_tenant() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF col_rls_verified() THEN
        RETURN NULLIF(current_setting('col.tenant_id', true), '')::integer;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION col_rls_user() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF col_rls_verified() THEN
        RETURN NULLIF(current_setting('col.user_id', true), '')::integer;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION col_rls_scope() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF col_rls_verified() THEN
        RETURN current_setting('col.scope', true);
    END IF;
    RETURN NULL;
END $$;

-- The application binds each transaction through this function, which refuses a wrong MAC at
-- once (a mistake or an attack shows as an error, not as an empty page).
CREATE FUNCTION col_bind_tenant(tenant integer, person integer, scope text, mac text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF scope NOT IN ('tenant', 'accounts', 'cross') THEN
        RAISE EXCEPTION 'unknown row-level security scope %', scope
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('col.tenant_id', coalesce(tenant::text, ''), true),
            set_config('col.user_id', coalesce(person::text, ''), true),
            set_config('col.scope', scope, true),
            set_config('col.binding_mac', coalesce(mac, ''), true);
    IF NOT col_rls_verified() THEN
        PERFORM set_config('col.binding_mac', '', true);
        RAISE EXCEPTION 'row-level security binding refused: its MAC does not match'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;
"""


# The policies before this revision trusted the settings alone (kept for the downgrade).
OLD_CONDITION = (
    "current_setting('col.cross_tenant', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('col.tenant_id', true), '')::integer"
)


def _policies(bind) -> list[tuple[str, str]]:
    return [
        (row.tablename, row.policyname)
        for row in bind.execute(
            sa.text("SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public'")
        )
    ]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(FUNCTIONS)
    # The tables' policies now read the binding (`col db upgrade` writes them from the models
    # too, with those of the accounts' tables; this keeps a bare `alembic upgrade` consistent).
    from col_core.db.meta import Base
    from col_core.db.migrate import target_metadata
    from col_core.tenancy import rls

    for table, name in _policies(bind):
        if name == rls.POLICY:
            for statement in rls.enable_statements(table):
                op.execute(statement)
    target_metadata()  # every model, for the accounts' tables
    for statement in rls.people_statements(Base, set(sa.inspect(bind).get_table_names())):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    policies = _policies(bind)
    readable = {table for table, name in policies if name == "col_public_read"}
    accounts = {
        "users",
        "api_tokens",
        "user_sessions",
        "user_tokens",
        "auth_attempts",
        "badge_imports",
    }
    for table, name in policies:
        op.execute(f'DROP POLICY IF EXISTS {name} ON "{table}"')
    inspector = sa.inspect(bind)
    for table in sorted({table for table, _name in policies}):
        # A person's table added later (a plugin's, with no tenant_id) had no old policy either.
        columns = {column["name"] for column in inspector.get_columns(table)}
        if table in readable or table in accounts or "tenant_id" not in columns:
            op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
        else:
            op.execute(
                f'CREATE POLICY col_tenant_isolation ON "{table}" USING ({OLD_CONDITION})'
                f" WITH CHECK ({OLD_CONDITION})"
            )
    for name in (
        "col_bind_tenant(integer, integer, text, text)",
        "col_rls_scope()",
        "col_rls_user()",
        "col_rls_tenant()",
        "col_rls_verified()",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")
    # The key stays (only the owner can read it): going forward again needs it, and `col db
    # upgrade` rewrites it from the secret anyway.
