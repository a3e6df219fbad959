"""tenancy: a row-level security binding that read-only standbys (and PgBouncer) can verify

Revision ID: 38bfff862271
Revises: 5e2b7c9d4a18
Create Date: 2026-12-06 16:30:00.000000
"""

from alembic import op

revision = "38bfff862271"
down_revision = "5e2b7c9d4a18"
branch_labels = None
depends_on = None

# The binding's MAC covered the transaction's id (txid_current()), which a hot standby cannot
# assign: no transaction on a read replica could be bound, so none could read a city's rows.
# It now covers the transaction's *nonce*: the server backend's process id, the transaction's
# start (microseconds) and the server's start.  No two transactions share one (a backend runs
# one transaction at a time and each starts later than the one before; primary and standby
# were started at different times), so a MAC seen in one transaction is still worthless in any
# other, on this server or another; and a read no longer takes a transaction id (nor burns
# through the 32-bit counter) just to be bound.
NONCE = r"""
CREATE OR REPLACE FUNCTION col_rls_nonce() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT pg_backend_pid()::text
        || '.' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text
        || '.' || (extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint::text
$$;
"""


def _verified(nonce: str) -> str:
    return rf"""
CREATE OR REPLACE FUNCTION col_rls_verified() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    given text := current_setting('col.binding_mac', true);
    nonce text := {nonce};
    pads record;
    text_to_sign text;
BEGIN
    IF given IS NULL OR given = '' OR nonce IS NULL THEN
        RETURN false;
    END IF;
    SELECT inner_pad, outer_pad INTO pads FROM col_rls_key WHERE id = 1;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    text_to_sign := coalesce(current_setting('col.tenant_id', true), '') || ':'
        || coalesce(current_setting('col.user_id', true), '') || ':'
        || coalesce(current_setting('col.scope', true), '') || ':' || nonce;
    RETURN encode(sha256(pads.outer_pad || sha256(pads.inner_pad
                  || convert_to(text_to_sign, 'UTF8'))), 'hex') = given;
END $$;
REVOKE ALL ON FUNCTION col_rls_verified() FROM PUBLIC;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NONCE)
    op.execute("GRANT EXECUTE ON FUNCTION col_rls_nonce() TO PUBLIC")
    op.execute(_verified("col_rls_nonce()"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_verified("txid_current_if_assigned()::text"))
    op.execute("DROP FUNCTION IF EXISTS col_rls_nonce()")
