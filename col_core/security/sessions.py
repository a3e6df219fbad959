"""Server-side records of signed-in browsers, so that a session can be revoked.

The signed cookie carries only a random session id; the ``user_sessions`` row keeps its SHA-256
hash, the account, and what the account page shows (when, which browser).  Every request with a
cookie looks the hash up (a unique index), so a deleted row ends the session at once, wherever
the cookie went.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import delete, select

from col_core.db.meta import utcnow
from col_core.db.tallies import write_by_id
from col_core.security.models import User, UserSession
from col_core.security.services import _aware
from col_core.security.tokens import digest, new_secret
from col_core.tenancy.scoping import account_lookup

# Refreshing "last seen" on every request would write on every page view; this is precise enough.
SEEN_EVERY = dt.timedelta(minutes=5)
SESSION_SEEN = "sessions.seen"

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_agent(user_agent: str) -> str:
    """A short, recognisable summary ("Firefox on Linux"); the full header is not kept."""
    browser = _first_known(_BROWSERS, user_agent)
    system = _first_known(_SYSTEMS, user_agent)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    # Scripts and unknown browsers: their first product token, e.g. "curl/8.5.0".
    first_token, *_rest = re.split(r"[\s(]", user_agent.strip(), maxsplit=1)
    return first_token[:120]


def _first_known(known: tuple[tuple[str, str], ...], user_agent: str) -> str:
    """The name of the first (key, name) whose key is in the header, or ""."""
    for key, name in known:
        if key in user_agent:
            return name
    return ""


def start(request, user: User, family: str | None = None) -> str:
    """Record a new session for ``user`` and return the secret id for the cookie.  ``family``
    is the browser's family of sessions on the network's sites (single sign-on hands it on);
    a sign-in with a password starts a new one."""
    secret = new_secret()
    request.dbsession.add(
        UserSession(
            user_id=user.id,
            session_hash=digest(secret),
            last_seen_at=utcnow(),
            user_agent=describe_agent(request.user_agent or ""),
            family=family or new_secret(),
        )
    )
    request.dbsession.flush()
    return secret


def find(request, secret: str) -> UserSession | None:
    """The live session with this id, or None.  That it was seen is noted, not written: the
    request may be a GET (``write_seen`` writes it later)."""
    by_hash = select(UserSession).where(UserSession.session_hash == digest(secret))
    record = request.dbsession.scalar(by_hash)
    if record is None:
        return None
    if _aware(record.last_seen_at) < utcnow() - SEEN_EVERY:
        tallies = request.registry["col.tallies"]
        tallies.note(SESSION_SEEN, None, record.id, utcnow())
    return record


def write_seen(request, seen: dict[int, dt.datetime]) -> None:
    """The ``sessions.seen`` tally's flush: when each session was last seen (an account
    look-up: the flush binds no person)."""
    with account_lookup(request.dbsession) as session:
        write_by_id(session, UserSession.__table__.c.last_seen_at, seen)


def end(request, secret: str) -> None:
    request.dbsession.execute(delete(UserSession).where(UserSession.session_hash == digest(secret)))


def end_family(session, record: UserSession) -> int:
    """End ``record`` and every session of its family: the sessions the same browser holds on
    the network's other sites (single sign-on); return how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == record.user_id)
    if record.family:
        statement = statement.where(UserSession.family == record.family)
    else:  # a session older than families: only itself
        statement = statement.where(UserSession.id == record.id)
    return session.execute(statement).rowcount


def end_all(session, user: User, keep: UserSession | None = None) -> int:
    """End every session of ``user`` (but ``keep``); return how many ended."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    return session.execute(statement).rowcount


def of(session, user: User) -> list[UserSession]:
    return session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id)
    ).all()
