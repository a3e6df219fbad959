"""search: each city's FTS5 rowids in a range of their own (SQLite)

Revision ID: d4e7b2c9f1a6
Revises: c8f2a6d1e4b7
Create Date: 2026-12-07 10:30:00.000000
"""

from alembic import op

revision = "d4e7b2c9f1a6"
down_revision = "c8f2a6d1e4b7"
branch_labels = None
depends_on = None

# SQLite's one FTS5 index holds every city's documents, and a word's doclist interleaves them:
# a search stepped through every city's matches to keep its own.  The index's rowid becomes
# (city << 32) + document id (a generated column of search_documents), so each city's
# documents are one range of rowids and a search seeks to its city's range in every doclist
# (col_core.activities.search.services.database, CITY_ROWIDS).  The document id stays below
# 2**32.  PostgreSQL needs none of it: its GIN indexes start with the city.
COLUMNS = ("terms_title", "terms_body", "terms_skills")
ROWID = "idx_fts_rowid"


def _fts5(rowid: str) -> list[str]:
    names = ", ".join(COLUMNS)
    new = ", ".join(f"new.{column}" for column in COLUMNS)
    old = ", ".join(f"old.{column}" for column in COLUMNS)
    delete = (
        f"INSERT INTO idx_search_fts(idx_search_fts, rowid, {names})"
        f" VALUES ('delete', old.{rowid}, {old});"
    )
    insert = f"INSERT INTO idx_search_fts(rowid, {names}) VALUES (new.{rowid}, {new});"
    return [
        "DROP TABLE IF EXISTS idx_search_vocab",
        "DROP TRIGGER IF EXISTS idx_search_fts_ai",
        "DROP TRIGGER IF EXISTS idx_search_fts_ad",
        "DROP TRIGGER IF EXISTS idx_search_fts_au",
        "DROP TABLE IF EXISTS idx_search_fts",
        f"CREATE VIRTUAL TABLE idx_search_fts USING fts5({names}, content='search_documents',"
        f" content_rowid='{rowid}', tokenize='unicode61 remove_diacritics 2',"
        " prefix='2 3 4 5 6')",
        "INSERT INTO idx_search_fts(idx_search_fts, rank) VALUES ('rank', 'bm25(5.0, 1.0, 0.5)')",
        f"CREATE TRIGGER idx_search_fts_ai AFTER INSERT ON search_documents BEGIN {insert} END",
        f"CREATE TRIGGER idx_search_fts_ad AFTER DELETE ON search_documents BEGIN {delete} END",
        "CREATE TRIGGER idx_search_fts_au AFTER UPDATE ON search_documents"
        f" BEGIN {delete} {insert} END",
        "INSERT INTO idx_search_fts(idx_search_fts) VALUES ('rebuild')",
        "CREATE VIRTUAL TABLE idx_search_vocab USING fts5vocab(idx_search_fts, 'row')",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"ALTER TABLE search_documents ADD COLUMN {ROWID} INTEGER"
        " GENERATED ALWAYS AS ((tenant_id << 32) + id) VIRTUAL"
    )
    for statement in _fts5(ROWID):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _fts5("id"):
        op.execute(statement)
    op.execute(f"ALTER TABLE search_documents DROP COLUMN {ROWID}")
