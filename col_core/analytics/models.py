"""Analytics tables: the daily rollup of counted events, and learners' feedback on activities."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.meta import Base, Timestamped
from col_core.tenancy.scoping import TenantScoped


class DailyMetric(TenantScoped, Base):
    """How many times ``metric`` happened on ``day`` in a city, broken down by one dimension.

    ``dimension`` is "" for the city's total (``key`` ""), or "category", "age", "language",
    "cell" (a map grid square), "skill" (a concept URI) or "activity" (an activity id).  Rows are
    incremented in the transaction of the event itself, so dashboards read a few thousand small
    rows instead of millions of participations.
    """

    __tablename__ = "analytics_daily"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date]
    metric: Mapped[str] = mapped_column(String(32))
    dimension: Mapped[str] = mapped_column(String(16), default="")
    key: Mapped[str] = mapped_column(String(255), default="")
    value: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("tenant_id", "metric", "dimension", "key", "day"),
        # Dashboards read one metric and dimension over a date range, from the index alone.
        Index("ix_analytics_daily_read", "tenant_id", "metric", "dimension", "day", "key", "value"),
    )


class ActivityFeedback(TenantScoped, Timestamped, Base):
    """A learner's rating (1-5) and answers to the city's feedback questions for one activity."""

    __tablename__ = "activity_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # question id -> text

    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

