"""Invitations to join an organisation, by email or by a shareable link / QR code."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from col_core.db.meta import Base, Timestamped
from col_core.security.models import Organisation
from col_core.tenancy.scoping import TenantScoped


class Invitation(TenantScoped, Timestamped, Base):
    """An invitation with a role.  Email invitations are single-use; link invitations (no
    ``email``) can be used by several people until they expire or are revoked."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), default="member")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    organisation: Mapped[Organisation] = relationship()

    @property
    def is_link(self) -> bool:
        return self.email is None
