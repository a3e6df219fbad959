"""people: session families for single sign-on

Revision ID: 5b0d3e7c9a21
Revises: 7d5301983fe3
Create Date: 2026-12-06 19:35:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "5b0d3e7c9a21"
down_revision = "7d5301983fe3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The sessions one browser holds on the network's sites (docs/security.md: single sign-on).
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_user_sessions_family"), ["family"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_family"))
        batch_op.drop_column("family")
