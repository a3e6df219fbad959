"""search: a title-only tsvector with its own GIN index, no GIN pending lists (PostgreSQL)

Revision ID: 262952657995
Revises: 3384163b935b
Create Date: 2026-11-28 15:55:16.820001
"""

from alembic import op

# Ranking reads every match's vector: a common word matches a tenth of a large city, and ranking
# them all took over 100 ms at 100,000 activities.  Searches rank documents with every word in
# the title first; this vector and its index (the city first, as for the whole-text one) find
# those alone, so the usual page is ranked from a seventh of the matches.
# Both indexes are written directly (fastupdate off): with GIN's default pending list, every
# search scanned the entries not yet merged, 130 ms a search after reindexing 100,000
# activities until autovacuum came by.
UP = [
    "ALTER TABLE search_documents ADD COLUMN idx_search_title_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple', terms_title)) STORED",
    "CREATE INDEX idx_search_documents_title_gin ON search_documents"
    " USING gin (tenant_id, idx_search_title_vector) WITH (fastupdate = off)",
    "ALTER INDEX idx_search_documents_gin SET (fastupdate = off)",
    "SELECT gin_clean_pending_list('idx_search_documents_gin')",
]
DOWN = [
    "DROP INDEX IF EXISTS idx_search_documents_title_gin",
    "ALTER TABLE search_documents DROP COLUMN IF EXISTS idx_search_title_vector",
    "ALTER INDEX idx_search_documents_gin RESET (fastupdate)",
]


def _run(statements) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in statements:
            op.execute(statement)


revision = "262952657995"
down_revision = "3384163b935b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _run(UP)


def downgrade() -> None:
    _run(DOWN)
