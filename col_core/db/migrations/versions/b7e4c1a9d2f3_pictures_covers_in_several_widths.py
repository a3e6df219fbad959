"""pictures: covers re-encoded in several widths; alt text; organisations' covers

Revision ID: b7e4c1a9d2f3
Revises: 5b0d3e7c9a21
Create Date: 2026-12-06 19:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

from col_core.tenancy import rls

revision = "b7e4c1a9d2f3"
down_revision = "5b0d3e7c9a21"
branch_labels = None
depends_on = None

# Covers stored before keep their key and no ``pictures`` row: they are shown as they are,
# without srcset, until an organiser uploads them again.


def upgrade() -> None:
    op.create_table(
        "pictures",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_pictures_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "key", name=op.f("pk_pictures")),
    )
    op.create_index(op.f("ix_pictures_tenant_id"), "pictures", ["tenant_id"], unique=False)
    rls.enable(op, "pictures")
    op.add_column(
        "activities",
        sa.Column("cover_alt", sa.String(length=300), nullable=False, server_default=""),
    )
    op.add_column("organisations", sa.Column("cover", sa.String(length=80), nullable=True))
    op.add_column(
        "organisations",
        sa.Column("cover_alt", sa.String(length=300), nullable=False, server_default=""),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite has it natively): a batch rebuild would drop and re-create the
    # tables, and dropping organisations deletes their activities (ON DELETE CASCADE).
    op.drop_column("organisations", "cover_alt")
    op.drop_column("organisations", "cover")
    op.drop_column("activities", "cover_alt")
    op.drop_index(op.f("ix_pictures_tenant_id"), table_name="pictures")
    op.drop_table("pictures")
