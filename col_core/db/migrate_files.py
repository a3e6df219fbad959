"""Shared by the migrations that give files stored before ``stored_files`` their rows."""

from __future__ import annotations

import sqlalchemy as sa

_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}


def record_legacy_files(bind, rows) -> None:
    """Insert one ``stored_files`` row per distinct (city, key, owner, visibility, purpose) of
    ``rows``; keys that are not well-formed storage keys are skipped.  The size is unknown."""
    table = sa.table(
        "stored_files",
        sa.column("tenant_id"),
        sa.column("key"),
        sa.column("owner_id"),
        sa.column("visibility"),
        sa.column("purpose"),
        sa.column("content_type"),
        sa.column("size"),
    )
    existing = set(
        bind.execute(
            sa.select(
                table.c.tenant_id,
                table.c.key,
                table.c.owner_id,
                table.c.visibility,
                table.c.purpose,
            )
        )
    )
    values = []
    for row in rows:
        city, key, owner, visibility, purpose = row
        if not isinstance(key, str) or city is None or row in existing:
            continue
        digest, _, ext = key.partition(".")
        if len(digest) != 64 or ext not in _TYPES:
            continue
        existing.add(row)
        values.append(
            {
                "tenant_id": city,
                "key": key,
                "owner_id": owner,
                "visibility": visibility,
                "purpose": purpose,
                "content_type": _TYPES[ext],
                "size": None,
            }
        )
    if values:
        bind.execute(table.insert(), values)
