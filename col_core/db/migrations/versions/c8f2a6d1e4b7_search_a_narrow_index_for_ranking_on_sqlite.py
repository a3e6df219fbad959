"""search: a narrow index of what a search filters and sorts on, for ranking on SQLite

Revision ID: c8f2a6d1e4b7
Revises: a4c1d7e9f203
Create Date: 2026-12-07 10:05:00.000000
"""

from alembic import op

revision = "c8f2a6d1e4b7"
down_revision = "a4c1d7e9f203"
branch_labels = None
depends_on = None

# SQLite's FTS5 index holds every city's documents: each match of a word is checked against the
# city and the filters by reading its row, about 2 KB of text, before it is ranked. This index
# holds only what those checks and the order read, keyed by the row id, so a search's ranking
# reads it instead (``INDEXED BY``, col_core.activities.search.services.database).  PostgreSQL
# needs none: its full-text index starts with the city.
NAME = "idx_search_documents_narrow"
COLUMNS = (
    "id, tenant_id, ends_at, starts_at, kind, key, category, price, online, in_person,"
    " age_min, age_max, lat, lon, languages"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX {NAME} ON search_documents ({COLUMNS})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX {NAME}")
