"""Throttling of sign-in and password-reset attempts, per account and per IP address.

Attempts live in the database (``auth_attempts``) so every worker and process counts the same
ones.  Keys are keyed hashes: the table never holds an email address or an IP address.  The
same limits apply to addresses with no account, so a lockout reveals nothing about who exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from col_core.db.meta import utcnow
from col_core.security.models import AuthAttempt
from col_core.security.tokens import keyed_digest


@dataclass(frozen=True)
class Limit:
    per_account: int
    per_ip: int
    window: dt.timedelta


LIMITS = {
    "login": Limit(per_account=5, per_ip=30, window=dt.timedelta(minutes=15)),
    "reset": Limit(per_account=3, per_ip=10, window=dt.timedelta(hours=1)),
}


class Throttle:
    """Counts attempts of one ``kind`` for an (email, IP) pair."""

    def __init__(self, request, kind: str, email: str):
        self.session = request.dbsession
        self.limit = LIMITS[kind]
        self.kind = kind
        secret = request.registry.settings["col.secret"]
        self.keys = {
            "account": "a:" + keyed_digest(secret, email.strip().lower()),
            # REMOTE_ADDR, not X-Forwarded-For, which any client can set to dodge the limit;
            # behind a proxy, let the server trust it (waitress trusted_proxy, gunicorn).
            "ip": "i:" + keyed_digest(secret, request.remote_addr or "unknown"),
        }

    def _count(self, key: str) -> int:
        since = utcnow() - self.limit.window
        return self.session.scalar(select(func.count()).select_from(AuthAttempt).where(
            AuthAttempt.kind == self.kind, AuthAttempt.key == key,
            AuthAttempt.created_at >= since)) or 0

    def locked(self) -> bool:
        return (self._count(self.keys["account"]) >= self.limit.per_account
                or self._count(self.keys["ip"]) >= self.limit.per_ip)

    @property
    def minutes(self) -> int:
        return int(self.limit.window.total_seconds() // 60)

    def record(self) -> None:
        now = utcnow()
        self.session.add_all([AuthAttempt(kind=self.kind, key=key, created_at=now)
                              for key in self.keys.values()])
        # Old rows are worthless; trimming here keeps the table small without a cron job.
        self.session.execute(delete(AuthAttempt).where(
            AuthAttempt.created_at < now - dt.timedelta(days=1)))

    def clear_account(self) -> None:
        """A successful sign-in forgives the account's earlier failures (not the IP's)."""
        self.session.execute(delete(AuthAttempt).where(
            AuthAttempt.kind == self.kind, AuthAttempt.key == self.keys["account"]))
