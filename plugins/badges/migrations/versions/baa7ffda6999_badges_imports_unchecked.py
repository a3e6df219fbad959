"""badges: imports made before recipients were checked are unchecked

Wallet imports used to be kept without checking that the badge was awarded to the person
importing it (finding 11), so none of the existing ones is known to be theirs: they are shown
as unverified until the person adds them again, which checks the recipient.

Revision ID: baa7ffda6999
Revises: 2bd474245e03
Create Date: 2026-12-06 06:37:27
"""

from alembic import op

revision = "baa7ffda6999"
down_revision = "2bd474245e03"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE badge_imports SET status = 'unchecked'")


def downgrade() -> None:
    # Which imports were valid and which expired is not kept; adding them again re-checks.
    pass
