"""activities: step text stored as typed, not escaped

Revision ID: 235130465a59
Revises: 49a4fa580c1f
Create Date: 2026-12-06 07:03:08.040984
"""

import html

import sqlalchemy as sa
from alembic import op

# The text of learning resources was stored HTML-escaped ("&amp;") and escaped again on the
# page ("&amp;amp;"); it is now stored as typed and escaped once where it is shown.
ACTIVITIES = sa.table("activities", sa.column("id", sa.Integer), sa.column("resources", sa.JSON))


revision = "235130465a59"
down_revision = "49a4fa580c1f"
branch_labels = None
depends_on = None


def _rewrite_texts(change) -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:  # the owner sees every city's rows only while the table does not force RLS
        op.execute("ALTER TABLE activities NO FORCE ROW LEVEL SECURITY")
    rows = bind.execute(sa.select(ACTIVITIES.c.id, ACTIVITIES.c.resources)).all()
    for row in rows:
        resources = [
            {**resource, "text": change(resource["text"])}
            if isinstance(resource, dict) and isinstance(resource.get("text"), str)
            else resource
            for resource in row.resources or []
        ]
        if resources != (row.resources or []):
            bind.execute(
                ACTIVITIES.update().where(ACTIVITIES.c.id == row.id).values(resources=resources)
            )
    if postgresql:
        op.execute("ALTER TABLE activities FORCE ROW LEVEL SECURITY")


def upgrade() -> None:
    _rewrite_texts(html.unescape)


def downgrade() -> None:
    _rewrite_texts(lambda text: html.escape(text, quote=False))
