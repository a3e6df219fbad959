"""search: vocabularies for typo tolerance (fts5vocab on SQLite, city terms + pg_trgm on PostgreSQL)

Revision ID: 5e2b7c9d4a18
Revises: 4c768689e261
Create Date: 2026-12-06 13:30:00.000000
"""

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

from col_core.tenancy import rls

log = logging.getLogger("alembic.runtime.migration")

# A search that finds nothing is retried with its misspelt words corrected from the vocabulary
# (col_core.activities.search.spelling).  SQLite: FTS5's own terms, read through fts5vocab, so
# there is nothing to keep.  PostgreSQL: each city's terms, added by a statement-level trigger
# as documents are written (never removed: a term no longer found is skipped when checked),
# with a trigram index for similarity.  Documents are only ever inserted and deleted (the store
# replaces a document by deleting it), so INSERT is the one trigger.
SQLITE_UP = ["CREATE VIRTUAL TABLE idx_search_vocab USING fts5vocab(idx_search_fts, 'row')"]
SQLITE_DOWN = ["DROP TABLE IF EXISTS idx_search_vocab"]
POSTGRESQL_UP = [
    "CREATE TABLE idx_search_terms (tenant_id integer NOT NULL"
    " REFERENCES tenants (id) ON DELETE CASCADE, term text NOT NULL,"
    " PRIMARY KEY (tenant_id, term))",
    "CREATE FUNCTION idx_search_terms_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " INSERT INTO idx_search_terms (tenant_id, term)"
    " SELECT DISTINCT tenant_id, unnest(tsvector_to_array(idx_search_vector)) FROM added"
    " ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    "CREATE TRIGGER idx_search_terms_ai AFTER INSERT ON search_documents"
    " REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION idx_search_terms_add()",
    "INSERT INTO idx_search_terms (tenant_id, term)"
    " SELECT DISTINCT tenant_id, unnest(tsvector_to_array(idx_search_vector))"
    " FROM search_documents ON CONFLICT DO NOTHING",
]
TRIGRAMS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX idx_search_terms_trgm ON idx_search_terms USING gin (term gin_trgm_ops)",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS idx_search_terms_ai ON search_documents",
    "DROP FUNCTION IF EXISTS idx_search_terms_add()",
    "DROP TABLE IF EXISTS idx_search_terms",
]

revision = "5e2b7c9d4a18"
down_revision = "4c768689e261"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    for statement in POSTGRESQL_UP:
        op.execute(statement)
    rls.enable(op, "idx_search_terms")
    # pg_trgm ships with PostgreSQL's contrib package; a database without it searches as before,
    # without typo tolerance, until an administrator adds it (docs/search.md).
    savepoint = op.get_bind().begin_nested()
    try:
        for statement in TRIGRAMS:
            op.execute(statement)
    except DBAPIError as error:
        savepoint.rollback()
        log.warning(
            "pg_trgm is not available (%s): search works without typo tolerance; see "
            "docs/search.md to add it.",
            error.orig,
        )
    else:
        savepoint.commit()


def downgrade() -> None:
    statements = SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_DOWN
    for statement in statements:
        op.execute(statement)
