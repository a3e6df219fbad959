"""People: platform-wide accounts, organisations in a city, and their members."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from col_core.db.meta import Base, Timestamped
from col_core.tenancy.scoping import TenantScoped

ORGANISATION_TYPES = ("ngo", "school", "library", "company", "public", "informal", "freelancer",
                      "youth_centre", "university", "other")
MEMBER_ROLES = ("owner", "admin", "member")


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
    home_tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="SET NULL"))
    birth_date: Mapped[dt.date | None]
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[dt.datetime | None]

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Organisation(TenantScoped, Timestamped, Base):
    """Any organisation that publishes learning in a city: NGO, school, library, company..."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(24), default="ngo")
    description: Mapped[str] = mapped_column(Text, default="")
    logo: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key
    website: Mapped[str] = mapped_column(String(500), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    primary_locale: Mapped[str] = mapped_column(String(16), default="en")
    verified_at: Mapped[dt.datetime | None]
    suspended_at: Mapped[dt.datetime | None]

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class Membership(TenantScoped, Timestamped, Base):
    """A person's role in an organisation (owner, admin or member)."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)


class CityAdmin(TenantScoped, Timestamped, Base):
    """A person who administers one city's site."""

    __tablename__ = "city_admins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)
