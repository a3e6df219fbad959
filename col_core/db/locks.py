"""Serialising the transactions that check a limit and then write, on SQLite and PostgreSQL.

A rule such as "at most 10 places" or "at most 5 failed sign-ins" reads a count and then writes.
Two transactions that read the count at the same time would both pass, so every such rule calls
:func:`serialise` with the names of what it counts before it reads:

* **PostgreSQL** takes a transaction-level advisory lock per name (``pg_advisory_xact_lock``):
  a second transaction naming the same thing waits until the first commits or rolls back, and
  its next statement (READ COMMITTED) sees what the first wrote.
* **SQLite** has one writer at a time, so the lock is the database's write lock, taken before the
  count.  pysqlite begins a transaction only at the first INSERT, UPDATE or DELETE, and reads
  before that run outside any transaction (that is why ``SELECT ... FOR UPDATE``, which SQLite
  ignores, never protected anything); ``BEGIN IMMEDIATE`` starts the transaction and takes the
  write lock at once, waiting up to ``busy_timeout`` for it, so the reads that follow see the
  latest commit and nobody else writes until this transaction ends.  An open pysqlite
  transaction has already written, so it holds the write lock already.

Deferring the ``BEGIN`` to the first statement (SQLAlchemy's pysqlite recipe) would not do: a
transaction that has read and then asks for the write lock gets ``SQLITE_BUSY_SNAPSHOT`` at once
when another writer committed in between, so most requests of a burst would fail and retry.

A database that stays busy or a transaction that loses a PostgreSQL serialisation conflict or
deadlock raises an error that ``pyramid_retry`` retries (the whole request runs again).
"""

from __future__ import annotations

import hashlib
import sqlite3

import zope.interface
from pyramid_retry import IRetryableError
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

# SQLite's primary result codes for "another connection holds the lock".
SQLITE_BUSY, SQLITE_LOCKED = 5, 6


def serialise(bind: Session | Connection, *names: str) -> None:
    """Until this transaction ends, make every other transaction that calls ``serialise`` with
    one of ``names`` wait; reads after this call see everything those transactions committed."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    if connection.dialect.name == "postgresql":
        # Sorted, so two transactions naming the same things never wait for each other in a circle.
        for name in sorted(set(names)):
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
    elif connection.dialect.name == "sqlite":
        take_sqlite_write_lock(connection)
    else:  # pragma: no cover - the platform runs on SQLite and PostgreSQL only
        raise NotImplementedError(connection.dialect.name)


def take_sqlite_write_lock(connection: Connection) -> None:
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None  # a live connection always has its DB-API connection
    if not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _mark_busy_retryable(context) -> None:
    """SQLite's "database is locked" means "try again": ``pyramid_retry`` runs the request once
    more (PostgreSQL's serialisation failures and deadlocks are marked by zope.sqlalchemy)."""
    original = context.original_exception
    if (
        isinstance(original, sqlite3.OperationalError)
        and getattr(original, "sqlite_errorcode", 0) & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
        and context.sqlalchemy_exception is not None
    ):
        zope.interface.alsoProvides(context.sqlalchemy_exception, IRetryableError)


def watch_busy_errors(engine: Engine) -> None:
    event.listen(engine, "handle_error", _mark_busy_retryable)


class StillBusyPredicate:
    """The ``still_busy=True`` view predicate: the request's exception is one that
    ``pyramid_retry`` retries (a busy database, a lost serialisation conflict).  Exception views
    with it answer after the last attempt ("try again in a moment" rather than an error page);
    pyramid_retry's own ``retryable_error`` is false on the last attempt."""

    def __init__(self, value: bool, config):
        self.value = value

    def text(self) -> str:
        return f"still_busy = {self.value}"

    phash = text

    def __call__(self, context, request) -> bool:
        return IRetryableError.providedBy(getattr(request, "exception", None)) == self.value
