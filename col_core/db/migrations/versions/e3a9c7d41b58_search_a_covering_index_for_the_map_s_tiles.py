"""search: the place index also holds kind and ends_at, so a tile's count reads it alone

Revision ID: e3a9c7d41b58
Revises: b7e4c1a9d2f3
Create Date: 2026-12-06 23:15:00.000000
"""

from alembic import op

revision = "e3a9c7d41b58"
down_revision = "b7e4c1a9d2f3"
branch_labels = None
depends_on = None

# The map's grouped statement filters on the city, the place, the kind and the end: with all
# of them in the index, a low-zoom tile (most of a city) is counted without reading the rows.
OLD = ("ix_search_documents_tenant_lat_lon", ["tenant_id", "lat", "lon"])
NEW = ("ix_search_documents_tenant_place", ["tenant_id", "lat", "lon", "kind", "ends_at"])


def upgrade() -> None:
    op.create_index(NEW[0], "search_documents", NEW[1])
    op.drop_index(OLD[0], table_name="search_documents")


def downgrade() -> None:
    op.create_index(OLD[0], "search_documents", OLD[1])
    op.drop_index(NEW[0], table_name="search_documents")
