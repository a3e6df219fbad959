"""badges: badge rows keyed by (tenant_id, id), for Citus, with composite keys between them

The ten tables of issuers, classes and awards get the primary key ``(tenant_id, id)`` (SQLite:
the rowid and a unique index beside it, col_core/db/city_keys.py), every foreign key pointing
at them becomes ``(tenant_id, x_id) REFERENCES x (tenant_id, id)``, and their unique
constraints hold within a city: a badge's uid, a claim code and an accept token are always
looked up in the city of the URL they came with.  A wallet offer, which had no foreign key to its
badge for want of this key, gets one (offers whose badge is gone are dropped: they were refused).

Revision ID: b7d2e5f8a314
Revises: 8195d9a2f02e
Create Date: 2026-12-07 03:40:00.000000
"""

from alembic import op

from col_core.db import city_keys

revision = "b7d2e5f8a314"
down_revision = "8195d9a2f02e"
branch_labels = None
depends_on = None

TABLES = (
    "badge_issuers",
    "badge_issuer_keys",
    "badge_classes",
    "badge_prerequisites",
    "badge_held_awards",
    "badge_assertions",
    "badge_claim_codes",
    "badge_evidence",
    "badge_evidence_reviews",
    "badge_endorsements",
)

# {table: {unique constraint: its columns besides tenant_id}}; the names stay.
UNIQUE = {
    "badge_issuers": {"uq_badge_issuers_organisation_id": ["organisation_id"]},
    "badge_prerequisites": {
        "uq_badge_prerequisites_badge_class_id": ["badge_class_id", "required_id"]
    },
    "badge_held_awards": {"uq_badge_held_awards_badge_class_id": ["badge_class_id", "user_id"]},
    "badge_assertions": {
        "uq_badge_assertions_uid": ["uid"],
        "uq_badge_assertions_accept_token": ["accept_token"],
        "uq_badge_assertions_issuer_id": ["issuer_id", "status_index"],
    },
    "badge_claim_codes": {"uq_badge_claim_codes_code": ["code"]},
    "badge_endorsements": {"uq_badge_endorsements_endorser_id": ["endorser_id", "status_index"]},
}


OFFER_BADGE = "fk_badge_wallet_offers_assertion_id_badge_assertions"


def upgrade() -> None:
    city_keys.rekey_with_references(op, TABLES, city_keys.CITY_KEY)
    _make_unique(within_city=True)
    op.execute(
        "DELETE FROM badge_wallet_offers WHERE NOT EXISTS (SELECT 1 FROM badge_assertions"
        " WHERE badge_assertions.tenant_id = badge_wallet_offers.tenant_id"
        " AND badge_assertions.id = badge_wallet_offers.assertion_id)"
    )
    with op.batch_alter_table("badge_wallet_offers") as batch:
        batch.create_foreign_key(
            OFFER_BADGE,
            "badge_assertions",
            ["tenant_id", "assertion_id"],
            city_keys.CITY_KEY,
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("badge_wallet_offers") as batch:
        batch.drop_constraint(OFFER_BADGE, type_="foreignkey")
    _make_unique(within_city=False)
    city_keys.rekey_with_references(op, TABLES, ["id"])


def _make_unique(within_city: bool) -> None:
    """Each constraint of ``UNIQUE`` again, with tenant_id first or without it (SQLite copies
    the table, with foreign keys off: col_core.db.migrate.sqlite_foreign_keys_off)."""
    prefix = ["tenant_id"] if within_city else []
    for table, constraints in UNIQUE.items():
        with op.batch_alter_table(table) as batch:
            for name, columns in constraints.items():
                batch.drop_constraint(name, type_="unique")
                batch.create_unique_constraint(name, [*prefix, *columns])
