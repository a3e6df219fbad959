"""tenancy: row-level security bound by a MAC the application role cannot forge

Revision ID: 7d1f0c2a9b6e
Revises: 235130465a59
Create Date: 2026-12-07 10:00:00.000000
"""
from alembic import op

revision = '7d1f0c2a9b6e'
down_revision = '235130465a59'
branch_labels = None
depends_on = None

# The policies (written by `col db upgrade` from the models, col_core/tenancy/rls.py) trust the
# city, person and scope of a transaction only when their MAC over the transaction's id checks
# out against the key in col_rls_key, which only the owner can read: these functions run as the
# owner (SECURITY DEFINER) and are all the application role can do with the key.
FUNCTIONS = r"""
CREATE TABLE col_rls_key (
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


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTIONS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in ("col_bind_tenant(integer, integer, text, text)", "col_rls_scope()",
                 "col_rls_user()", "col_rls_tenant()", "col_rls_verified()"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS col_rls_key")
