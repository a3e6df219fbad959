"""Writing and reading search documents in the current transaction (Core statements, no ORM).

Writers go through ``save`` and ``remove``, which also bump the city's ``SearchVersion`` and
note the change in ``session.info`` so that an after-commit follower (the Whoosh backend) can
apply exactly what was committed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import DateTime, and_, bindparam, delete, insert, select, text, tuple_
from sqlalchemy.orm import Session
from zope.sqlalchemy import mark_changed

from col_core.activities.search.analysis import index_terms, label_terms
from col_core.activities.search.models import SearchDocumentRow, SearchVersion
from col_core.activities.search.query import Document

TABLE = SearchDocumentRow.__table__
VERSIONS = SearchVersion.__table__
PENDING_KEY = "col.search.pending"
# Every statement here names its city itself (the tenant_id its caller passes), so the ORM
# wall (col_core.tenancy.wall) leaves them be; reviewed.
FILTERED = {"filters_tenant_itself": "search store: each statement names its city"}
_BUMP = (
    text(
        "INSERT INTO search_versions (tenant_id, version, changed_at) VALUES (:tenant, 1, :now) "
        "ON CONFLICT (tenant_id) DO UPDATE SET version = search_versions.version + 1, "
        "changed_at = :now"
    )
    .bindparams(bindparam("now", type_=DateTime(timezone=True)))
    .execution_options(**FILTERED)
)


def _packed(values) -> str:
    return "|" + "|".join(values) + "|" if values else ""


def unpacked(value: str) -> tuple[str, ...]:
    return tuple(filter(None, value.split("|"))) if value else ()


def row_values(tenant_id: int, languages: tuple[str, ...], document: Document) -> dict:
    return {
        "tenant_id": tenant_id,
        "kind": document.kind,
        "key": document.key,
        "title": document.title[:300],
        "body": document.body,
        "url": document.url,
        "terms_title": " ".join(index_terms(document.title, languages)),
        "terms_body": " ".join(index_terms(document.body, languages)),
        "terms_skills": " ".join(label_terms(document.skill_labels, languages)),
        "skill_labels": [list(label) for label in document.skill_labels],
        "category": document.category or "",
        "skills": _packed(document.skills),
        "languages": _packed(document.languages),
        "accessibility": _packed(document.accessibility),
        "starts_at": document.starts_at,
        "ends_at": document.ends_at,
        "lat": document.lat,
        "lon": document.lon,
        "online": bool(document.online),
        "in_person": bool(document.in_person),
        "price": document.price,
        "age_min": document.age_min,
        "age_max": document.age_max,
        "extra": document.extra or {},
        "updated_at": dt.datetime.now(dt.UTC),
    }


def document_from_row(row) -> Document:
    return Document(
        kind=row.kind,
        key=row.key,
        title=row.title,
        body=row.body,
        url=row.url,
        category=row.category,
        skills=unpacked(row.skills),
        starts_at=_aware(row.starts_at),
        ends_at=_aware(row.ends_at),
        lat=row.lat,
        lon=row.lon,
        online=bool(row.online),
        in_person=bool(row.in_person),
        price=row.price,
        age_min=row.age_min,
        age_max=row.age_max,
        languages=unpacked(row.languages),
        accessibility=unpacked(row.accessibility),
        extra=row.extra or {},
        # Search pages do not read the labels (database.DOCUMENT_COLUMNS): only what indexes.
        skill_labels=tuple(tuple(label) for label in row._mapping.get("skill_labels") or ()),
    )


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Stored times are UTC (SQLite keeps no offset, so every time must share one)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def normalized(document: Document) -> Document:
    return replace(document, starts_at=utc(document.starts_at), ends_at=utc(document.ends_at))


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite gives naive datetimes back; every stored time is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def pending(session: Session, tenant_id: int, languages: tuple[str, ...]) -> dict:
    """This transaction's not yet committed changes of one city, for after-commit followers."""
    return session.info.setdefault(PENDING_KEY, {}).setdefault(
        tenant_id, {"languages": languages, "documents": {}, "rebuilt": None}
    )


def _bump(session: Session, tenant_id: int) -> None:
    # Core statements leave the ORM unaware of changes: tell the transaction manager to commit.
    mark_changed(session)
    session.connection().execute(_BUMP, {"tenant": tenant_id, "now": dt.datetime.now(dt.UTC)})


def save(
    session: Session, tenant_id: int, languages: tuple[str, ...], documents, follow: bool = True
) -> None:
    """Add or replace ``documents`` (query.Document) of one city, in the session's transaction.

    ``follow=False`` leaves them out of the notes for after-commit followers (a full rebuild
    hands its followers a finished index instead)."""
    documents = [normalized(d) for d in documents]
    if not documents:
        return
    connection = session.connection()
    keys = [(d.kind, d.key) for d in documents]
    for start in range(0, len(keys), 500):
        connection.execute(
            delete(TABLE).where(
                TABLE.c.tenant_id == tenant_id,
                tuple_(TABLE.c.kind, TABLE.c.key).in_(keys[start : start + 500]),
            ),
            execution_options=FILTERED,
        )
    connection.execute(
        insert(TABLE),
        [row_values(tenant_id, languages, d) for d in documents],
        execution_options=FILTERED,
    )
    if follow:
        changes = pending(session, tenant_id, languages)["documents"]
        changes.update(((d.kind, d.key), d) for d in documents)
    _bump(session, tenant_id)


def remove(session: Session, tenant_id: int, languages: tuple[str, ...], kind: str, keys) -> None:
    keys = [str(key) for key in keys]
    if not keys:
        return
    session.connection().execute(
        delete(TABLE).where(
            and_(TABLE.c.tenant_id == tenant_id, TABLE.c.kind == kind, TABLE.c.key.in_(keys))
        ),
        execution_options=FILTERED,
    )
    pending(session, tenant_id, languages)["documents"].update(((kind, key), None) for key in keys)
    _bump(session, tenant_id)


def clear(session: Session, tenant_id: int) -> None:
    session.connection().execute(
        delete(TABLE).where(TABLE.c.tenant_id == tenant_id), execution_options=FILTERED
    )
    _bump(session, tenant_id)


# Read by every answer of the map and the feeds (their ETags): built once.
_VERSION = select(VERSIONS.c.version, VERSIONS.c.changed_at).where(
    VERSIONS.c.tenant_id == bindparam("tenant")
)


def version(session: Session, tenant_id: int) -> tuple[int, dt.datetime | None]:
    row = (
        session.connection()
        .execute(_VERSION, {"tenant": tenant_id}, execution_options=FILTERED)
        .first()
    )
    return (row.version, _aware(row.changed_at)) if row else (0, None)


def documents(session: Session, tenant_id: int, keys) -> dict:
    """The stored documents of one city by ``(kind, key)``; None for each one not stored."""
    keys = [tuple(key) for key in keys]
    found: dict = dict.fromkeys(keys)
    for start in range(0, len(keys), 500):
        for row in session.connection().execute(
            select(TABLE).where(
                TABLE.c.tenant_id == tenant_id,
                tuple_(TABLE.c.kind, TABLE.c.key).in_(keys[start : start + 500]),
            ),
            execution_options=FILTERED,
        ):
            found[(row.kind, row.key)] = document_from_row(row)
    return found


def all_documents(session: Session, tenant_id: int):
    result = session.connection().execute(
        select(TABLE).where(TABLE.c.tenant_id == tenant_id).order_by(TABLE.c.id),
        execution_options=FILTERED,
    )
    for row in result:
        yield document_from_row(row)
