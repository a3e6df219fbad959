"""Central tenant isolation for the ORM.

Every model that mixes in :class:`TenantScoped` is filtered to the session's current tenant in
every statement that touches its table, whatever the statement's shape (:mod:`.wall`), and
stamped with it on flush.  A view that forgets to filter therefore still cannot read or write
another city's rows.  Queries of tenant-scoped models with no tenant in context raise
:class:`TenantContextError`; code that must read across tenants (CLI, platform administration,
the global site's aggregates) says so explicitly with :func:`cross_tenant`, which is easy to
grep for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TypeVar

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from col_core.tenancy import rls

TENANT_KEY = "col.tenant_id"
CROSS_TENANT_KEY = "col.cross_tenant"
ACCOUNTS_KEY = "col.accounts"
PERSON_KEY = "col.person_id"


class TenantContextError(RuntimeError):
    """A tenant-scoped model was queried or written with no tenant in context."""


class TenantScoped:
    """Mixin for every row a tenant owns."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr signature
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


class CityKeyed(TenantScoped):
    """A city's row keyed by ``(tenant_id, id)``, ``id`` numbered by the database: Citus can
    shard the table by ``tenant_id`` (col_core.db.citus) and a composite foreign key can point
    at it.  Look a row up with :func:`get_city_row`."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr signature
        return mapped_column(
            ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
            sort_order=-2,
        )

    @declared_attr
    def id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(primary_key=True, autoincrement=True, sort_order=-1)


_Keyed = TypeVar("_Keyed", bound=CityKeyed)


def get_city_row(session: Session, model: type[_Keyed], row_id: int) -> _Keyed | None:
    """``session.get`` for a :class:`CityKeyed` model, in the session's city."""
    tenant_id = current_tenant_id(session)
    if tenant_id is None:
        raise TenantContextError(f"{model.__name__} {row_id} looked up with no tenant in context.")
    return session.get(model, (tenant_id, row_id))


def current_tenant_id(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


def set_tenant(session: Session, tenant_id: int | None) -> None:
    """Bind ``session`` to one tenant (or none).  Row-level security follows via events."""
    session.info[TENANT_KEY] = tenant_id
    _sync_database_tenant(session)


def is_cross_tenant(session: Session) -> bool:
    return session.info.get(CROSS_TENANT_KEY, 0) > 0


def bind_person(session: Session, user_id: int | None) -> None:
    """Tell row-level security whose request this is: their own account rows (sessions, API
    tokens...) become visible to it.  Set once the person is identified."""
    session.info[PERSON_KEY] = user_id
    _sync_database_tenant(session)


@contextlib.contextmanager
def account_lookup(session: Session) -> Iterator[Session]:
    """The reviewed account look-ups that come before the person is known, or that find people
    by e-mail address (sign-in, the session cookie, API tokens, sign-up, password reset,
    invitations and badges by address): for this block, row-level security lets every account
    and its sign-in rows through.  City-owned rows stay the city's; the ORM wall is unchanged."""
    session.info[ACCOUNTS_KEY] = session.info.get(ACCOUNTS_KEY, 0) + 1
    _sync_database_tenant(session)
    try:
        yield session
        if session.is_active and (session.new or session.dirty or session.deleted):
            session.flush()
    finally:
        session.info[ACCOUNTS_KEY] -= 1
        _sync_database_tenant(session)


def database_scope(session: Session) -> str:
    if is_cross_tenant(session):
        return "cross"
    return "accounts" if session.info.get(ACCOUNTS_KEY, 0) > 0 else "tenant"


@contextlib.contextmanager
def tenant_context(session: Session, tenant) -> Iterator[Session]:
    """Run a block as ``tenant`` (a Tenant or its id), for CLI commands and jobs."""
    previous = current_tenant_id(session)
    set_tenant(session, getattr(tenant, "id", tenant))
    try:
        yield session
        # Changes made as this tenant are written as this tenant, not as whoever comes next.
        if session.is_active and (session.new or session.dirty or session.deleted):
            session.flush()
    finally:
        set_tenant(session, previous)


@contextlib.contextmanager
def cross_tenant(session: Session) -> Iterator[Session]:
    """Explicitly lift tenant filtering for a block: CLI, platform admin, network-wide figures."""
    session.info[CROSS_TENANT_KEY] = session.info.get(CROSS_TENANT_KEY, 0) + 1
    _sync_database_tenant(session)
    try:
        yield session
        if session.is_active and (session.new or session.dirty or session.deleted):
            session.flush()
    finally:
        session.info[CROSS_TENANT_KEY] -= 1
        _sync_database_tenant(session)


# No city, no person, the ordinary scope: the binding of a request before its city is known.
GRANTS_NOTHING = (None, None, "tenant")


def _apply_database_tenant(session: Session, connection) -> None:
    """Bind this transaction, for PostgreSQL's row-level security, to the session's city,
    person and scope (col_core.tenancy.rls)."""
    if connection.dialect.name != "postgresql" or rls_key(connection) is None:
        return
    _connection, nonce, bound = _state_of(session, connection)
    person = session.info.get(PERSON_KEY)
    binding = (current_tenant_id(session), person, database_scope(session))
    if binding == GRANTS_NOTHING and not bound:
        # A transaction never bound sees what this binding would let it see (every policy
        # compares with the binding's NULLs), so it stays unbound until there is something to
        # grant: two round trips fewer for a request that resolves its city first.
        _keep_state(session, connection, nonce, bound=False)
        return
    nonce = bind_connection(connection, *binding, nonce)
    _keep_state(session, connection, nonce, bound=True)


def nonce_wanted(session: Session, connection) -> bool:
    """Whether ``connection``'s transaction will be bound and has not fetched its nonce: a
    statement run before the binding may then fetch it (``col_rls_nonce()`` as a column) and
    hand it to :func:`note_nonce`, a round trip fewer than the binding fetching it itself."""
    if connection.dialect.name != "postgresql" or rls_key(connection) is None:
        return False
    _connection, nonce, _bound = _state_of(session, connection)
    return nonce is None


def note_nonce(session: Session, connection, nonce: str) -> None:
    """Keep the nonce of ``connection``'s transaction (see :func:`nonce_wanted`)."""
    _connection, _nonce, bound = _state_of(session, connection)
    _keep_state(session, connection, nonce, bound)


def rls_key(connection) -> bytes | None:
    """The binding key of the application's engine; None for an owner's engine (migrations,
    tests' set-up), which row-level security does not bind and which binds nothing."""
    return getattr(connection.engine, "col_rls_key", None)


def bind_connection(
    connection,
    tenant_id: int | None,
    person_id: int | None,
    scope: str,
    nonce: str | None = None,
) -> str | None:
    """Bind ``connection``'s transaction (PostgreSQL, the application's engine) with a MAC over
    the binding and the transaction's nonce; returns that nonce.  For connections outside the
    ORM, such as the sign-in throttle's (scope ``accounts``).  Works on a read-only standby too
    (a replica of ``col.database_replica_urls``): the nonce takes no transaction id."""
    key = rls_key(connection)
    if connection.dialect.name != "postgresql" or key is None:
        return None
    if nonce is None:
        nonce = connection.exec_driver_sql("SELECT col_rls_nonce()").scalar_one()
    connection.exec_driver_sql(
        "SELECT col_bind_tenant(%(tenant)s, %(person)s, %(scope)s, %(mac)s)",
        {
            "tenant": tenant_id,
            "person": person_id,
            "scope": scope,
            "mac": rls.mac(key, tenant_id, person_id, scope, nonce),
        },
    )
    return nonce


# session.info: {pooled connection: (Connection, nonce, bound)} of every connection in the
# session's transaction: one per engine (the primary, and a replica for the reads it routes
# there); the nonce is None until fetched, and bound is False until the transaction is bound.
_BINDINGS = "col.bindings"


def _state_of(session: Session, connection) -> tuple:
    """(Connection, nonce, bound) of ``connection`` in the session's transaction."""
    return session.info.get(_BINDINGS, {}).get(connection.connection, (None, None, False))


def _keep_state(session: Session, connection, nonce: str | None, bound: bool) -> None:
    session.info.setdefault(_BINDINGS, {})[connection.connection] = (connection, nonce, bound)


def _sync_database_tenant(session: Session) -> None:
    """Bind again every connection of the transaction, to the city, person and scope just set
    (a connection not yet open is bound when it joins: ``_begin_with_tenant``)."""
    if session.in_transaction():
        for connection, _nonce, _bound in list(session.info.get(_BINDINGS, {}).values()):
            _apply_database_tenant(session, connection)


def _begin_with_tenant(session: Session, transaction, connection) -> None:
    session.info.get(_BINDINGS, {}).pop(connection.connection, None)
    _apply_database_tenant(session, connection)


def _forget_bindings(session: Session, transaction) -> None:
    if transaction.parent is None:  # the session's transaction, not a savepoint
        session.info.pop(_BINDINGS, None)


def _stamp_tenant(session: Session, flush_context, instances) -> None:
    tenant_id = current_tenant_id(session)
    crossing = is_cross_tenant(session)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantContextError(
                    f"New {type(obj).__name__} has no tenant and none is in context."
                )
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id and not crossing:
            raise TenantContextError(
                f"New {type(obj).__name__} belongs to tenant {obj.tenant_id}, "
                f"but the session is working for tenant {tenant_id}."
            )
    if crossing:
        return
    # Rows loaded under cross_tenant() (or before the session changed city) are this session's
    # to change only as the city they belong to.
    for changed, verb in ((session.dirty, "changed"), (session.deleted, "deleted")):
        for obj in changed:
            if isinstance(obj, TenantScoped) and obj.tenant_id != tenant_id:
                raise TenantContextError(
                    f"{type(obj).__name__} of tenant {obj.tenant_id} {verb} while working for "
                    f"tenant {tenant_id}."
                )


def attach_listeners() -> None:
    """Every session binds its transaction to its city and stamps new rows with it (called by
    ``col_core.tenancy``'s includeme, for every session of the process)."""
    from col_core.db import listen

    listen(Session, "after_begin", _begin_with_tenant)
    listen(Session, "after_transaction_end", _forget_bindings)
    listen(Session, "before_flush", _stamp_tenant)
