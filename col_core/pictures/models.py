"""One row per cover picture a city holds: its size and the widths it is stored in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.meta import Base, Timestamped
from col_core.tenancy.scoping import TenantScoped


class Picture(TenantScoped, Timestamped, Base):
    """A cover as uploaded once and encoded by ``col_core.pictures.images``.

    ``key`` is the stored JPEG of the largest width: the key an activity, organisation or
    playlist keeps in its ``cover`` column (and the API's ``cover_url``).  ``variants`` are the
    WebP encodings from narrowest to widest, ``{"width", "height", "key"}`` each, every one a
    public ``StoredFile`` of the city, so ``/files/<key>`` serves them there and nowhere else.
    """

    __tablename__ = "pictures"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(80))
    width: Mapped[int]
    height: Mapped[int]
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    def srcset(self, url) -> str:
        """``srcset`` of the variants, ``url(key)`` giving each one's address."""
        return ", ".join(f"{url(v['key'])} {v['width']}w" for v in self.variants)
