"""tenancy: city rows keyed by (tenant_id, id), for Citus (the tables nothing refers to)

Citus shards a table by ``tenant_id`` only when its primary key includes it.  PostgreSQL: the
primary key becomes ``(tenant_id, id)``; ``id`` keeps its sequence.  SQLite numbers only a
single-column integer key, so there the key stays ``(id)``, a rowid, and a unique index on
``(tenant_id, id)`` is added (col_core/db/city_keys.py): no table is rebuilt, no row moves.

Revision ID: 81db51767f89
Revises: e3a9c7d41b58
Create Date: 2026-12-06 23:20:00.000000
"""

from alembic import op

from col_core.db import city_keys

revision = "81db51767f89"
down_revision = "e3a9c7d41b58"
branch_labels = None
depends_on = None

TABLES = (
    "analytics_active_learners",
    "analytics_daily",
    "city_admins",
    "consents",
    "jobs",
    "notifications",
    "search_documents",
    "search_versions",
    "stored_files",
)


def upgrade() -> None:
    city_keys.rekey(op, TABLES, city_keys.CITY_KEY)


def downgrade() -> None:
    city_keys.rekey(op, TABLES, ["id"])
