"""Reads on PostgreSQL streaming replicas, writes and read-your-writes on the primary.

``col.database_replica_urls`` lists read-only standbys of the primary (the application's own
role on each, as in ``col.database_url``).  A request may read from one of them when

* it is a ``GET`` or ``HEAD`` of a route declared with ``config.add_replica_routes(...)`` (the
  search, the map and its feeds, public pages: what anyone may see a few hundred milliseconds
  late), and
* its browser has written nothing lately: every other request (a join, a sign-in, a form) sets
  the ``col_primary`` cookie for ``col.database_replica_stickiness`` seconds (30), and a request
  that carries it reads from the primary, so a person always sees what they have just done.

Within such a request the session's reads go to the replica chosen for it, until the session
writes (a flush, an INSERT, UPDATE or DELETE, ``SELECT ... FOR UPDATE``): from then on it reads
and writes on the primary, in the same transaction as before.  Every other session (commands,
jobs, the tallies' flushes, factories) uses the primary alone.  Row-level security binds the
replica's transaction as it binds the primary's (col_core.tenancy.rls: the binding's nonce
needs no transaction id, which a standby cannot assign).  A replica that cannot be reached is
left out for ``DOWN_SECONDS`` and the request runs again without it.  See docs/deployment.md, section
"PostgreSQL beyond one server".
"""

from __future__ import annotations

import functools
import random
import time

import zope.interface
from pyramid_retry import IRetryableError
from sqlalchemy import Select, event
from sqlalchemy.orm import Session

REPLICA_COOKIE = "col_primary"
ENGINES = "col.replica_engines"  # registry: the replicas' engines
ROUTES = "col.replica_routes"  # registry: names of the routes whose GETs may read a replica
CHOICE = "col.replica"  # session.info: the replica this request reads from (None: primary)
WROTE = "col.wrote"  # session.info: the session has written (reads go to the primary)
DOWN = "col.replicas_down"  # registry: {replica engine: monotonic time it is skipped until}
SAFE_METHODS = ("GET", "HEAD")
DEFAULT_STICKINESS = 30
# A replica that cannot be reached is left out for this long; the request that found it down
# runs again (pyramid_retry) on another replica or the primary.
DOWN_SECONDS = 30


class RoutingSession(Session):
    """A session that sends the reads of a request allowed to use a replica there."""

    def get_bind(self, mapper=None, *, clause=None, bind=None, **kw):
        if bind is None and not self._flushing and _reads_only(self, clause):
            replica = replica_for(self)
            if replica is not None:
                return replica
        return super().get_bind(mapper, clause=clause, bind=bind, **kw)


def _reads_only(session: Session, clause) -> bool:
    """A plain SELECT (or the session's connection, as the search asks for it) of a session
    that has not written."""
    if session.info.get(WROTE):
        return False
    return clause is None or (isinstance(clause, Select) and clause._for_update_arg is None)


def replica_for(session: Session):
    """The replica engine this session's request reads from, or None (the primary)."""
    if CHOICE in session.info:
        return session.info[CHOICE]
    request = session.info.get("request")
    if request is None or not request.registry.get(ENGINES):
        return None
    route = getattr(request, "matched_route", None)
    if route is None:  # not routed yet (the host's city, the person): the primary
        return None
    session.info[CHOICE] = choose(request, route.name)
    return session.info[CHOICE]


def choose(request, route_name: str):
    if request.method not in SAFE_METHODS or REPLICA_COOKIE in request.cookies:
        return None
    if route_name not in request.registry.get(ROUTES, ()):
        return None
    reachable = _reachable(request.registry)
    return random.choice(reachable) if reachable else None


def _reachable(registry) -> list:
    """The replicas' engines, but those left out for a while after refusing connections."""
    now = time.monotonic()
    down_until = registry.get(DOWN, {})
    return [engine for engine in registry[ENGINES] if down_until.get(engine, 0) <= now]


def _replica_failed(registry, context) -> None:
    """``handle_error`` of a replica's engine: a replica that refuses connections (or drops
    them) is left out for ``DOWN_SECONDS``, and the request is retried without it."""
    if context.connection is not None and not context.is_disconnect:
        return
    down_until = registry.setdefault(DOWN, {})
    down_until[context.engine] = time.monotonic() + DOWN_SECONDS
    if context.sqlalchemy_exception is not None:
        zope.interface.alsoProvides(context.sqlalchemy_exception, IRetryableError)


def note_write(session: Session, *args) -> None:
    session.info[WROTE] = True


def note_statement(state) -> None:
    """``do_orm_execute``: an ORM INSERT, UPDATE or DELETE, or a locking SELECT."""
    if state.is_insert or state.is_update or state.is_delete:
        note_write(state.session)
    elif state.is_select and state.statement._for_update_arg is not None:
        note_write(state.session)


def stick_to_primary(event) -> None:
    """``NewResponse``: after a request that may have written, this browser reads from the
    primary for a while (read-your-writes)."""
    request = event.request
    if request.method in SAFE_METHODS or not request.registry.get(ENGINES):
        return
    event.response.set_cookie(
        REPLICA_COOKIE,
        "1",
        max_age=int(
            request.registry.settings.get("col.database_replica_stickiness", DEFAULT_STICKINESS)
        ),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.registry.settings.get("col.environment") == "production",
    )


def add_replica_routes(config, *names: str) -> None:
    """``config.add_replica_routes("map", ...)``: GETs of these routes may read from a replica
    (data anyone may see a moment late; never a page that shows what its reader just did,
    unless the ``col_primary`` cookie covers it)."""
    routes = config.registry.setdefault(ROUTES, set())
    routes.update(names)


def replica_urls(settings) -> list[str]:
    """The replicas' URLs, separated by spaces or lines (commas belong to URLs)."""
    return str(settings.get("col.database_replica_urls") or "").split()


def includeme(config):
    from col_core.db import engine_options, listen, make_engine

    settings = config.get_settings()
    config.add_directive("add_replica_routes", add_replica_routes)
    config.registry.setdefault(ROUTES, set())
    urls = replica_urls(settings)
    if urls and ENGINES not in config.registry:
        options = engine_options(settings)
        config.registry[ENGINES] = [
            make_engine(url, rls_secret=settings["col.secret"], **options) for url in urls
        ]
        for engine in config.registry[ENGINES]:
            event.listen(
                engine, "handle_error", functools.partial(_replica_failed, config.registry)
            )
    listen(Session, "after_flush", note_write)
    listen(Session, "do_orm_execute", note_statement)
    config.add_subscriber(stick_to_primary, "pyramid.events.NewResponse")
