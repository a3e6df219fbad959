"""playlists: every table keyed by (tenant_id, id), its references composite, for Citus

As the core's conversion (col_core/db/city_keys.py ``rekey_with_references``): the keys become
``(tenant_id, id)`` and every foreign key pointing at these tables ``(tenant_id, x_id)``, so the
database refuses a row naming another city's row.  Each unique constraint starts with
``tenant_id``.  An item's unlock condition (``unlock_after_id``) was ``ON DELETE SET NULL``,
which as a composite key would empty ``tenant_id`` too: it loses its ON DELETE action first
(the builder clears the condition before removing the item it names).

On SQLite a constraint is part of the table's definition, so the tables with a unique
constraint are copied, with foreign keys off (col_core.db.migrate), taking no row with them.

Revision ID: c9e3f6a1b425
Revises: c8f2a6d4e1b9
Create Date: 2026-12-07 03:30:00.000000
"""

from alembic import op

from col_core.db import city_keys

revision = "c9e3f6a1b425"
down_revision = "c8f2a6d4e1b9"
branch_labels = None
depends_on = None

TABLES = (
    "playlists",
    "playlist_items",
    "playlist_badges",
    "playlist_enrolments",
    "playlist_item_completions",
    "playlist_awards",
    "playlist_notices",
)
# Table -> the columns of its unique constraint, after tenant_id; named by its first column.
UNIQUE = {
    "playlist_items": ["playlist_id", "activity_id"],
    "playlist_badges": ["playlist_id", "threshold"],
    "playlist_enrolments": ["playlist_id", "user_id"],
    "playlist_item_completions": ["enrolment_id", "item_id"],
    "playlist_awards": ["enrolment_id", "playlist_badge_id"],
    "playlist_notices": ["item_id", "user_id", "kind"],
}
UNLOCK_AFTER = "fk_playlist_items_unlock_after_id_playlist_items"


def unlock_after(batch_op, ondelete: str | None) -> None:
    batch_op.drop_constraint(UNLOCK_AFTER, type_="foreignkey")
    batch_op.create_foreign_key(
        UNLOCK_AFTER, "playlist_items", ["unlock_after_id"], ["id"], ondelete=ondelete
    )


def upgrade() -> None:
    for table, columns in UNIQUE.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_{columns[0]}", type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_tenant_id", ["tenant_id", *columns])
            if table == "playlist_items":
                unlock_after(batch_op, None)
    city_keys.rekey_with_references(op, TABLES, city_keys.CITY_KEY)


def downgrade() -> None:
    city_keys.rekey_with_references(op, TABLES, ["id"])
    for table, columns in UNIQUE.items():
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_tenant_id", type_="unique")
            batch_op.create_unique_constraint(f"uq_{table}_{columns[0]}", columns)
            if table == "playlist_items":
                unlock_after(batch_op, "SET NULL")
