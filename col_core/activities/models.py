"""Activities that organisations publish, their sessions, and learners' participation.

These tables are the shared domain that discovery (search, map), badges, playlists, skills and
analytics build on.  Every row is owned by a city and keyed by it (``CityKeyed``).  Times are
stored in UTC; the schedule is entered and shown in the city's timezone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from col_core.activities.schedule import as_utc
from col_core.db.city_keys import city_join, city_reference
from col_core.db.meta import Base, Timestamped, utcnow
from col_core.organisations.models import Organisation
from col_core.security.models import User
from col_core.tenancy.scoping import CityKeyed

ACTIVITY_TYPES = (
    "event",
    "workshop",
    "course",
    "internship",
    "volunteering",
    "project",
    "open_space",
    "digital_experience",
)
STATUSES = ("draft", "published", "archived")
VISIBILITIES = ("public", "unlisted", "private")
SCHEDULE_KINDS = ("single", "multi_session", "recurring", "always_open")
ACCESSIBILITY = (
    "step_free",
    "accessible_toilet",
    "hearing_loop",
    "quiet_space",
    "sign_language",
    "easy_read",
    "wheelchair_seats",
    "assistance_animals",
)
PARTICIPATION_STATUSES = ("joined", "waitlisted", "left")
# How a learner completes an activity: an organiser marks them completed; being present at a
# session (a QR check-in, or an organiser marking them present) completes them; or they send
# evidence, which is reviewed (the badges plugin's evidence tasks).
COMPLETIONS = ("organiser", "check_in", "evidence")


class Activity(CityKeyed, Timestamped, Base):
    """Something a learner can take part in, published by an organisation of the city."""

    __tablename__ = "activities"

    organisation_id: Mapped[int] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(24), default="event")
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML (nh3)
    cover: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key (IPictures)
    cover_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    category: Mapped[str] = mapped_column(String(64), default="", index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    visibility: Mapped[str] = mapped_column(String(12), default="public")
    # Anyone holding the token may see a private activity and join it.
    invitation_token: Mapped[str | None] = mapped_column(String(64))

    # The schedule as entered, in the city's local time; ``sessions`` are computed from it.
    # single/multi_session: {"sessions": [{"start": "2026-12-01T18:00", "end": "...T20:00"}]}
    # recurring: {"start": ..., "end": ..., "rrule": "FREQ=WEEKLY;COUNT=6"}; always_open: {}.
    schedule_kind: Mapped[str] = mapped_column(String(16), default="single")
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duration_minutes: Mapped[int | None]

    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    online: Mapped[bool] = mapped_column(default=False)
    join_url: Mapped[str] = mapped_column(String(500), default="")

    age_min: Mapped[int | None]
    age_max: Mapped[int | None]
    price_cents: Mapped[int] = mapped_column(default=0)  # 0 means free
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int | None]  # None means unlimited
    completion: Mapped[str] = mapped_column(
        String(12), default="organiser", server_default="organiser"
    )
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    booking_url: Mapped[str] = mapped_column(String(500), default="")
    # Learning resources for participants, in order: {"kind": "step"|"link"|"file"|"video",
    # "title": ..., "text": ..., "url": ..., "key": <IFileStorage key>}; video URLs are stored
    # already rewritten to an allow-listed embed URL.
    resources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    # Summary of the sessions, for discovery queries: first start and last end (None = always open).
    starts_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    published_at: Mapped[dt.datetime | None]
    archived_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(
        primaryjoin=city_join("Activity.organisation_id", "Organisation")
    )
    sessions: Mapped[list[ActivitySession]] = relationship(
        back_populates="activity",
        cascade="all, delete-orphan",
        order_by="ActivitySession.starts_at",
        primaryjoin=city_join("ActivitySession.activity_id", "Activity"),
    )
    skills: Mapped[list[ActivitySkill]] = relationship(
        back_populates="activity",
        cascade="all, delete-orphan",
        primaryjoin=city_join("ActivitySkill.activity_id", "Activity"),
    )
    co_organisers: Mapped[list[ActivityCoOrganiser]] = relationship(
        back_populates="activity",
        cascade="all, delete-orphan",
        primaryjoin=city_join("ActivityCoOrganiser.activity_id", "Activity"),
    )

    __table_args__ = (
        city_reference("activities", "organisation_id", "organisations", ondelete="CASCADE"),
        Index("ix_activities_tenant_discovery", "tenant_id", "status", "ends_at"),
    )

    @hybrid_property
    def is_expired(self) -> bool:
        """Every session is over; the activity leaves discovery but stays on record."""
        return self.ends_at is not None and as_utc(self.ends_at) < utcnow()

    @is_expired.inplace.expression
    @classmethod
    def _is_expired_expression(cls):
        return and_(cls.ends_at.is_not(None), cls.ends_at < utcnow())

    @hybrid_property
    def is_discoverable(self) -> bool:
        """Shown in search, map and feeds: published, public and not over."""
        return self.status == "published" and self.visibility == "public" and not self.is_expired

    @is_discoverable.inplace.expression
    @classmethod
    def _is_discoverable_expression(cls):
        return and_(
            cls.status == "published",
            cls.visibility == "public",
            or_(cls.ends_at.is_(None), cls.ends_at >= utcnow()),
        )

    @property
    def is_free(self) -> bool:
        return not self.price_cents

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title!r}>"


class ActivitySession(CityKeyed, Base):
    """One occurrence of an activity, in UTC, computed from its schedule."""

    __tablename__ = "activity_sessions"

    activity_id: Mapped[int] = mapped_column(index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]

    activity: Mapped[Activity] = relationship(
        back_populates="sessions", primaryjoin=city_join("ActivitySession.activity_id", "Activity")
    )

    __table_args__ = (
        city_reference("activity_sessions", "activity_id", "activities", ondelete="CASCADE"),
    )


class ActivitySkill(CityKeyed, Base):
    """A skill an activity develops, as a concept URI of a versioned taxonomy (e.g. ESCO)."""

    __tablename__ = "activity_skills"

    activity_id: Mapped[int] = mapped_column(index=True)
    concept_uri: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[str] = mapped_column(String(32), default="")
    label: Mapped[str] = mapped_column(String(255), default="")  # cached for display

    activity: Mapped[Activity] = relationship(
        back_populates="skills", primaryjoin=city_join("ActivitySkill.activity_id", "Activity")
    )

    __table_args__ = (
        city_reference("activity_skills", "activity_id", "activities", ondelete="CASCADE"),
        UniqueConstraint(
            "tenant_id", "activity_id", "concept_uri", name="uq_activity_skills_activity_id"
        ),
    )


class ActivityCoOrganiser(CityKeyed, Base):
    """Another organisation of the same city that runs the activity together with the owner."""

    __tablename__ = "activity_co_organisers"

    activity_id: Mapped[int] = mapped_column(index=True)
    organisation_id: Mapped[int] = mapped_column(index=True)

    activity: Mapped[Activity] = relationship(
        back_populates="co_organisers",
        primaryjoin=city_join("ActivityCoOrganiser.activity_id", "Activity"),
    )
    organisation: Mapped[Organisation] = relationship(
        primaryjoin=city_join("ActivityCoOrganiser.organisation_id", "Organisation")
    )

    __table_args__ = (
        city_reference("activity_co_organisers", "activity_id", "activities", ondelete="CASCADE"),
        city_reference(
            "activity_co_organisers", "organisation_id", "organisations", ondelete="CASCADE"
        ),
        UniqueConstraint(
            "tenant_id",
            "activity_id",
            "organisation_id",
            name="uq_activity_co_organisers_activity_id",
        ),
    )


class Participation(CityKeyed, Timestamped, Base):
    """A learner's place in an activity: joined, on the waitlist, or left."""

    __tablename__ = "participations"

    activity_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="joined")
    # When the learner (re)joined: the waitlist is served first come, first served.
    queued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    activity: Mapped[Activity] = relationship(
        primaryjoin=city_join("Participation.activity_id", "Activity")
    )
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="participation",
        cascade="all, delete-orphan",
        primaryjoin=city_join("Attendance.participation_id", "Participation"),
    )

    __table_args__ = (
        city_reference("participations", "activity_id", "activities", ondelete="CASCADE"),
        UniqueConstraint(
            "tenant_id", "activity_id", "user_id", name="uq_participations_activity_id"
        ),
    )


class Attendance(CityKeyed, Base):
    """A learner was present at one session (marked by an organiser or by scanning its QR code)."""

    __tablename__ = "attendances"

    participation_id: Mapped[int] = mapped_column(index=True)
    session_id: Mapped[int] = mapped_column(index=True)
    marked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(12), default="organiser")  # organiser | qr

    participation: Mapped[Participation] = relationship(
        back_populates="attendances",
        primaryjoin=city_join("Attendance.participation_id", "Participation"),
    )

    __table_args__ = (
        city_reference("attendances", "participation_id", "participations", ondelete="CASCADE"),
        city_reference("attendances", "session_id", "activity_sessions", ondelete="CASCADE"),
        UniqueConstraint(
            "tenant_id", "participation_id", "session_id", name="uq_attendances_participation_id"
        ),
    )


class ReminderSent(CityKeyed, Base):
    """A reminder e-mail went out for one session to one participant (keeps sending idempotent)."""

    __tablename__ = "activity_reminders"

    participation_id: Mapped[int] = mapped_column(index=True)
    session_id: Mapped[int] = mapped_column(index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        city_reference(
            "activity_reminders", "participation_id", "participations", ondelete="CASCADE"
        ),
        city_reference("activity_reminders", "session_id", "activity_sessions", ondelete="CASCADE"),
        UniqueConstraint(
            "tenant_id",
            "participation_id",
            "session_id",
            name="uq_activity_reminders_participation_id",
        ),
    )
