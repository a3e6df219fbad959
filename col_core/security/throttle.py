"""Throttling of sign-in, password-reset, sign-up and application-registration attempts, in the
database.

Attempts live in ``auth_attempts`` so every worker and process counts the same ones.  Keys are
keyed hashes: the table never holds an email address or an IP address.  The same limits apply
to addresses with no account, so a lockout reveals nothing about who exists.

Checking and counting are one step, :meth:`Throttle.admit`, in a short transaction of its own:
it serialises on the attempt's keys (:func:`col_core.db.locks.serialise`), counts each key's
attempts in the window, and records this attempt only when every count is below its limit.  So
40 simultaneous wrong passwords for one account get exactly 5 checked, on every worker and both
databases.  The transaction commits before the password is checked: the attempt counts even if
the request fails later, and the slow password hash runs without holding any lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from col_core.db.locks import serialise
from col_core.db.meta import utcnow
from col_core.security.models import AuthAttempt
from col_core.security.services import _aware
from col_core.security.tokens import keyed_digest
from col_core.tenancy.scoping import account_lookup, bind_connection


@dataclass(frozen=True)
class Limit:
    """At most ``per[subject]`` attempts of one kind per subject (account, address, city)."""

    per: dict[str, int]
    window: dt.timedelta


def limits(settings) -> dict[str, Limit]:
    """The limits of every kind of attempt, from the ``col.*_limit_*`` settings."""

    def number(name: str) -> int:
        value = str(settings[name]).strip()
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}.")
        return int(value)

    def limit(kind: str, *subjects: str) -> Limit:
        return Limit(
            per={subject: number(f"col.{kind}_limit_per_{subject}") for subject in subjects},
            window=dt.timedelta(minutes=number(f"col.{kind}_limit_minutes")),
        )

    return {
        "login": limit("login", "account", "address"),
        "reset": limit("reset", "account", "address"),
        "signup": limit("signup", "address", "city"),
        "registration": limit("registration", "address", "city"),
    }


@dataclass(frozen=True)
class Refused:
    """Why an attempt was refused: which ``subject`` reached its limit, and when to come back."""

    subject: str
    retry_after: int  # seconds

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Throttle:
    """Attempts of one ``kind`` by the request's client address, for an ``account`` (an email
    address) and/or a ``city`` (the request's tenant)."""

    def __init__(self, request, kind: str, account: str | None = None, city: bool = False):
        self.request = request
        self.kind = kind
        every_limit = request.registry["col.throttle_limits"]
        self.limit = every_limit[kind]
        # Rows older than the longest window count for nothing.
        self.keep = max(limit.window for limit in every_limit.values())
        secret = request.registry.settings["col.secret"]
        values = {
            # REMOTE_ADDR, not X-Forwarded-For, which any client can set to dodge the limit;
            # behind a proxy, let the server trust it (waitress trusted_proxy, gunicorn).
            "address": "i:" + (request.remote_addr or "unknown"),
            "account": None if account is None else "a:" + account.strip().lower(),
            "city": f"c:{request.tenant.id}" if city and request.tenant is not None else None,
        }
        self.keys = {
            subject: keyed_digest(secret, value)
            for subject, value in values.items()
            if value is not None and subject in self.limit.per
        }
        self.recorded: list[int] = []

    def admit(self) -> Refused | None:
        """Count this attempt and return None, or return why it is refused (not counted)."""
        now = utcnow()
        since = now - self.limit.window
        with self._transaction() as connection:
            serialise(connection, *(f"throttle:{key}" for key in self.keys.values()))
            for subject, key in self.keys.items():
                allowed = self.limit.per[subject]
                times = self._times(connection, key, since)
                if len(times) >= allowed:
                    # The attempt that falls out of the window first makes room again.
                    frees_at = times[len(times) - allowed] + self.limit.window
                    return Refused(subject, max(1, math.ceil((frees_at - now).total_seconds())))
            self.recorded = list(
                connection.scalars(
                    insert(AuthAttempt).returning(AuthAttempt.id),
                    [
                        {"kind": self.kind, "key": key, "created_at": now}
                        for key in self.keys.values()
                    ],
                )
            )
            # Trimming as we go keeps the table small without a scheduled job.
            connection.execute(delete(AuthAttempt).where(AuthAttempt.created_at < now - self.keep))
        return None

    def _times(self, connection, key: str, since: dt.datetime) -> list[dt.datetime]:
        return [
            _aware(when)
            for when in connection.scalars(
                select(AuthAttempt.created_at)
                .where(
                    AuthAttempt.kind == self.kind,
                    AuthAttempt.key == key,
                    AuthAttempt.created_at >= since,
                )
                .order_by(AuthAttempt.created_at)
            )
        ]

    @contextlib.contextmanager
    def _transaction(self):
        """A transaction of its own on another connection, committed at once; on SQLite, the
        request's transaction instead when it has written already: it holds the write lock,
        which another connection of this thread would wait for in vain."""
        session = self.request.dbsession
        if (
            session.get_bind().dialect.name == "sqlite"
            and session.in_transaction()
            and session.connection().connection.dbapi_connection.in_transaction
        ):
            yield session.connection()
            return
        with self.request.registry["col.engine"].begin() as connection:
            # Attempts are account rows: PostgreSQL shows them to the account look-ups only.
            bind_connection(connection, None, None, "accounts")
            yield connection

    def forgive(self) -> None:
        """A successful sign-in: the account's failures are forgiven, and this attempt does not
        count against the address (its earlier failures still do)."""
        account = self.keys.get("account")
        with account_lookup(self.request.dbsession) as session:
            if account is not None:
                session.execute(
                    delete(AuthAttempt).where(
                        AuthAttempt.kind == self.kind, AuthAttempt.key == account
                    )
                )
            if self.recorded:
                session.execute(delete(AuthAttempt).where(AuthAttempt.id.in_(self.recorded)))
