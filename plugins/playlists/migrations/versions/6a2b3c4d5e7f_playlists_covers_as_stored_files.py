"""playlists: record existing playlist covers as public stored files of their city

Revision ID: 6a2b3c4d5e7f
Revises: 94c1e09d686f
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from col_core.db.migrate_files import record_legacy_files

revision = "6a2b3c4d5e7f"
down_revision = "94c1e09d686f"
branch_labels = None
depends_on = "701db2ad0ef0"  # core: stored_files


def upgrade() -> None:
    c = sa.column
    bind = op.get_bind()
    record_legacy_files(
        bind,
        [
            (city, cover, None, "public", "cover")
            for city, cover in bind.execute(
                sa.select(c("tenant_id"), c("cover")).select_from(sa.table("playlists"))
            )
        ],
    )


def downgrade() -> None:
    pass  # the core's downgrade drops the table
