"""badges: the share page names the recipient only if they choose so

Revision ID: 7c41d2e9a0b3
Revises: b9c5824b4500
Create Date: 2026-12-06 13:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7c41d2e9a0b3"
down_revision = "b9c5824b4500"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing badges stay anonymous on their share pages, as they were.
    op.add_column(
        "badge_assertions",
        sa.Column("show_name", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("badge_assertions") as batch:
        batch.drop_column("show_name")
