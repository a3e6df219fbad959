"""Badges: issuers and their keys, badge classes, assertions, claim codes, evidence, imports.

Everything a city owns is ``TenantScoped``.  A badge class belongs to a *subject* named by
``subject_type`` + ``subject_id`` ("activity", "playlist", ...) rather than a foreign key, so
new kinds of subject (playlists) need no schema change and the plugin depends on no other
plugin's tables.  Imported badges belong to a person, not a city, so they are global rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from col_core.db.city_keys import city_join, city_reference
from col_core.db.meta import Base, Timestamped, utcnow
from col_core.organisations.models import Organisation
from col_core.security.models import User
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import TenantScoped

KEY_KINDS = ("ed25519", "rsa")
EARNING = ("direct", "claim", "evidence")
REVIEWS = ("self", "organiser", "peer")
VISIBILITIES = ("public", "link", "private")


class Issuer(TenantScoped, Timestamped, Base):
    """An organisation acting as an Open Badges issuer (one per organisation).

    The city itself has one issuer too, without an organisation: it awards no badges, but it
    endorses its organisations' badges and issuers (:class:`Endorsement`) and signs what it
    endorses with keys of its own.
    """

    __tablename__ = "badge_issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")

    organisation: Mapped[Organisation | None] = relationship(
        primaryjoin=city_join("Issuer.organisation_id", "Organisation")
    )
    tenant: Mapped[Tenant] = relationship()
    keys: Mapped[list[IssuerKey]] = relationship(
        back_populates="issuer", order_by="IssuerKey.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        city_reference("badge_issuers", "organisation_id", "organisations", ondelete="CASCADE"),
    )

    def active_key(self, kind: str) -> IssuerKey | None:
        return next((k for k in reversed(self.keys) if k.kind == kind and k.is_active), None)

    @property
    def is_city(self) -> bool:
        return self.organisation_id is None

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation else self.tenant.name

    @property
    def description(self) -> str:
        return self.organisation.description if self.organisation else ""

    @property
    def website(self) -> str:
        return self.organisation.website if self.organisation else ""


class IssuerKey(TenantScoped, Timestamped, Base):
    """A signing key.  Retired keys stay published so that what they signed still verifies."""

    __tablename__ = "badge_issuer_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("badge_issuers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))  # ed25519 | rsa
    public_pem: Mapped[str] = mapped_column(Text)
    # PKCS#8, encrypted with a key derived from col.secret (never stored in the clear).
    private_pem: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[dt.datetime | None]

    issuer: Mapped[Issuer] = relationship(back_populates="keys")

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class BadgeClass(TenantScoped, Timestamped, Base):
    """What a badge says and how it is earned (an OB 2.0 BadgeClass / OB 3.0 Achievement)."""

    __tablename__ = "badge_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("badge_issuers.id", ondelete="CASCADE"), index=True
    )
    subject_type: Mapped[str] = mapped_column(String(24), default="")  # activity | playlist
    subject_id: Mapped[int | None]
    # The badge every published activity gets; completing the activity issues it.
    is_default: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key; None = generated
    icon: Mapped[str] = mapped_column(String(24), default="star")
    # [{"uri": ESCO concept URI, "label": ..., "code": ...}]
    skills: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    expires_after_days: Mapped[int | None]
    earning: Mapped[str] = mapped_column(String(12), default="direct")
    review: Mapped[str] = mapped_column(String(12), default="organiser")
    peer_reviews_required: Mapped[int] = mapped_column(default=1)
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)  # evidence tasks, in order
    archived_at: Mapped[dt.datetime | None]

    issuer: Mapped[Issuer] = relationship()
    # Written through the links (rows of their own, so they get their tenant stamped).
    prerequisite_links: Mapped[list[BadgePrerequisite]] = relationship(
        foreign_keys="BadgePrerequisite.badge_class_id", cascade="all, delete-orphan"
    )
    prerequisites: Mapped[list[BadgeClass]] = relationship(
        secondary="badge_prerequisites",
        viewonly=True,
        primaryjoin="BadgeClass.id == BadgePrerequisite.badge_class_id",
        secondaryjoin="BadgeClass.id == BadgePrerequisite.required_id",
    )

    def set_prerequisites(self, required: list[BadgeClass]) -> None:
        self.prerequisite_links = [BadgePrerequisite(required_id=b.id) for b in required]

    __table_args__ = (Index("ix_badge_classes_subject", "tenant_id", "subject_type", "subject_id"),)


class BadgePrerequisite(TenantScoped, Base):
    """``badge_class`` can only be awarded to someone who already holds ``required``."""

    __tablename__ = "badge_prerequisites"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), index=True
    )
    required_id: Mapped[int] = mapped_column(ForeignKey("badge_classes.id", ondelete="CASCADE"))

    __table_args__ = (UniqueConstraint("badge_class_id", "required_id"),)


class HeldAward(TenantScoped, Timestamped, Base):
    """A badge earned (activity completed, evidence approved) while a prerequisite was missing:
    it is issued, with what it was earned with, as soon as the person earns the prerequisite."""

    __tablename__ = "badge_held_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16), default="completion")

    badge_class: Mapped[BadgeClass] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("badge_class_id", "user_id"),)


class Assertion(TenantScoped, Timestamped, Base):
    """One badge awarded to one person: the row behind every OB 2.0 and OB 3.0 document."""

    __tablename__ = "badge_assertions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)  # public id in every URL
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), index=True
    )
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("badge_issuers.id", ondelete="CASCADE"), index=True
    )
    # Blanked when the account is deleted: the hash below keeps the badge verifiable.
    recipient_email: Mapped[str] = mapped_column(String(254), default="", index=True)
    recipient_hash: Mapped[str] = mapped_column(String(80))
    salt: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    issued_on: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revocation_reason: Mapped[str] = mapped_column(String(500), default="")
    status_index: Mapped[int]  # bit in the issuer's Bitstring Status List
    # [{"url": ..., "narrative": ..., "name": ...}], copied in at issue time.
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    visibility: Mapped[str] = mapped_column(String(8), default="link")
    # The share page names the recipient only when they chose so.
    show_name: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    source: Mapped[str] = mapped_column(String(16), default="direct")
    # Emailed to a recipient without an account: the link that claims it into a new one.
    accept_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    badge_class: Mapped[BadgeClass] = relationship()
    issuer: Mapped[Issuer] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("issuer_id", "status_index"),)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and _aware(self.expires_at) < utcnow()


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; they are UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class ClaimCode(TenantScoped, Timestamped, Base):
    """A code (printed as a QR code) that lets people claim a badge themselves."""

    __tablename__ = "badge_claim_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)
    max_uses: Mapped[int | None]  # 1 = single use; None = unlimited
    uses: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[dt.datetime | None]

    badge_class: Mapped[BadgeClass] = relationship()

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and _aware(self.expires_at) < utcnow()

    @property
    def is_used_up(self) -> bool:
        return self.max_uses is not None and self.uses >= self.max_uses


class EvidenceSubmission(TenantScoped, Timestamped, Base):
    """A learner's evidence for one task of a badge class, and where its review stands."""

    __tablename__ = "badge_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_class_id: Mapped[int] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    task: Mapped[int] = mapped_column(default=0)  # index into BadgeClass.tasks
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    file: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key
    public: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="submitted")  # | approved | improve

    badge_class: Mapped[BadgeClass] = relationship()
    user: Mapped[User] = relationship()
    reviews: Mapped[list[EvidenceReview]] = relationship(
        back_populates="submission", order_by="EvidenceReview.id", cascade="all, delete-orphan"
    )


class EvidenceReview(TenantScoped, Timestamped, Base):
    """One reviewer's decision on a submission; the list is the submission's history."""

    __tablename__ = "badge_evidence_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("badge_evidence.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(12))  # approve | improve
    comment: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[EvidenceSubmission] = relationship(back_populates="reviews")


class ImportedBadge(Timestamped, Base):
    """A badge earned elsewhere that a learner added to their wallet (verified on import).

    It belongs to the person, not to a city, so it is a global row like the account.
    """

    __tablename__ = "badge_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(Text)  # the URL, JWS, JSON or base64 of the baked image
    format: Mapped[str] = mapped_column(String(16))  # ob2-hosted | ob2-signed | ob3-di | ob3-jwt
    # valid | expired; "unchecked" for imports made before recipients were checked, which the
    # wallet shows as unverified until the person adds them again.
    status: Mapped[str] = mapped_column(String(12))
    badge_name: Mapped[str] = mapped_column(String(300), default="")
    issuer_name: Mapped[str] = mapped_column(String(300), default="")
    issued_on: Mapped[str] = mapped_column(String(40), default="")
    verified_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Endorsement(TenantScoped, Timestamped, Base):
    """An issuer (an organisation, or the city) vouching for another organisation's badge class
    or issuer: an OB 2.0 Endorsement and an OB 3.0 EndorsementCredential.

    Exactly one of ``badge_class_id`` and ``subject_issuer_id`` is set.  A withdrawn endorsement
    stays (its hosted document answers 410 and its status list bit is set) but is no longer
    listed or embedded.
    """

    __tablename__ = "badge_endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    endorser_id: Mapped[int] = mapped_column(
        ForeignKey("badge_issuers.id", ondelete="CASCADE"), index=True
    )
    badge_class_id: Mapped[int | None] = mapped_column(
        ForeignKey("badge_classes.id", ondelete="CASCADE"), index=True
    )
    subject_issuer_id: Mapped[int | None] = mapped_column(
        ForeignKey("badge_issuers.id", ondelete="CASCADE"), index=True
    )
    comment: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[dt.datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None]
    status_index: Mapped[int]  # bit in the endorser's endorsement status list

    endorser: Mapped[Issuer] = relationship(foreign_keys=[endorser_id])
    badge_class: Mapped[BadgeClass | None] = relationship()
    subject_issuer: Mapped[Issuer | None] = relationship(foreign_keys=[subject_issuer_id])

    __table_args__ = (UniqueConstraint("endorser_id", "status_index"),)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class WalletOffer(TenantScoped, Base):
    """An OpenID4VCI credential offer of one awarded badge (pre-authorized code flow).

    Neither secret is stored: the pre-authorized code (in the offer's QR code and link) and the
    access token it is exchanged for are kept as SHA-256 digests.  The code is redeemed once:
    the token endpoint sets ``redeemed_at`` with a conditional UPDATE, so of two redemptions at
    the same time one wins.  ``assertion_id`` has no foreign key: badge_assertions has no
    ``(tenant_id, id)`` key yet for one to name (tests/unit/test_citus_ready.py); an offer whose
    badge is gone is simply refused.
    """

    __tablename__ = "badge_wallet_offers"

    code_hash: Mapped[str] = mapped_column(String(64))
    assertion_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    redeemed_at: Mapped[dt.datetime | None]
    token_hash: Mapped[str | None] = mapped_column(String(64))
    token_expires_at: Mapped[dt.datetime | None]

    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "code_hash"),
        UniqueConstraint("tenant_id", "token_hash", name="uq_badge_wallet_offers_token_hash"),
    )


class RecordLink(Timestamped, Base):
    """A public, revocable link to a learner's CLR 2.0 record (a global row, like the account).

    The link serves the record as it is when fetched, so revoked badges drop out; a revoked link
    answers 410 Gone.
    """

    __tablename__ = "badge_record_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # secrets.token_urlsafe(32)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ObApiClient(TenantScoped, Timestamped, Base):
    """An application registered with the city's Open Badges 3.0 API (RFC 7591 dynamic client
    registration): a backpack or another host that reads or adds a learner's badges once the
    learner consents.  Its secret is kept as a SHA-256 digest only."""

    __tablename__ = "badge_ob_clients"

    client_id: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    uri: Mapped[str] = mapped_column(String(500), default="")
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    scope: Mapped[str] = mapped_column(String(500))
    # Everything the client registered, as answered (RFC 7591 section 3.2.1), less the secret.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)

    __table_args__ = (PrimaryKeyConstraint("tenant_id", "client_id"),)


class ObApiCode(TenantScoped, Base):
    """An authorization code (RFC 6749 section 4.1) of a client of the same city (by
    ``client_id``: clients are never deleted, so no foreign key is needed), kept as a digest: single-use (``used_at``
    is set by one conditional UPDATE) and valid for minutes, bound to its PKCE challenge."""

    __tablename__ = "badge_ob_codes"

    code_hash: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(500))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (PrimaryKeyConstraint("tenant_id", "code_hash"),)


class ObApiToken(TenantScoped, Base):
    """An access token and its refresh token, granted by a learner to a client: both kept as
    SHA-256 digests, never in the clear.  Revoking (RFC 7009, or "disconnect" in the wallet)
    ends both."""

    __tablename__ = "badge_ob_tokens"

    access_hash: Mapped[str] = mapped_column(String(64))
    refresh_hash: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(500))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    refresh_expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "access_hash"),
        UniqueConstraint("tenant_id", "refresh_hash"),
    )
