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
from typing import Iterator

from sqlalchemy import ForeignKey, event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

TENANT_KEY = "col.tenant_id"
CROSS_TENANT_KEY = "col.cross_tenant"


class TenantContextError(RuntimeError):
    """A tenant-scoped model was queried or written with no tenant in context."""


class TenantScoped:
    """Mixin for every row a tenant owns."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr signature
        return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


def current_tenant_id(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


def set_tenant(session: Session, tenant_id: int | None) -> None:
    """Bind ``session`` to one tenant (or none).  Row-level security follows via events."""
    session.info[TENANT_KEY] = tenant_id
    _sync_database_tenant(session)


def is_cross_tenant(session: Session) -> bool:
    return session.info.get(CROSS_TENANT_KEY, 0) > 0


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


def _apply_database_tenant(session: Session, connection) -> None:
    """Tell PostgreSQL's row-level security policies who we are, for this transaction only."""
    if connection.dialect.name != "postgresql":
        return
    tenant_id = current_tenant_id(session)
    connection.exec_driver_sql(
        "SELECT set_config('col.tenant_id', %(tenant)s, true),"
        " set_config('col.cross_tenant', %(cross)s, true)",
        {"tenant": "" if tenant_id is None else str(tenant_id),
         "cross": "on" if is_cross_tenant(session) else "off"},
    )


def _sync_database_tenant(session: Session) -> None:
    if session.in_transaction():
        _apply_database_tenant(session, session.connection())


@event.listens_for(Session, "after_begin")
def _begin_with_tenant(session: Session, transaction, connection) -> None:
    _apply_database_tenant(session, connection)


@event.listens_for(Session, "before_flush")
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
