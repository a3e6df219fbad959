"""esco: tags and learners' skills keyed by (tenant_id, id), for Citus

As the core's 81db51767f89, with the same helper (col_core/db/city_keys.py).  A learner's
skill is unique within its city: the unique constraint starts with ``tenant_id``.  On SQLite
that constraint is part of the table's definition, so esco_learner_skills is copied; nothing
refers to it, so dropping the old copy takes no other row with it.

Revision ID: f05c7f079a34
Revises: 74909fd2b43a
Create Date: 2026-12-06 23:20:00.000000
"""

from alembic import op

from col_core.db import city_keys

revision = "f05c7f079a34"
down_revision = "74909fd2b43a"
branch_labels = None
depends_on = None

TABLES = ("esco_learner_skills", "esco_skill_tags")
SKILL = ["user_id", "concept_uri", "source_type", "source_id"]


def unique(old: str, new: str, columns: list[str]) -> None:
    with op.batch_alter_table("esco_learner_skills") as batch_op:
        batch_op.drop_constraint(old, type_="unique")
        batch_op.create_unique_constraint(new, columns)


def upgrade() -> None:
    unique(
        "uq_esco_learner_skills_user_id", "uq_esco_learner_skills_tenant_id", ["tenant_id", *SKILL]
    )
    city_keys.rekey(op, TABLES, city_keys.CITY_KEY)


def downgrade() -> None:
    city_keys.rekey(op, TABLES, ["id"])
    unique("uq_esco_learner_skills_tenant_id", "uq_esco_learner_skills_user_id", SKILL)
