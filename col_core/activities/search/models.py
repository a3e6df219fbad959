"""The city's search documents: one row per searchable thing, with its filter fields unpacked.

Every backend reads documents from here: the database backend searches this table directly
(through an FTS5 table kept by triggers on SQLite, a generated ``tsvector`` column on
PostgreSQL), and the Whoosh backend rebuilds and follows its on-disk index from it.  ``terms_*``
hold the analysed text (see ``analysis``), so SQLite, PostgreSQL and Whoosh match the same words.
Database-maintained structures created by hand in the migration are named ``idx_*``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.meta import Base, utcnow
from col_core.tenancy.scoping import CityKeyed


class SearchDocumentRow(CityKeyed, Base):
    __tablename__ = "search_documents"
    # Index tables that hold copies of the documents' text and places (not on PostgreSQL).
    __tenant_shadow_tables__ = (
        "idx_search_fts",
        "idx_search_rtree",
        "idx_search_vocab",
        "idx_search_terms",
    )
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "key"),
        Index("ix_search_documents_tenant_starts", "tenant_id", "starts_at"),
        # The map's filters too (kind, end): a tile's grouped count reads this index alone.
        Index("ix_search_documents_tenant_place", "tenant_id", "lat", "lon", "kind", "ends_at"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    terms_title: Mapped[str] = mapped_column(Text, default="")
    terms_body: Mapped[str] = mapped_column(Text, default="")
    # The terms of its skills' labels, each stemmed as its language; weighs less than the body.
    terms_skills: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(64), default="")
    # Multi-valued fields as "|a|b|", so one LIKE '%|a|%' filters them on every database.
    skills: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[str] = mapped_column(String(200), default="")
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    online: Mapped[bool] = mapped_column(default=False)
    in_person: Mapped[bool] = mapped_column(default=True)
    price: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # (language, label) of its skills, as indexed (the Whoosh backend analyses them again).
    skill_labels: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SearchVersion(CityKeyed, Base):
    """A counter bumped in the same transaction as any change to a city's documents.

    Feeds derived from the index (GeoJSON, iCalendar) use it for ETags and caches: an unchanged
    version means an unchanged answer.
    """

    __tablename__ = "search_versions"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    version: Mapped[int] = mapped_column(default=1)
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
