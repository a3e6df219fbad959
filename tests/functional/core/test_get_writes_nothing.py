"""No GET writes to the database: every GET route, signed in and anonymous, runs while every
statement sent to the database is watched, and none may be an INSERT, UPDATE or DELETE.

The routes are those of the cross-tenant suite (every route with a placeholder, given city A's
objects) and every route without one, requested in city A by the owner of its organisation (who
is also its administrator, so the pages render; their session last seen an hour ago), by an
anonymous visitor, and, under /api/, with an API token.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re

import pytest
from pyramid.interfaces import IRoutesMapper
from sqlalchemy import event, select, update

from col_core.db.meta import utcnow
from col_core.security.models import ApiToken, UserSession
from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret

from .test_cross_tenant import ATTACKS, GLOBAL, _path, _signed_in, world  # noqa: F401 (fixture)

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT)\b", re.IGNORECASE)
HOUR = dt.timedelta(hours=1)
_watching: contextvars.ContextVar[list | None] = contextvars.ContextVar("get_writes", default=None)


@pytest.fixture
def watched(registry):
    """``watched(send)``: run ``send()`` and return the writes it sent to the database."""
    engine = registry["col.engine"]

    def note(conn, cursor, statement, parameters, context, executemany):
        found = _watching.get()
        if found is not None and WRITES.match(statement):
            found.append(statement.split("\n")[0][:120])

    event.listen(engine, "before_cursor_execute", note)

    def run(send) -> list[str]:
        found: list[str] = []
        token = _watching.set(found)
        try:
            send()
        finally:
            _watching.reset(token)
        return found

    yield run
    event.remove(engine, "before_cursor_execute", note)


def _get_routes(registry) -> dict[str, str]:
    """{route name: path} of every GET route: placeholders filled with city A's objects."""
    mapper = registry.getUtility(IRoutesMapper)
    paths = {}
    for route in mapper.get_routes():
        name = route.name
        if name.startswith("__") or (name.startswith("api.") and not name.startswith("api.get.")):
            continue
        if "{" not in route.pattern and "*" not in route.pattern:
            paths[name] = route.generate({})
        elif name in ATTACKS:
            paths[name] = None  # filled in with the world's values
    return paths


def test_no_get_writes_to_the_database(testapp, registry, world, watched, factories):  # noqa: F811
    paths = {
        name: path if path is not None else _path(registry, world, name)
        for name, path in _get_routes(registry).items()
    }
    signed_in, _ = _signed_in(testapp, world["a"])
    factories.session.execute(update(UserSession).values(last_seen_at=utcnow() - HOUR))
    secret = API_TOKEN_PREFIX + new_secret()
    owner = factories.session.scalar(select(UserSession.user_id))
    factories.save(ApiToken(user_id=owner, name="reader", scope="read", token_hash=digest(secret)))
    anonymous = testapp.for_tenant(world["a"])
    with_token = testapp.for_tenant(world["a"], HTTP_AUTHORIZATION=f"Bearer {secret}")
    writers = {}
    for visitor, app in (("signed in", signed_in), ("anonymous", anonymous), ("token", with_token)):
        for name, path in sorted(paths.items()):
            path = path if path.startswith("/") else "/" + path
            if visitor == "token" and not path.startswith("/api/"):
                continue
            writes = watched(lambda app=app, path=path: app.get(path, status="*"))
            if writes:
                writers[f"{visitor} GET {path} ({name})"] = writes
    # What they noted (the session and the token were used) is written later, by a flush.
    assert set(registry["col.tallies"].pending()) >= {"sessions.seen", "tokens.used"}
    assert len(paths) > 100
    assert not writers, "\n".join(f"{k}: {v}" for k, v in writers.items())
