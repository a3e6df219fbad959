"""People: platform-wide accounts, a city's administrators, and the account machinery.

Organisations and their members are in ``col_core.organisations.models``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from col_core.db.meta import Base, Timestamped
from col_core.tenancy.scoping import CityKeyed


class User(Timestamped, Base):
    """One person, one account and one badge wallet across every city (not tenant-owned)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    email_verified_at: Mapped[dt.datetime | None]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    picture: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key
    preferred_locale: Mapped[str | None] = mapped_column(String(16))
    home_tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL")
    )
    birth_date: Mapped[dt.date | None]
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[dt.datetime | None]
    # Learners under the city's age of digital consent need a guardian's consent (GDPR Art. 8).
    guardian_email: Mapped[str | None] = mapped_column(String(254))
    guardian_consent_at: Mapped[dt.datetime | None]
    # The public profile (/people/<id>) is the person's own business until they choose to share
    # it: many learners are minors.
    profile_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The kinds of notification the person does not want by e-mail (col_core.notifications).
    email_opt_outs: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None and self.email_verified_at is not None

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class CityAdmin(CityKeyed, Timestamped, Base):
    """A person who administers one city's site."""

    __tablename__ = "city_admins"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)


# The columns and tables below are the account machinery: credentials, tokens, throttling and
# consent.  Token tables store only SHA-256 hashes, so a database leak gives no usable link.

TOKEN_SCOPES = ("read", "write")


class ApiToken(Timestamped, Base):
    """A personal API token (``Authorization: Bearer ...``), hashed at rest and revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(8), default="read")
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class UserToken(Timestamped, Base):
    """A single-use, expiring link sent by email: verify, reset, email change, guardian consent."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class AuthAttempt(Base):
    """An attempt a throttle counted (sign-in, reset, sign-up), kept in the database so every
    worker sees it (col_core/security/throttle.py)."""

    __tablename__ = "auth_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(80), index=True)  # keyed hash of account, IP or city
    created_at: Mapped[dt.datetime] = mapped_column(index=True)


class Consent(CityKeyed, Timestamped, Base):
    """A person accepted a city's terms or privacy notice (which version, when)."""

    __tablename__ = "consents"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    document: Mapped[str] = mapped_column(String(16))  # "terms" or "privacy"
    version: Mapped[str] = mapped_column(String(40), default="")


class UserSession(Timestamped, Base):
    """One signed-in browser.  Its cookie holds a random id and this row only the id's hash, so
    deleting the row (sign-out, "sign out everywhere else", a new password) revokes the cookie,
    even a copy of it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[dt.datetime]
    user_agent: Mapped[str] = mapped_column(String(120), default="")  # "Firefox on Linux"
    # The sessions one browser holds on the network's sites share a family: a sign-in starts
    # one, single sign-on hands it on (col_core.security.services.sso), signing out ends it.
    family: Mapped[str | None] = mapped_column(String(64), index=True)

    user: Mapped[User] = relationship()
