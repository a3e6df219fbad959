"""Storage: the engine, one session per request joined to the request's transaction."""

from __future__ import annotations

from pathlib import Path

import zope.sqlalchemy
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from col_core.db.locks import watch_busy_errors
from col_core.db.meta import Base, Timestamped, metadata, utcnow

__all__ = [
    "Base",
    "Timestamped",
    "metadata",
    "utcnow",
    "make_engine",
    "make_session_factory",
    "session_for_transaction",
    "reopen",
    "TRANSACTION_MANAGER",
]


# A writer waits this long for SQLite's write lock before its request is retried (pyramid_retry).
SQLITE_BUSY_TIMEOUT_MS = 10000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 32 * 1024


def make_engine(url: str, rls_secret: str = "", pgbouncer: bool = False, **kwargs) -> Engine:
    """Create an engine with the pragmas the platform relies on.

    ``rls_secret`` (``col.secret``) makes it the application's engine: on PostgreSQL each of its
    transactions is bound to a city for row-level security (col_core.tenancy.rls); engines
    without it are the owner's (migrations, tests' set-up).  ``pgbouncer``
    (``col.database_pgbouncer``): the URL is a PgBouncer in transaction pooling mode, where
    consecutive transactions of one connection may run on different server connections, so
    nothing may outlive a transaction on the server: psycopg prepares no statements."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        # Named placeholders, as psycopg's: the tenant wall reads which parameter holds the city
        # in each compiled statement (col_core.tenancy.wall).
        kwargs.setdefault("paramstyle", "named")
    if pgbouncer and url.startswith("postgresql"):
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), "prepare_threshold": None}
    engine = create_engine(url, **kwargs)
    watch_busy_errors(engine)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql" and rls_secret:
        from col_core.tenancy.rls import derive_key

        engine.col_rls_key = derive_key(rls_secret)  # type: ignore[attr-defined]
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Reads of the search indexes dominate: memory-mapped pages (shared by every connection of
    # the machine) and a larger private cache cut a search's time in the database by a quarter
    # at 100,000 activities (see docs/performance.md).
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _refuse_a_role_above_the_policies(engine: Engine) -> None:
    """Production must not log in as a role that could switch row-level security off (the
    owner, a superuser, a member of either): docs/deployment.md, section 1."""
    from col_core.settings import SettingsError
    from col_core.tenancy.rls import role_problems

    with engine.connect() as connection:
        problems = role_problems(connection)
    if problems:
        raise SettingsError(
            "col.database_url (COL_DATABASE_URL) must log in as the application's own role: "
            + "; ".join(problems)
            + ". Run migrations with col.database_owner_url "
            "(COL_DATABASE_OWNER_URL) instead; see docs/deployment.md."
        )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    from col_core.db.replicas import RoutingSession

    return sessionmaker(bind=engine, class_=RoutingSession, expire_on_commit=False)


def engine_options(settings) -> dict:
    """Options of the application's engines from the settings: the pool
    (``col.database_pool``) and PgBouncer (``col.database_pgbouncer``)."""
    from col_core.settings import as_bool

    # "null": no idle connections kept between uses (col_core.testing: a test process
    # configures many apps, and PostgreSQL allows a hundred connections in all).
    options: dict = {"poolclass": NullPool} if settings.get("col.database_pool") == "null" else {}
    options["pgbouncer"] = as_bool(settings.get("col.database_pgbouncer", False))
    return options


TRANSACTION_MANAGER = "col.transaction_manager"  # session.info: the manager it follows


def listen(target, identifier: str, fn) -> None:
    """Attach an SQLAlchemy listener from an ``includeme`` (not at import), once: several apps
    may be configured in one process (tests, a command beside the server)."""
    if not event.contains(target, identifier, fn):
        event.listen(target, identifier, fn)


def session_for_transaction(session_factory, transaction_manager, request=None) -> Session:
    """A session whose commit and rollback follow ``transaction_manager`` (pyramid_tm's)."""
    info = {TRANSACTION_MANAGER: transaction_manager}
    if request is not None:
        info["request"] = request
    session = session_factory(info=info)
    zope.sqlalchemy.register(session, transaction_manager=transaction_manager)
    return session


def reopen(session: Session) -> None:
    """Roll back a failed transaction and keep its rows' objects (the request's city, the
    person) usable: they are read again when next used.  For error pages, which must render
    after the database refused a write."""
    rows = [obj for obj in session.identity_map.values()]
    session.rollback()
    for obj in rows:
        # Objects of rows that exist (not those this transaction inserted) come back.
        if inspect(obj).detached:
            session.add(obj)


def includeme(config):
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    config.add_view_predicate("still_busy", "col_core.db.locks.StillBusyPredicate")
    engine = config.registry.get("col.engine") or make_engine(
        settings["col.database_url"], rls_secret=settings["col.secret"], **engine_options(settings)
    )
    config.registry["col.engine"] = engine
    config.include("col_core.db.replicas")  # col.database_replica_urls
    if settings.get("col.environment") == "production" and engine.dialect.name == "postgresql":
        for checked in (engine, *config.registry.get("col.replica_engines", ())):
            _refuse_a_role_above_the_policies(checked)
    session_factory = config.registry.get("col.session_factory") or make_session_factory(engine)
    config.registry["col.session_factory"] = session_factory

    def dbsession(request) -> Session:
        return session_for_transaction(session_factory, request.tm, request)

    config.add_request_method(dbsession, reify=True)
    config.include("col_core.db.tallies")  # what GETs note, written later in batches
