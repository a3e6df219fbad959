"""The endorsements migration makes ``badge_issuers.organisation_id`` nullable (the city's own
issuer) without losing what refers to the issuers.

On SQLite a batch copy would drop the old table with foreign keys on, and ON DELETE CASCADE
would take every key, badge class and assertion with it; the migration edits the schema in
place instead.  This upgrades a database that already holds an issuer and its key.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from col_core.db import make_engine, migrate

BEFORE = "7c41d2e9a0b3"  # the badges lineage's head before endorsements
ENDORSEMENTS = "76fc692a632b"
NOW = "CURRENT_TIMESTAMP"
ROWS = [
    "INSERT INTO tenants (id, slug, kind, name, names, country, timezone, default_locale, "
    "locales, branding, map, settings, active, created_at, updated_at) VALUES (1, 'x', 'city', "
    f"'X', '{{}}', '', 'UTC', 'en', '[]', '{{}}', '{{}}', '{{}}', true, {NOW}, {NOW})",
    "INSERT INTO organisations (id, tenant_id, name, slug, type, description, website, "
    "contact_email, phone, address, primary_locale, verification_method, created_at, "
    f"updated_at) VALUES (1, 1, 'O', 'o', 'ngo', '', '', '', '', '', 'en', '', {NOW}, {NOW})",
    "INSERT INTO badge_issuers (id, tenant_id, organisation_id, email, created_at, updated_at) "
    f"VALUES (1, 1, 1, '', {NOW}, {NOW})",
    "INSERT INTO badge_issuer_keys (id, tenant_id, issuer_id, kind, public_pem, private_pem, "
    f"created_at, updated_at) VALUES (1, 1, 1, 'rsa', 'pem', 'pem', {NOW}, {NOW})",
]


def _count(connection, table: str) -> int:
    return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_upgrading_keeps_issuers_keys_and_allows_the_city_issuer(registry, tmp_path):
    plugins = registry["col.plugins"]
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with engine.begin() as connection:
            command.upgrade(migrate.alembic_config(connection, plugins), BEFORE)
            for statement in ROWS:
                connection.execute(text(statement))
        with engine.begin() as connection:
            migrate.upgrade(connection, plugins)
            assert _count(connection, "badge_issuer_keys") == 1
            connection.execute(
                text(
                    "INSERT INTO badge_issuers (tenant_id, organisation_id, email, created_at, "
                    f"updated_at) VALUES (1, NULL, '', {NOW}, {NOW})"
                )
            )
            assert migrate.differences(connection, plugins) == []
        with engine.begin() as connection:
            # Back down: the city's issuer goes, the organisation's stays with its key.
            migrate.downgrade(connection, BEFORE, plugins)
            assert _count(connection, "badge_issuers") == 1
            assert _count(connection, "badge_issuer_keys") == 1
    finally:
        engine.dispose()
