"""badges: endorsements, and the city's own issuer (an issuer without an organisation)

Revision ID: 76fc692a632b
Revises: 7c41d2e9a0b3
Create Date: 2026-12-06 16:13:26.842330
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "76fc692a632b"
down_revision = "7c41d2e9a0b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "badge_endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endorser_id", sa.Integer(), nullable=False),
        sa.Column("badge_class_id", sa.Integer(), nullable=True),
        sa.Column("subject_issuer_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_index", sa.Integer(), nullable=False),
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
            ["badge_class_id"],
            ["badge_classes.id"],
            name=op.f("fk_badge_endorsements_badge_class_id_badge_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["endorser_id"],
            ["badge_issuers.id"],
            name=op.f("fk_badge_endorsements_endorser_id_badge_issuers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_issuer_id"],
            ["badge_issuers.id"],
            name=op.f("fk_badge_endorsements_subject_issuer_id_badge_issuers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_badge_endorsements_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_endorsements")),
        sa.UniqueConstraint(
            "endorser_id", "status_index", name=op.f("uq_badge_endorsements_endorser_id")
        ),
    )
    with op.batch_alter_table("badge_endorsements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_badge_endorsements_badge_class_id"), ["badge_class_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_badge_endorsements_endorser_id"), ["endorser_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_badge_endorsements_subject_issuer_id"),
            ["subject_issuer_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_badge_endorsements_tenant_id"), ["tenant_id"], unique=False
        )

    _issuer_organisation_nullable(True)


def downgrade() -> None:
    op.execute("DELETE FROM badge_issuers WHERE organisation_id IS NULL")
    _issuer_organisation_nullable(False)

    with op.batch_alter_table("badge_endorsements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_endorsements_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_badge_endorsements_subject_issuer_id"))
        batch_op.drop_index(batch_op.f("ix_badge_endorsements_endorser_id"))
        batch_op.drop_index(batch_op.f("ix_badge_endorsements_badge_class_id"))

    op.drop_table("badge_endorsements")


def _issuer_organisation_nullable(nullable: bool) -> None:
    """``badge_issuers.organisation_id`` NULL or NOT NULL (NULL: the city's own issuer).

    Not with a batch copy on SQLite: dropping the old table with foreign keys on deletes every
    key, badge class and assertion that refers to it (ON DELETE CASCADE), and the pragma that
    turns them off is ignored inside the migration's transaction.  SQLite documents editing the
    table's schema text in place for removing or adding a NOT NULL constraint (the rows'
    format does not change): https://www.sqlite.org/lang_altertable.html#otheralter
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column("badge_issuers", "organisation_id", nullable=nullable)
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'badge_issuers'"
    ).scalar_one()
    before, after = "organisation_id INTEGER NOT NULL,", "organisation_id INTEGER,"
    if nullable:
        before, after = after, before
    new = re.sub(re.escape(after), before, sql, count=1)
    if new == sql:
        return  # already so
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'badge_issuers'",
        (new,),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
