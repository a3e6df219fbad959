"""esco: skills shown only by badges revoked before revocation withdrew them are forgotten

Revoking a badge now withdraws the skills it added to the learner's profile (finding 12);
this does the same for the badges revoked earlier.  The badges plugin's table is read only
where it exists (a platform may run without that plugin).

Revision ID: 74909fd2b43a
Revises: 3f20bbd0d77a
Create Date: 2026-12-06 06:42:56
"""

import sqlalchemy as sa
from alembic import op

revision = "74909fd2b43a"
down_revision = "3f20bbd0d77a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("badge_assertions"):
        return
    op.execute(
        "DELETE FROM esco_learner_skills WHERE source_type = 'badge' AND source_id IN"
        " (SELECT id FROM badge_assertions WHERE revoked_at IS NOT NULL)"
    )


def downgrade() -> None:
    # The withdrawn skills came from revoked badges; nothing would bring them back rightly.
    pass
