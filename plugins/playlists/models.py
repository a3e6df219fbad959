"""Playlists: learning pathways made of a city's activities, with completion rules and badges.

Every row is owned by a city (``TenantScoped``).  The completion rule lives on the playlist
(``min_optional``, ``groups``) and on its items (mandatory, group, unlocking order, dates); the
pure engine in :mod:`plugins.playlists.rules` evaluates it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from col_core.activities.models import Activity
from col_core.db.city_keys import city_join, city_reference
from col_core.db.meta import Base, Timestamped, utcnow
from col_core.organisations.models import Organisation
from col_core.security.models import User
from col_core.tenancy.scoping import TenantScoped

STATUSES = ("draft", "published", "paused", "archived")
VISIBILITIES = ("public", "unlisted")
ACCEPTANCE = ("accepted", "pending", "declined")


class Playlist(TenantScoped, Timestamped, Base):
    """A pathway of activities leading to a playlist badge."""

    __tablename__ = "playlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # sanitised HTML (nh3)
    cover: Mapped[str | None] = mapped_column(String(80))  # IFileStorage key (IPictures)
    cover_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    category: Mapped[str] = mapped_column(String(64), default="")
    skills: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # {"uri", "label"}
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    visibility: Mapped[str] = mapped_column(String(12), default="public")
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    # Why the playlist is paused, for its organisers (a plain, already translated sentence).
    paused_reason: Mapped[str] = mapped_column(Text, default="")
    # The completion rule: at least this many ungrouped optional items, and per group "any K".
    min_optional: Mapped[int] = mapped_column(default=0)
    groups: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # A template is readable by organisers of every city (its own text and structure only).
    is_template: Mapped[bool] = mapped_column(default=False)
    # The template this playlist was copied from; another city's id, so deliberately no FK.
    source_template_id: Mapped[int | None]
    published_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(
        primaryjoin=city_join("Playlist.organisation_id", "Organisation")
    )
    items: Mapped[list[PlaylistItem]] = relationship(
        back_populates="playlist", cascade="all, delete-orphan", order_by="PlaylistItem.position"
    )
    badges: Mapped[list[PlaylistBadge]] = relationship(
        back_populates="playlist", cascade="all, delete-orphan", order_by="PlaylistBadge.threshold"
    )

    __table_args__ = (
        city_reference("playlists", "organisation_id", "organisations", ondelete="CASCADE"),
    )

    @property
    def accepts_learners(self) -> bool:
        return self.status == "published"


class PlaylistItem(TenantScoped, Base):
    """One activity in a playlist, with its place in the completion rule."""

    __tablename__ = "playlist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    mandatory: Mapped[bool] = mapped_column(default=True)
    group: Mapped[str] = mapped_column(String(40), default="")
    # The item opens once the learner has completed this other item of the same playlist.
    unlock_after_id: Mapped[int | None] = mapped_column(
        ForeignKey("playlist_items.id", ondelete="SET NULL")
    )
    opens_at: Mapped[dt.datetime | None]
    closes_at: Mapped[dt.datetime | None]
    # Template text describing the item, shown to other cities instead of the activity.
    note: Mapped[str] = mapped_column(String(300), default="")
    # Another organisation's activity needs its consent; it may decline.
    acceptance: Mapped[str] = mapped_column(String(12), default="accepted")

    playlist: Mapped[Playlist] = relationship(back_populates="items")
    activity: Mapped[Activity] = relationship(
        primaryjoin=city_join("PlaylistItem.activity_id", "Activity")
    )

    __table_args__ = (
        city_reference("playlist_items", "activity_id", "activities", ondelete="CASCADE"),
        UniqueConstraint("playlist_id", "activity_id"),
    )


class PlaylistBadge(TenantScoped, Base):
    """A badge the playlist awards: on completion (threshold 0) or at a milestone of N items."""

    __tablename__ = "playlist_badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), index=True
    )
    threshold: Mapped[int] = mapped_column(default=0)  # 0 = completing the playlist
    # The badges plugin's badge class; no FK so playlists run without the badges plugin.
    badge_class_id: Mapped[int | None]

    playlist: Mapped[Playlist] = relationship(back_populates="badges")

    __table_args__ = (UniqueConstraint("playlist_id", "threshold"),)

    @property
    def award(self):
        """The award key of :func:`plugins.playlists.rules.awards_due`."""
        return self.threshold or "completion"


class PlaylistEnrolment(TenantScoped, Timestamped, Base):
    """A learner following a playlist."""

    __tablename__ = "playlist_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(
        ForeignKey("playlists.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None]

    playlist: Mapped[Playlist] = relationship()
    user: Mapped[User] = relationship()
    completions: Mapped[list[ItemCompletion]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )
    awards: Mapped[list[PlaylistAward]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("playlist_id", "user_id"),)


class ItemCompletion(TenantScoped, Base):
    """A learner completed an item; kept even if the activity later expires or is archived."""

    __tablename__ = "playlist_item_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("playlist_enrolments.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("playlist_items.id", ondelete="CASCADE"))
    completed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[PlaylistEnrolment] = relationship(back_populates="completions")

    __table_args__ = (UniqueConstraint("enrolment_id", "item_id"),)


class PlaylistAward(TenantScoped, Timestamped, Base):
    """A playlist badge earned by a learner: issued, or pending while badges are unavailable.

    The unique constraint makes awarding exactly-once even when two completions race.
    """

    __tablename__ = "playlist_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("playlist_enrolments.id", ondelete="CASCADE"), index=True
    )
    playlist_badge_id: Mapped[int] = mapped_column(
        ForeignKey("playlist_badges.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | issued
    assertion_uid: Mapped[str] = mapped_column(String(32), default="")

    enrolment: Mapped[PlaylistEnrolment] = relationship(back_populates="awards")
    badge: Mapped[PlaylistBadge] = relationship()

    __table_args__ = (UniqueConstraint("enrolment_id", "playlist_badge_id"),)


class PlaylistNotice(TenantScoped, Base):
    """An e-mail that went out once: an item opened or closes soon (to a learner), an activity
    became unavailable (to the organisers).  Makes ``col playlists notify`` idempotent."""

    __tablename__ = "playlist_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("playlist_items.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # opened | closing | unavailable | invited
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("item_id", "user_id", "kind"),)
