"""Playlists: learning pathways made of a city's activities, with completion rules and badges.

Every row is owned by a city and keyed by ``(tenant_id, id)`` (``CityKeyed``); references between
them are composite (``city_reference``), so a row can only point at a row of its own city.  The completion rule lives on the playlist
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
from col_core.tenancy.scoping import CityKeyed

STATUSES = ("draft", "published", "paused", "archived")
VISIBILITIES = ("public", "unlisted")
ACCEPTANCE = ("accepted", "pending", "declined")


class Playlist(CityKeyed, Timestamped, Base):
    """A pathway of activities leading to a playlist badge."""

    __tablename__ = "playlists"

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
        primaryjoin=city_join("PlaylistItem.playlist_id", "Playlist"),
        back_populates="playlist",
        cascade="all, delete-orphan",
        order_by="PlaylistItem.position",
    )
    badges: Mapped[list[PlaylistBadge]] = relationship(
        primaryjoin=city_join("PlaylistBadge.playlist_id", "Playlist"),
        back_populates="playlist",
        cascade="all, delete-orphan",
        order_by="PlaylistBadge.threshold",
    )

    __table_args__ = (
        city_reference("playlists", "organisation_id", "organisations", ondelete="CASCADE"),
    )

    @property
    def accepts_learners(self) -> bool:
        return self.status == "published"


class PlaylistItem(CityKeyed, Base):
    """One activity in a playlist, with its place in the completion rule."""

    __tablename__ = "playlist_items"

    playlist_id: Mapped[int] = mapped_column(index=True)
    activity_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    mandatory: Mapped[bool] = mapped_column(default=True)
    group: Mapped[str] = mapped_column(String(40), default="")
    # The item opens once the learner has completed this other item of the same playlist.
    # The key has no ON DELETE action (SET NULL would empty tenant_id too): removing an item
    # clears it first (PlaylistBuilder.set_items).
    unlock_after_id: Mapped[int | None]
    opens_at: Mapped[dt.datetime | None]
    closes_at: Mapped[dt.datetime | None]
    # Template text describing the item, shown to other cities instead of the activity.
    note: Mapped[str] = mapped_column(String(300), default="")
    # Another organisation's activity needs its consent; it may decline.
    acceptance: Mapped[str] = mapped_column(String(12), default="accepted")

    playlist: Mapped[Playlist] = relationship(
        primaryjoin=city_join("PlaylistItem.playlist_id", "Playlist"), back_populates="items"
    )
    activity: Mapped[Activity] = relationship(
        primaryjoin=city_join("PlaylistItem.activity_id", "Activity")
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "playlist_id", "activity_id"),
        city_reference("playlist_items", "playlist_id", "playlists", ondelete="CASCADE"),
        city_reference("playlist_items", "activity_id", "activities", ondelete="CASCADE"),
        city_reference("playlist_items", "unlock_after_id", "playlist_items"),
    )


class PlaylistBadge(CityKeyed, Base):
    """A badge the playlist awards: on completion (threshold 0) or at a milestone of N items."""

    __tablename__ = "playlist_badges"

    playlist_id: Mapped[int] = mapped_column(index=True)
    threshold: Mapped[int] = mapped_column(default=0)  # 0 = completing the playlist
    # The badges plugin's badge class; no FK so playlists run without the badges plugin.
    badge_class_id: Mapped[int | None]

    playlist: Mapped[Playlist] = relationship(
        primaryjoin=city_join("PlaylistBadge.playlist_id", "Playlist"), back_populates="badges"
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "playlist_id", "threshold"),
        city_reference("playlist_badges", "playlist_id", "playlists", ondelete="CASCADE"),
    )

    @property
    def award(self):
        """The award key of :func:`plugins.playlists.rules.awards_due`."""
        return self.threshold or "completion"


class PlaylistEnrolment(CityKeyed, Timestamped, Base):
    """A learner following a playlist."""

    __tablename__ = "playlist_enrolments"

    playlist_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None]

    playlist: Mapped[Playlist] = relationship(
        primaryjoin=city_join("PlaylistEnrolment.playlist_id", "Playlist")
    )
    user: Mapped[User] = relationship()
    completions: Mapped[list[ItemCompletion]] = relationship(
        primaryjoin=city_join("ItemCompletion.enrolment_id", "PlaylistEnrolment"),
        back_populates="enrolment",
        cascade="all, delete-orphan",
    )
    awards: Mapped[list[PlaylistAward]] = relationship(
        primaryjoin=city_join("PlaylistAward.enrolment_id", "PlaylistEnrolment"),
        back_populates="enrolment",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "playlist_id", "user_id"),
        city_reference("playlist_enrolments", "playlist_id", "playlists", ondelete="CASCADE"),
    )


class ItemCompletion(CityKeyed, Base):
    """A learner completed an item; kept even if the activity later expires or is archived."""

    __tablename__ = "playlist_item_completions"

    enrolment_id: Mapped[int] = mapped_column(index=True)
    item_id: Mapped[int]
    completed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[PlaylistEnrolment] = relationship(
        primaryjoin=city_join("ItemCompletion.enrolment_id", "PlaylistEnrolment"),
        back_populates="completions",
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "enrolment_id", "item_id"),
        city_reference(
            "playlist_item_completions", "enrolment_id", "playlist_enrolments", ondelete="CASCADE"
        ),
        city_reference(
            "playlist_item_completions", "item_id", "playlist_items", ondelete="CASCADE"
        ),
    )


class PlaylistAward(CityKeyed, Timestamped, Base):
    """A playlist badge earned by a learner: issued, or pending while badges are unavailable.

    The unique constraint makes awarding exactly-once even when two completions race.
    """

    __tablename__ = "playlist_awards"

    enrolment_id: Mapped[int] = mapped_column(index=True)
    playlist_badge_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | issued
    assertion_uid: Mapped[str] = mapped_column(String(32), default="")

    enrolment: Mapped[PlaylistEnrolment] = relationship(
        primaryjoin=city_join("PlaylistAward.enrolment_id", "PlaylistEnrolment"),
        back_populates="awards",
    )
    badge: Mapped[PlaylistBadge] = relationship(
        primaryjoin=city_join("PlaylistAward.playlist_badge_id", "PlaylistBadge")
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "enrolment_id", "playlist_badge_id"),
        city_reference(
            "playlist_awards", "enrolment_id", "playlist_enrolments", ondelete="CASCADE"
        ),
        city_reference(
            "playlist_awards", "playlist_badge_id", "playlist_badges", ondelete="CASCADE"
        ),
    )


class PlaylistNotice(CityKeyed, Base):
    """An e-mail that went out once: an item opened or closes soon (to a learner), an activity
    became unavailable (to the organisers).  Makes ``col playlists notify`` idempotent."""

    __tablename__ = "playlist_notices"

    item_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # opened | closing | unavailable | invited
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("tenant_id", "item_id", "user_id", "kind"),
        city_reference("playlist_notices", "item_id", "playlist_items", ondelete="CASCADE"),
    )
