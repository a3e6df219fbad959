"""people: profile shared or private

Every existing profile becomes private (finding 12): the person shares it again if they wish.

Revision ID: 53004b86d028
Revises: 262952657995
Create Date: 2026-12-06 06:42:22.428910
"""

import sqlalchemy as sa
from alembic import op

revision = "53004b86d028"
down_revision = "262952657995"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("profile_public", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("profile_public")
