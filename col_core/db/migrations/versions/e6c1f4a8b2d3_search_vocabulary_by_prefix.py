"""search: the city's vocabulary looked up by prefix (PostgreSQL)

Revision ID: e6c1f4a8b2d3
Revises: d4e7b2c9f1a6
Create Date: 2026-12-07 17:05:00.000000
"""

from alembic import op

revision = "e6c1f4a8b2d3"
down_revision = "d4e7b2c9f1a6"
branch_labels = None
depends_on = None

# A query's unfinished last word, after other words, is matched as the city's terms that
# complete it (col_core.activities.search.services.database, PREFIX_COMPLETIONS_MAX), found
# with LIKE 'prefix%'.  The primary key (tenant_id, term) serves LIKE only under the C
# collation; text_pattern_ops serves it under any.
UP = ["CREATE INDEX idx_search_terms_prefix ON idx_search_terms (tenant_id, term text_pattern_ops)"]
DOWN = ["DROP INDEX IF EXISTS idx_search_terms_prefix"]


def _run(statements) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in statements:
            op.execute(statement)


def upgrade() -> None:
    _run(UP)


def downgrade() -> None:
    _run(DOWN)
