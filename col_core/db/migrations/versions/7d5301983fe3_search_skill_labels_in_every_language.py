"""search: skill labels in every language, in their own lower-weighted column

Revision ID: 7d5301983fe3
Revises: 38bfff862271
Create Date: 2026-12-06 16:35:00.000000
"""

import sqlalchemy as sa
from alembic import op

# An activity's document carries the labels of its skills in each of the city's languages
# (``skill_labels``), analysed each in its own language into ``terms_skills``, which weighs less
# than the body: searches rank documents with every word in the title first anyway, and among
# the others a body match before a skill label match.  SQLite: the FTS5 table (and the triggers
# and fts5vocab table that name it) is rebuilt with the third column.  PostgreSQL: the whole-text
# vector is generated again with the labels' terms at weight C.  Existing documents get their
# labels when their city is reindexed (``col search reindex``).


def _fts5(columns: list[str], weights: str) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    return [
        "DROP TABLE IF EXISTS idx_search_vocab",
        "DROP TRIGGER IF EXISTS idx_search_fts_ai",
        "DROP TRIGGER IF EXISTS idx_search_fts_ad",
        "DROP TRIGGER IF EXISTS idx_search_fts_au",
        "DROP TABLE IF EXISTS idx_search_fts",
        f"CREATE VIRTUAL TABLE idx_search_fts USING fts5({names},"
        " content='search_documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2',"
        " prefix='2 3 4 5 6')",
        f"INSERT INTO idx_search_fts(idx_search_fts, rank) VALUES ('rank', 'bm25({weights})')",
        "CREATE TRIGGER idx_search_fts_ai AFTER INSERT ON search_documents BEGIN"
        f" INSERT INTO idx_search_fts(rowid, {names}) VALUES (new.id, {new}); END",
        "CREATE TRIGGER idx_search_fts_ad AFTER DELETE ON search_documents BEGIN"
        f" INSERT INTO idx_search_fts(idx_search_fts, rowid, {names})"
        f" VALUES ('delete', old.id, {old}); END",
        "CREATE TRIGGER idx_search_fts_au AFTER UPDATE ON search_documents BEGIN"
        f" INSERT INTO idx_search_fts(idx_search_fts, rowid, {names})"
        f" VALUES ('delete', old.id, {old});"
        f" INSERT INTO idx_search_fts(rowid, {names}) VALUES (new.id, {new}); END",
        "INSERT INTO idx_search_fts(idx_search_fts) VALUES ('rebuild')",
        "CREATE VIRTUAL TABLE idx_search_vocab USING fts5vocab(idx_search_fts, 'row')",
    ]


def _vector(parts: list[str]) -> list[str]:
    weighted = " || ".join(parts)
    return [
        "DROP INDEX IF EXISTS idx_search_documents_gin",
        "ALTER TABLE search_documents DROP COLUMN IF EXISTS idx_search_vector",
        f"ALTER TABLE search_documents ADD COLUMN idx_search_vector tsvector GENERATED ALWAYS AS"
        f" ({weighted}) STORED",
        "CREATE INDEX idx_search_documents_gin ON search_documents"
        " USING gin (tenant_id, idx_search_vector) WITH (fastupdate = off)",
    ]


TITLE = "setweight(to_tsvector('simple', terms_title), 'A')"
BODY = "setweight(to_tsvector('simple', terms_body), 'B')"
SKILLS = "setweight(to_tsvector('simple', terms_skills), 'C')"
UP = {
    "sqlite": _fts5(["terms_title", "terms_body", "terms_skills"], "5.0, 1.0, 0.5"),
    "postgresql": _vector([TITLE, BODY, SKILLS]),
}
DOWN = {
    "sqlite": _fts5(["terms_title", "terms_body"], "5.0, 1.0"),
    "postgresql": _vector([TITLE, BODY]),
}

revision = "7d5301983fe3"
down_revision = "38bfff862271"
branch_labels = None
depends_on = None


def _run(statements: dict) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("terms_skills", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("skill_labels", sa.JSON(), nullable=False, server_default="[]")
        )
    _run(UP)


def downgrade() -> None:
    # Whatever reads terms_skills (FTS5 and its triggers, the generated vector) goes first; the
    # columns are dropped in place (a batch copy of the table would lose the R*Tree triggers).
    _run(DOWN)
    op.execute("ALTER TABLE search_documents DROP COLUMN skill_labels")
    op.execute("ALTER TABLE search_documents DROP COLUMN terms_skills")
