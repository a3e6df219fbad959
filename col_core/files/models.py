"""One row per stored file and city: who owns it, and who may see it."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.meta import Base, Timestamped
from col_core.tenancy.scoping import CityKeyed

VISIBILITIES = ("public", "private")
#: What a file is for; private ones are the person's own documents.
PURPOSES = (
    "picture",
    "logo",
    "verification",
    "cover",
    "resource",
    "badge-image",
    "evidence",
    "branding",
)


class StoredFile(CityKeyed, Timestamped, Base):
    """A file (its bytes are in ``IFileStorage`` under ``key``) as one city holds it.

    The bytes are content-addressed and shared, so the same key can have several rows (two
    people uploading the same picture, one image in two cities); each row says who may see it
    there.  ``owner_id`` is the person who uploaded it (None: the city's own, or unknown).
    """

    __tablename__ = "stored_files"
    __table_args__ = (Index("ix_stored_files_tenant_key", "tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(80))  # "<sha256>.<ext>"
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    visibility: Mapped[str] = mapped_column(String(8), default="private")
    purpose: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int | None]  # None: stored before files had owners (see the migration)

    @property
    def sha256(self) -> str:
        return self.key.partition(".")[0]

    @property
    def is_public(self) -> bool:
        return self.visibility == "public"
