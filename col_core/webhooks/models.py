"""Webhook subscriptions and the log of their delivery attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.city_keys import city_reference
from col_core.db.meta import Base, Timestamped, utcnow
from col_core.tenancy.scoping import CityKeyed


class WebhookSubscription(CityKeyed, Timestamped, Base):
    """An HTTPS endpoint that receives the city's events (``organisation_id`` None), or one
    organisation's events only.

    ``secret`` signs every delivery (``whsec_<base64>``, Standard Webhooks); it is shown to the
    person who created the subscription once and never again.  ``failures`` counts consecutive
    failed attempts; at ``col.webhooks_disable_after`` the subscription is turned off with
    ``disabled_reason`` until someone turns it on again.
    """

    __tablename__ = "webhook_subscriptions"

    organisation_id: Mapped[int | None] = mapped_column(index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    failures: Mapped[int] = mapped_column(default=0)
    disabled_reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        city_reference(
            "webhook_subscriptions", "organisation_id", "organisations", ondelete="CASCADE"
        ),
    )


class WebhookAttempt(CityKeyed, Base):
    """One attempt to deliver one message (``message_id``, the same for every attempt)."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        # The delivery log reads a subscription's newest attempts.
        Index("ix_webhook_attempts_subscription", "subscription_id", "id"),
        city_reference(
            "webhook_attempts", "subscription_id", "webhook_subscriptions", ondelete="CASCADE"
        ),
    )

    subscription_id: Mapped[int]
    message_id: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(80))
    attempt: Mapped[int]
    ok: Mapped[bool]
    status_code: Mapped[int | None]
    duration_ms: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
