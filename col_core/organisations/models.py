"""Organisations in a city, their members, and invitations to join one (by email or by a
shareable link / QR code)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from col_core.db.city_keys import city_join, city_reference
from col_core.db.meta import Base, Timestamped
from col_core.security.models import User
from col_core.tenancy.scoping import CityKeyed

ORGANISATION_TYPES = (
    "ngo",
    "school",
    "library",
    "company",
    "public",
    "informal",
    "freelancer",
    "youth_centre",
    "university",
    "other",
)
MEMBER_ROLES = ("owner", "admin", "member")


class Organisation(CityKeyed, Timestamped, Base):
    """Any organisation that publishes learning in a city: NGO, school, library, company..."""

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(24), default="ngo")
    description: Mapped[str] = mapped_column(Text, default="")
    logo: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key
    cover: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key (IPictures)
    cover_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    primary_locale: Mapped[str] = mapped_column(String(16), default="en")
    verified_at: Mapped[dt.datetime | None]
    verification_method: Mapped[str] = mapped_column(
        String(16), default="", server_default=""
    )  # manual, document
    verification_document: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key
    suspended_at: Mapped[dt.datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        primaryjoin=city_join("Membership.organisation_id", "Organisation"),
    )

    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class Membership(CityKeyed, Timestamped, Base):
    """A person's role in an organisation (owner, admin or member)."""

    __tablename__ = "memberships"

    organisation_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")

    organisation: Mapped[Organisation] = relationship(
        back_populates="memberships",
        primaryjoin=city_join("Membership.organisation_id", "Organisation"),
    )
    user: Mapped[User] = relationship()

    __table_args__ = (
        city_reference("memberships", "organisation_id", "organisations", ondelete="CASCADE"),
        UniqueConstraint(
            "tenant_id", "organisation_id", "user_id", name="uq_memberships_organisation_id"
        ),
    )


class Invitation(CityKeyed, Timestamped, Base):
    """An invitation with a role.  Email invitations are single-use; link invitations (no
    ``email``) can be used by several people until they expire or are revoked."""

    __tablename__ = "invitations"

    organisation_id: Mapped[int] = mapped_column(index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), default="member")
    # Unique in its city: an invitation is looked up within the city whose link it is.
    token_hash: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    organisation: Mapped[Organisation] = relationship(
        primaryjoin=city_join("Invitation.organisation_id", "Organisation")
    )

    __table_args__ = (
        city_reference("invitations", "organisation_id", "organisations", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "token_hash", name="uq_invitations_token_hash"),
    )

    @property
    def is_link(self) -> bool:
        return self.email is None
