"""search: FTS5 prefix indexes up to six letters

Revision ID: eb328c9a3e56
Revises: bf0edffc4156
Create Date: 2026-11-28 15:03:16.108701
"""

from alembic import op

# As people type, the last word is matched as a prefix; without a prefix index for its length
# FTS5 merges the doclists of every term that starts with it (about 1 ms for a five-letter prefix
# at 100,000 activities, against 0.06 ms with the index).  The index grows by about half.
# The triggers that keep the table name it only by name, so they keep working.


def _recreate(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE idx_search_fts")
    op.execute(
        "CREATE VIRTUAL TABLE idx_search_fts USING fts5(terms_title, terms_body,"
        " content='search_documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2',"
        f" prefix='{prefix}')"
    )
    op.execute("INSERT INTO idx_search_fts(idx_search_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0)')")
    op.execute("INSERT INTO idx_search_fts(idx_search_fts) VALUES ('rebuild')")


revision = "eb328c9a3e56"
down_revision = "bf0edffc4156"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _recreate("2 3 4 5 6")


def downgrade() -> None:
    _recreate("2 3 4")
