"""tenancy: the core's city tables that others refer to keyed by (tenant_id, id), for Citus

Organisations, activities and the rows that hang off them: each table's primary key becomes
``(tenant_id, id)`` (on SQLite ``(id)`` with a unique index on ``(tenant_id, id)`` beside it,
col_core/db/city_keys.py), every foreign key pointing at them, whichever package owns it,
becomes ``(tenant_id, x_id) REFERENCES x (tenant_id, id)``, and their unique constraints start
with ``tenant_id``.  The database then refuses a row that points at another city's row.

Revision ID: a4c1d7e9f203
Revises: 81db51767f89
Create Date: 2026-12-07 03:30:00.000000
"""

from alembic import op

from col_core.db import city_keys

revision = "a4c1d7e9f203"
down_revision = "81db51767f89"
branch_labels = None
depends_on = None

TABLES = (
    "organisations",
    "activities",
    "activity_co_organisers",
    "activity_feedback",
    "activity_reminders",
    "activity_sessions",
    "activity_skills",
    "attendances",
    "invitations",
    "memberships",
    "participations",
    "webhook_attempts",
    "webhook_subscriptions",
)
# table: (its unique constraint, the columns it had before tenant_id led them)
UNIQUES = {
    "activity_co_organisers": (
        "uq_activity_co_organisers_activity_id",
        ["activity_id", "organisation_id"],
    ),
    "activity_feedback": ("uq_activity_feedback_activity_id", ["activity_id", "user_id"]),
    "activity_reminders": (
        "uq_activity_reminders_participation_id",
        ["participation_id", "session_id"],
    ),
    "activity_skills": ("uq_activity_skills_activity_id", ["activity_id", "concept_uri"]),
    "attendances": ("uq_attendances_participation_id", ["participation_id", "session_id"]),
    "invitations": ("uq_invitations_token_hash", ["token_hash"]),
    "memberships": ("uq_memberships_organisation_id", ["organisation_id", "user_id"]),
    "participations": ("uq_participations_activity_id", ["activity_id", "user_id"]),
}


def _unique_constraints(city_first: bool) -> None:
    """On SQLite a table's constraint changes by copying it (Alembic's batch mode; foreign
    keys are off meanwhile: col_core.db.migrate.sqlite_foreign_keys_off)."""
    for table, (name, columns) in UNIQUES.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="unique")
            batch.create_unique_constraint(name, ["tenant_id", *columns] if city_first else columns)


def upgrade() -> None:
    city_keys.rekey_with_references(op, TABLES, city_keys.CITY_KEY)
    _unique_constraints(city_first=True)


def downgrade() -> None:
    _unique_constraints(city_first=False)
    city_keys.rekey_with_references(op, TABLES, ["id"])
