"""A large city's full rebuild on PostgreSQL, written as a load rather than row by row.

Written one batch at a time, a million documents took over 20 minutes and slowed down as they
went: each one updates the GIN indexes (pending lists off, so that searches never scan them) in
as many places as it has terms.  When a rebuild brings at least ``BULK_MIN`` documents and at
least as many as the other cities hold, the table's secondary indexes (the GIN ones and the
btrees, not the unique constraints) are dropped, the documents written (with ``COPY`` when the
role bypasses row-level security, else batched INSERTs), and the indexes built again from the
sorted data with ``MAINTENANCE_MEMORY``, then the table analysed.

All of it happens in the savepoint every rebuild takes (``DatabaseSearch.reindex``): a rebuild
that fails leaves the old documents and indexes as they were; nothing is seen before the commit.
The price: dropping an index locks ``search_documents`` until the commit, so every city's
searches wait for the rebuild.  Only the table's owner may drop its indexes: the application's role writes row by row
(``col search reindex`` rebuilds as the owner when ``col.database_owner_url`` is set).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from sqlalchemy import text

from col_core.activities.search import store

BULK_MIN = 20_000
MAINTENANCE_MEMORY = "512MB"  # per index build, this transaction only
JSON_COLUMNS = ("extra", "skill_labels")

_SECONDARY_INDEXES = text(
    "SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition"
    " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
    " WHERE i.indrelid = 'search_documents'::regclass AND NOT i.indisunique"
    " AND NOT i.indisprimary ORDER BY c.relname"
)


def wanted(connection, tenant_id: int, count: int | None) -> bool:
    """Whether rebuilding ``count`` documents of the city is better done as a load: PostgreSQL,
    a role that owns the table, and more new documents than ``BULK_MIN`` and half the other
    cities' (the estimate of the last ANALYZE, less this city's).  Half: building the indexes
    again over the whole table costs less than writing half its rows into them one by one (a
    second city of a million went row by row for over 20 minutes; a load of it takes four)."""
    if connection.dialect.name != "postgresql" or count is None or count < BULK_MIN:
        return False
    owner, rows = connection.execute(
        text(
            "SELECT pg_has_role(relowner, 'USAGE'), reltuples FROM pg_class"
            " WHERE oid = 'search_documents'::regclass"
        )
    ).one()
    city = connection.execute(
        text("SELECT count(*) FROM search_documents WHERE tenant_id = :tenant"),
        {"tenant": tenant_id},
        execution_options=store.FILTERED,
    ).scalar_one()
    others = max(rows, 0) - city
    return bool(owner) and count * 2 >= others


@contextlib.contextmanager
def loading(session, tenant_id: int, languages: tuple[str, ...]) -> Iterator[Callable]:
    """``with loading(...) as write:`` the city's documents are cleared, the secondary indexes
    dropped; ``write(batch)`` adds documents; at the end the indexes are built again and the
    table analysed.  The caller holds a savepoint: an exception undoes all of it."""
    connection = session.connection()
    indexes = connection.execute(_SECONDARY_INDEXES).all()
    for index in indexes:
        connection.execute(text(f'DROP INDEX "{index.name}"'))
    store.clear(session, tenant_id)
    copying = connection.execute(
        text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).scalar_one()
    if copying:
        yield lambda documents: _copy(connection, tenant_id, languages, documents)
    else:
        yield lambda documents: store.save(session, tenant_id, languages, documents, follow=False)
    connection.execute(text(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_MEMORY}'"))
    for index in indexes:
        connection.execute(text(index.definition))
    connection.execute(text("ANALYZE search_documents"))
    connection.execute(text("ANALYZE idx_search_terms"))


def _copy(connection, tenant_id: int, languages: tuple[str, ...], documents) -> None:
    """``COPY`` the documents' rows in, in the connection's transaction: the generated vectors
    and the vocabulary's trigger follow as with INSERT."""
    rows = [store.row_values(tenant_id, languages, store.normalized(d)) for d in documents]
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f'"{column}"' for column in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY search_documents ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(_copied(row, columns))


def _copied(row: dict, columns: list[str]) -> list:
    from psycopg.types.json import Json  # PostgreSQL's driver: not needed on SQLite

    return [Json(row[c]) if c in JSON_COLUMNS else row[c] for c in columns]
