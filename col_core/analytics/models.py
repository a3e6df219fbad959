"""Analytics tables: the daily rollup of counted events, the months in which each learner was
active, and learners' feedback on activities."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.city_keys import city_reference
from col_core.db.meta import Base, Timestamped
from col_core.tenancy.scoping import CityKeyed


class DailyMetric(CityKeyed, Base):
    """How many times ``metric`` happened on ``day`` in a city, broken down by one dimension.

    ``dimension`` is "" for the city's total (``key`` ""), or "category", "age", "language",
    "cell" (a map grid square), "skill" (a concept URI) or "activity" (an activity id).  Rows are
    incremented in the transaction of the event itself, so dashboards read a few thousand small
    rows instead of millions of participations.
    """

    __tablename__ = "analytics_daily"

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


class ActiveLearner(CityKeyed, Base):
    """A learner who took a place in a city during ``month`` (its first day).

    ``days`` has bit ``d - 1`` set for each day ``d`` of the month on which they did, so the
    distinct learners of any period, cut mid-month or not, are counted exactly from one row per
    learner and month instead of from every participation (a tenth of the rows, or fewer).
    """

    __tablename__ = "analytics_active_learners"

    month: Mapped[dt.date]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    days: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        # A join looks up the learner's own months through this one.
        UniqueConstraint("tenant_id", "user_id", "month"),
        # A period's count of distinct learners reads this index alone.
        Index("ix_analytics_active_learners_read", "tenant_id", "month", "user_id", "days"),
    )


class ActivityFeedback(CityKeyed, Timestamped, Base):
    """A learner's rating (1-5) and answers to the city's feedback questions for one activity."""

    __tablename__ = "activity_feedback"

    activity_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # question id -> text

    __table_args__ = (
        city_reference("activity_feedback", "activity_id", "activities", ondelete="CASCADE"),
        UniqueConstraint(
            "tenant_id", "activity_id", "user_id", name="uq_activity_feedback_activity_id"
        ),
    )
