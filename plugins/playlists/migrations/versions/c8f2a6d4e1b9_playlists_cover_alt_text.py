"""playlists: the cover's alt text

Revision ID: c8f2a6d4e1b9
Revises: 6a2b3c4d5e7f
Create Date: 2026-12-06 19:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c8f2a6d4e1b9"
down_revision = "6a2b3c4d5e7f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "playlists",
        sa.Column("cover_alt", sa.String(length=300), nullable=False, server_default=""),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite has it natively): a batch rebuild drops and re-creates the table,
    # and dropping playlists deletes their items and enrolments (ON DELETE CASCADE).
    op.drop_column("playlists", "cover_alt")
