"""badges: record existing badge images and evidence files as stored files with owners

Badge images are public (no owner: the organisation's).  Evidence is private to the learner
who submitted it (and those who review it), except evidence the learner chose to show with a
badge it earned (public and approved), which verifiers fetch from the assertion.

Revision ID: 5f1e2d3c4b6a
Revises: baa7ffda6999
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
from alembic import op

from col_core.db.migrate_files import record_legacy_files

revision = "5f1e2d3c4b6a"
down_revision = "baa7ffda6999"
branch_labels = None
depends_on = "701db2ad0ef0"  # core: stored_files


def upgrade() -> None:
    bind = op.get_bind()
    c = sa.column
    rows = [
        (city, image, None, "public", "badge-image")
        for city, image in bind.execute(
            sa.select(c("tenant_id"), c("image")).select_from(sa.table("badge_classes"))
        )
    ]
    for city, user_id, key, public, status in bind.execute(
        sa.select(c("tenant_id"), c("user_id"), c("file"), c("public"), c("status")).select_from(
            sa.table("badge_evidence")
        )
    ):
        shown = bool(public) and status == "approved"
        rows.append((city, key, user_id, "public" if shown else "private", "evidence"))
    record_legacy_files(bind, rows)


def downgrade() -> None:
    op.execute("DELETE FROM stored_files WHERE purpose IN ('badge-image', 'evidence')")
