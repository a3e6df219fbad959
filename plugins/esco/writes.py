"""Bulk writes the importer needs, the same on SQLite and PostgreSQL: upserts through each
dialect's ``INSERT ... ON CONFLICT`` and the closure table rebuilt in one statement."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plugins.esco.folding import words
from plugins.esco.models import LABEL_KINDS, Broader, Closure, Concept, Label, LabelWord

_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
# ESCO has no cycles; the bound only keeps a corrupt download from looping for ever.
MAX_DEPTH = 16


def _insert(session: Session, table: Table):
    return _DIALECT_INSERT[session.get_bind().dialect.name](table)


def insert_ignore(session: Session, table: Table, rows: Sequence[dict]) -> None:
    """Insert rows, skipping those whose primary key exists already."""
    if rows:
        session.execute(_insert(session, table).on_conflict_do_nothing(), _unique(table, rows))


def upsert(
    session: Session, table: Table, rows: Sequence[dict], update: Iterable[str], where=None
) -> None:
    """Insert rows or update the ``update`` columns of those whose primary key exists."""
    if not rows:
        return
    stmt = _insert(session, table)
    keys = [c.name for c in table.primary_key.columns]
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=keys,
            set_={c: stmt.excluded[c] for c in update},
            where=where(table, stmt) if where else None,
        ),
        _unique(table, rows),
    )


def upsert_concepts(session: Session, rows: Sequence[dict]) -> None:
    """Insert concepts or update them, unless the stored row comes from a newer ESCO version
    (importing an older language folder for its labels must not downgrade a concept)."""
    if rows:
        upsert(
            session,
            Concept.__table__,
            rows,
            [c for c in rows[0] if c != "uri"],
            where=lambda table, stmt: table.c.version <= stmt.excluded.version,
        )


def set_codes(session: Session, codes: dict[str, str]) -> None:
    """Set hierarchy codes (``T4.1``) given by ``skillsHierarchy`` rows."""
    if codes:
        table = Concept.__table__
        session.execute(
            update(table).where(table.c.uri == bindparam("target")).values(code=bindparam("c")),
            [{"target": uri, "c": code} for uri, code in codes.items()],
        )


def _unique(table: Table, rows: Sequence[dict]) -> list[dict]:
    """The last row per primary key: one statement may not touch a row twice."""
    keys = [c.name for c in table.primary_key.columns]
    return list({tuple(row[k] for k in keys): row for row in rows}.values())


def replace_labels(session: Session, language: str, uris: Iterable[str], rows: list[dict]) -> None:
    """Make ``rows`` the labels of ``uris`` in ``language`` (a concept file is authoritative)."""
    uris = list(dict.fromkeys(uris))
    if uris:
        _delete_labels(session, language, uris)
    add_labels(session, rows)


def _delete_labels(session: Session, language: str, uris: list[str]) -> None:
    """Delete the labels of ``uris`` in ``language``, and their words."""
    old_labels = (Label.language == language, Label.concept_uri.in_(uris))
    old_ids = select(Label.id).where(*old_labels)
    session.execute(delete(LabelWord).where(LabelWord.label_id.in_(old_ids)))
    session.execute(delete(Label).where(*old_labels))


def add_missing_labels(session: Session, language: str, rows: list[dict]) -> None:
    """Add labels for the concepts that have none in ``language`` yet (hierarchy and
    collection files repeat labels the concept files give more completely)."""
    uris = {row["concept_uri"] for row in rows}
    if not uris:
        return
    labelled = set(
        session.scalars(
            select(Label.concept_uri)
            .distinct()
            .where(Label.language == language, Label.concept_uri.in_(uris))
        )
    )
    add_labels(session, [row for row in rows if row["concept_uri"] not in labelled])


def add_labels(session: Session, rows: list[dict]) -> None:
    """Insert labels and their words; each row: concept_uri, language, kind, text, folded."""
    rows = list({(r["concept_uri"], r["language"], r["kind"], r["text"]): r for r in rows}.values())
    if not rows:
        return
    kinds = dict(
        session.execute(
            select(Concept.uri, Concept.kind).where(
                Concept.uri.in_({row["concept_uri"] for row in rows})
            )
        ).all()
    )
    ids = new_label_ids(session, len(rows))
    insert_rows(
        session,
        Label.__table__,
        _LABEL_COLUMNS,
        [
            (label_id, r["concept_uri"], r["language"], r["kind"], r["text"], r["folded"])
            for label_id, r in zip(ids, rows, strict=False)
        ],
    )
    insert_rows(
        session,
        LabelWord.__table__,
        _WORD_COLUMNS,
        [
            (
                label_id,
                word,
                r["concept_uri"],
                kinds.get(r["concept_uri"], "skill"),
                r["language"],
                LABEL_KINDS.index(r["kind"]),
                position,
                len(r["folded"]),
            )
            for label_id, r in zip(ids, rows, strict=False)
            for word, position in words(r["folded"]).items()
        ],
    )


def new_label_ids(session: Session, count: int) -> list[int]:
    """Ids for ``count`` new labels, so that labels and their words go in as plain rows."""
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('esco_labels', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    # SQLite: the import's transaction holds the database's write lock, so nobody else
    # can take these ids meanwhile.
    start = (session.scalar(select(func.coalesce(func.max(Label.id), 0))) or 0) + 1
    return list(range(start, start + count))


_LABEL_COLUMNS = ("id", "concept_uri", "language", "kind", "text", "folded")
_WORD_COLUMNS = (
    "label_id",
    "word",
    "concept_uri",
    "concept_kind",
    "language",
    "label_rank",
    "position",
    "length",
)


def insert_rows(session: Session, table: Table, columns: Sequence[str], rows: list[tuple]):
    """Plain INSERT of many tuples straight through the driver: for the hundreds of thousands
    of label words, building SQLAlchemy parameters per row costs more than the database."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY: psycopg's executemany still makes one round of the protocol per row.
        # SQLAlchemy types the pooled cursor as a bare DB-API cursor; psycopg's is a context
        # manager with copy().
        cursor: Any = connection.connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['?'] * len(columns))})"
    )
    connection.exec_driver_sql(sql, rows)


def rebuild_closure(session: Session) -> int:
    """Recompute every (ancestor, descendant) pair from the broader edges; returns the count."""
    session.execute(delete(Closure))
    concept = Concept.__table__
    edge = Broader.__table__
    base = select(
        concept.c.uri.label("ancestor"),
        concept.c.uri.label("descendant"),
        literal(0).label("depth"),
    )
    walk = base.cte("walk", recursive=True)
    step = (
        select(edge.c.broader_uri, walk.c.descendant, walk.c.depth + 1)
        .join(walk, edge.c.concept_uri == walk.c.ancestor)
        .where(walk.c.depth < MAX_DEPTH)
    )
    walk = walk.union(step)
    pairs = select(walk.c.ancestor, walk.c.descendant, func.min(walk.c.depth)).group_by(
        walk.c.ancestor, walk.c.descendant
    )
    session.execute(
        insert(Closure.__table__).from_select(["ancestor_uri", "descendant_uri", "depth"], pairs)
    )
    return session.scalar(select(func.count()).select_from(Closure)) or 0


def mark_obsolete(session: Session, kinds: Iterable[str], version: str) -> int:
    """Concepts of ``kinds`` that no import of ``version`` or newer has seen are obsolete."""
    kinds = list(kinds)
    if not kinds:
        return 0
    table = Concept.__table__
    result = session.execute(
        table.update()
        .where(
            table.c.kind.in_(kinds),
            table.c.version < version,
            table.c.obsolete.is_(False),
        )
        .values(obsolete=True)
    )
    return result.rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def analyze(session: Session) -> None:
    """Refresh the planner's statistics of the ESCO tables: right after a bulk import they are
    empty or stale, and PostgreSQL then plans the autocomplete's index ranges badly."""
    tables = [
        table.name
        for table in (
            Concept.__table__,
            Label.__table__,
            LabelWord.__table__,
            Broader.__table__,
            Closure.__table__,
        )
    ]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE " + ", ".join(tables)))
    else:
        for name in tables:
            session.execute(text(f"ANALYZE {name}"))
