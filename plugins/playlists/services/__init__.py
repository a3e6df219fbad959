"""IPlaylistBuilder: organisers drafting, publishing and looking after playlists."""

from __future__ import annotations

import zoneinfo

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import select
from zope.interface import implementer

from col_core.activities.interfaces import ValidationFailed
from col_core.activities.models import Activity
from col_core.activities.schedule import as_utc
from col_core.activities.services import FieldContext
from col_core.db.meta import utcnow
from col_core.notifications import INotifications
from col_core.security.validation import record_id
from col_core.tenancy.scoping import get_city_row
from plugins.playlists import awarding, search, skills
from plugins.playlists.interfaces import IPlaylistBuilder
from plugins.playlists.mailing import city_link, tell_organisers, tell_playlist_organisers
from plugins.playlists.models import (
    Playlist,
    PlaylistBadge,
    PlaylistEnrolment,
    PlaylistItem,
    PlaylistNotice,
)
from plugins.playlists.rules import Item, Rule, feasible, problems
from plugins.playlists.schemas import parse_fields, parse_items

_ = TranslationStringFactory("col_playlists")

CONTENT = (
    "title",
    "description",
    "cover",
    "cover_alt",
    "category",
    "languages",
    "skills",
    "visibility",
    "min_optional",
    "groups",
    "is_template",
)


def rule_of(playlist: Playlist) -> Rule:
    items = tuple(
        Item(
            key=item.id,
            title=item.activity.title,
            mandatory=item.mandatory,
            group=item.group,
            unlock_after=item.unlock_after_id,
            opens_at=as_utc(item.opens_at),
            closes_at=as_utc(item.closes_at),
        )
        for item in playlist.items
    )
    milestones = tuple(badge.threshold for badge in playlist.badges if badge.threshold)
    return Rule(items, playlist.min_optional, dict(playlist.groups or {}), milestones)


def is_available(item: PlaylistItem, now) -> bool:
    """Whether a new learner can still do the item's activity."""
    activity = item.activity
    closed = item.closes_at is not None and as_utc(item.closes_at) < now
    return (
        activity.status == "published"
        and not activity.is_expired
        and item.acceptance != "declined"
        and not closed
    )


def _needs_consent(playlist: Playlist, activity: Activity) -> bool:
    return (
        activity.organisation_id != playlist.organisation_id
        and playlist.organisation_id not in {c.organisation_id for c in activity.co_organisers}
    )


@implementer(IPlaylistBuilder)
class PlaylistBuilder:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def get(self, playlist_id):
        playlist_id = record_id(playlist_id)
        return get_city_row(self.db, Playlist, playlist_id) if playlist_id else None

    def for_organisation(self, organisation):
        return self.db.scalars(
            select(Playlist)
            .where(Playlist.organisation_id == organisation.id)
            .order_by(Playlist.id.desc())
        ).all()

    def create(self, organisation, author, data):
        playlist = Playlist(
            organisation=organisation,
            created_by_id=getattr(author, "id", None),
            badges=[PlaylistBadge(threshold=0)],
        )
        self.db.add(playlist)
        self.db.flush()  # skill tags name the playlist by its id
        errors = self._save_fields(playlist, data, partial=True)
        self.db.flush()
        return playlist, errors

    def autosave(self, playlist, data):
        if playlist.status == "archived":
            raise ValidationFailed(_("An archived playlist cannot change."))
        partial = playlist.status == "draft"
        errors = self._save_fields(playlist, data, partial=partial)
        if not partial:
            self._refuse_broken_rule(playlist)
            search.sync(self.request, playlist)
        return errors

    def _save_fields(self, playlist, data, partial: bool) -> dict:
        values, errors = parse_fields(data, FieldContext(self.request))
        if errors and not partial:
            raise ValidationFailed(_("Check the highlighted fields."), errors)
        for name, value in values.items():
            if name in CONTENT:
                setattr(playlist, name, value)
        if "milestones" in values:
            self._set_milestones(playlist, values["milestones"])
        if "skills" in values:
            errors.update(skills.sync(self.request, playlist))
            if errors and not partial:
                raise ValidationFailed(_("Check the highlighted fields."), errors)
        return errors

    def _set_milestones(self, playlist, thresholds: list[int]) -> None:
        kept = []
        for badge in playlist.badges:
            # The badge for the whole playlist stays; a milestone's while it is still asked for.
            if not badge.threshold or badge.threshold in thresholds:
                kept.append(badge)
        present = {badge.threshold for badge in kept}
        missing = [threshold for threshold in thresholds if threshold not in present]
        added = [PlaylistBadge(threshold=threshold) for threshold in missing]
        playlist.badges = kept + added

    def _refuse_broken_rule(self, playlist) -> None:
        """A live playlist only takes changes that keep its rule working."""
        self.db.flush()
        self.db.expire(playlist, ["items", "badges"])
        found = self.problems(playlist)
        if found:
            raise ValidationFailed(_("The completion rule does not work yet."), found)

    def problems(self, playlist):
        return problems(rule_of(playlist))

    def set_items(self, playlist, rows):
        if playlist.status == "archived":
            raise ValidationFailed(_("An archived playlist cannot change."))
        tz = zoneinfo.ZoneInfo(self.request.tenant.timezone or "UTC")
        clean, errors = parse_items(rows, tz)
        activities = self._activities(playlist, clean, errors)
        if errors:
            raise ValidationFailed(_("Check the highlighted items."), errors)
        existing = {item.activity_id: item for item in playlist.items}
        before = set(existing)
        items, invited = [], []
        for position, row in enumerate(clean):
            item = existing.get(row["activity_id"])
            if item is None:
                activity = activities[row["activity_id"]]
                item = PlaylistItem(activity=activity, acceptance="accepted")
                if _needs_consent(playlist, activity):
                    item.acceptance = "pending"
                    invited.append(item)
            item.position, item.mandatory, item.group = position, row["mandatory"], row["group"]
            item.opens_at, item.closes_at, item.note = (
                row["opens_at"],
                row["closes_at"],
                row["note"],
            )
            items.append(item)
        self._forget_unlocks_after(playlist, removed=set(playlist.items) - set(items))
        playlist.items = items
        self.db.flush()
        by_activity = {item.activity_id: item for item in items}
        for item, row in zip(items, clean, strict=False):
            after = by_activity.get(row["unlock_after"])
            item.unlock_after_id = after.id if after else None
        self.db.flush()
        for item in invited:
            self._invite(playlist, item)
        if playlist.status != "draft":
            self._refuse_broken_rule(playlist)
            self.review(playlist, utcnow())
            if {item.activity_id for item in items} != before:
                self._tell_learners(playlist)

    def _forget_unlocks_after(self, playlist, removed: set[PlaylistItem]) -> None:
        """Items unlocking after an item about to go no longer wait for it.  The key naming that
        item has no ON DELETE action (as a city's composite key, SET NULL would empty tenant_id
        too), so the database refuses to delete an item another still names; written while
        they are all in the playlist, so an item going as well is updated before it goes."""
        gone = {item.id for item in removed}
        for item in playlist.items:
            if item.unlock_after_id in gone:
                item.unlock_after_id = None
        self.db.flush()

    def _tell_learners(self, playlist) -> None:
        """Learners following the playlist hear that its activities changed."""
        notifications = self.request.find_service(INotifications)
        mapping = {"playlist": playlist.title}
        enrolments = self.db.scalars(
            select(PlaylistEnrolment).where(
                PlaylistEnrolment.playlist_id == playlist.id,
                PlaylistEnrolment.completed_at.is_(None),
            )
        )
        for enrolment in enrolments:
            notifications.notify(
                enrolment.user,
                "playlist",
                _(
                    "The activities of your playlist “${playlist}” changed: see what is left "
                    "for you to do.",
                    mapping=mapping,
                ),
                url=city_link(self.request, f"/playlists/{playlist.id}"),
                subject=_("Your playlist changed: ${playlist}", mapping=mapping),
            )

    def _activities(self, playlist, clean: list[dict], errors: dict) -> dict:
        wanted = {row.get("activity_id") for row in clean} - {None}
        found = {a.id: a for a in self.db.scalars(select(Activity).where(Activity.id.in_(wanted)))}
        for number, row in enumerate(clean):
            activity = found.get(row.get("activity_id"))
            already = any(i.activity_id == row.get("activity_id") for i in playlist.items)
            if activity is None or (
                activity.status == "draft" and activity.organisation_id != playlist.organisation_id
            ):
                # Other organisations' drafts are theirs alone: refused as if absent.
                errors.setdefault(
                    f"items.{number}.activity_id",
                    _(
                        "There is no activity #${id} in this city.",
                        mapping={"id": row.get("activity_id")},
                    ),
                )
            elif activity.status == "archived" and not already:
                errors.setdefault(
                    f"items.{number}.activity_id",
                    _(
                        "“${title}” is archived; choose an activity learners can still join.",
                        mapping={"title": activity.title},
                    ),
                )
            if row.get("unlock_after") is not None and row["unlock_after"] not in {
                r.get("activity_id") for r in clean
            }:
                errors.setdefault(
                    f"items.{number}.unlock_after",
                    _("An item can only unlock after another item of this playlist."),
                )
        return found

    def _invite(self, playlist, item) -> None:
        self.db.add(PlaylistNotice(item_id=item.id, user_id=None, kind="invited"))
        link = city_link(self.request, f"/playlists/items/{item.id}/consent")
        mapping = {
            "playlist": playlist.title,
            "organisation": playlist.organisation.name,
            "activity": item.activity.title,
        }
        tell_organisers(
            self.request,
            item.activity.organisation,
            _("Your activity was added to a playlist: ${playlist}", mapping=mapping),
            [
                _(
                    "${organisation} added your activity “${activity}” to its learning "
                    "playlist “${playlist}”.",
                    mapping=mapping,
                ),
                _("If you do not want it there, decline here:"),
                link,
            ],
        )

    def publish(self, playlist):
        errors = {}
        if not playlist.title:
            errors["title"] = _("Give the playlist a title.")
        if not playlist.description:
            errors["description"] = _("Describe what learners will get from the playlist.")
        errors.update(self.problems(playlist))
        now = utcnow()
        if not errors and not feasible(
            rule_of(playlist), {item.id for item in playlist.items if is_available(item, now)}
        ):
            errors["items"] = _(
                "Some activities can no longer be done, so nobody could meet the "
                "rule: replace them or make them optional."
            )
        if errors:
            raise ValidationFailed(_("The playlist cannot be published yet."), errors)
        playlist.status, playlist.paused_reason = "published", ""
        playlist.published_at = playlist.published_at or now
        awarding.prepare_badges(self.request, playlist)
        search.sync(self.request, playlist)

    def archive(self, playlist):
        playlist.status = "archived"
        search.sync(self.request, playlist)

    def answer(self, item, accept):
        item.acceptance = "accepted" if accept else "declined"
        if not accept:
            mapping = {
                "playlist": item.playlist.title,
                "activity": item.activity.title,
                "organisation": item.activity.organisation.name,
            }
            tell_playlist_organisers(
                self.request,
                item.playlist,
                _("An activity was declined for ${playlist}", mapping=mapping),
                _(
                    "${organisation} does not want “${activity}” in your playlist “${playlist}”. "
                    "Replace it or make it optional.",
                    mapping=mapping,
                ),
            )
            self.review(item.playlist, utcnow())

    def review(self, playlist, now):
        unavailable = [item for item in playlist.items if not is_available(item, now)]
        for item in unavailable:
            self._warn_once(playlist, item)
        rule = rule_of(playlist)
        works = feasible(
            rule, {i.id for i in playlist.items if is_available(i, now)}
        ) and not problems(rule)
        if playlist.status == "published" and not works:
            playlist.status = "paused"
            playlist.paused_reason = self.request.localizer.translate(
                _("Some activities are no longer available and nobody could meet the rule.")
            )
            search.sync(self.request, playlist)
        elif playlist.status == "paused" and works:
            playlist.status, playlist.paused_reason = "published", ""
            search.sync(self.request, playlist)
        return unavailable

    def _warn_once(self, playlist, item) -> None:
        warned = self.db.scalar(
            select(PlaylistNotice.id).where(
                PlaylistNotice.item_id == item.id,
                PlaylistNotice.user_id.is_(None),
                PlaylistNotice.kind == "unavailable",
            )
        )
        if warned is not None:
            return
        self.db.add(PlaylistNotice(item_id=item.id, user_id=None, kind="unavailable"))
        mapping = {"playlist": playlist.title, "activity": item.activity.title}
        tell_playlist_organisers(
            self.request,
            playlist,
            _("An activity of ${playlist} is no longer available", mapping=mapping),
            _(
                "“${activity}” in your playlist “${playlist}” has ended, was archived or was "
                "declined. Learners keep what they completed; replace it so new learners can "
                "finish.",
                mapping=mapping,
            ),
        )


def builder_factory(context, request) -> PlaylistBuilder:
    return PlaylistBuilder(request)
