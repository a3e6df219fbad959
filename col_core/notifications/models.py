"""A notification: one row per recipient, kept in the site whether or not it was e-mailed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.meta import Base, utcnow
from col_core.tenancy.scoping import CityKeyed


class Notification(CityKeyed, Base):
    """What happened, for one person of the city.

    The message is kept untranslated (its gettext ``domain``, ``message`` id and ``mapping``),
    so the list shows it in the reader's language of the day, not the sender's."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The bell's count and the list: a person's unread and newest notifications.
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    domain: Mapped[str] = mapped_column(String(40), default="col")
    message: Mapped[str] = mapped_column(String(500))
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]
