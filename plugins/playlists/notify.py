"""What ``col playlists notify`` does for one city: lifecycle review, pending badges, and
notifications (col_core.notifications) to learners when an item opens or closes soon.  Every
one is recorded as a PlaylistNotice first, so running it again sends nothing twice."""

from __future__ import annotations

import datetime as dt

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import select

from col_core.activities.schedule import as_utc
from col_core.notifications import INotifications
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistProgress
from plugins.playlists.mailing import city_link
from plugins.playlists.models import Playlist, PlaylistEnrolment, PlaylistNotice
from plugins.playlists.services.progress import LIVE

_ = TranslationStringFactory("col_playlists")
SOON = dt.timedelta(days=2)


def _notice_due(request, item, user, kind) -> bool:
    """True (and recorded) the first time; False when this notice was already sent."""
    sent = request.dbsession.scalar(
        select(PlaylistNotice.id).where(
            PlaylistNotice.item_id == item.id,
            PlaylistNotice.user_id == user.id,
            PlaylistNotice.kind == kind,
        )
    )
    if sent is not None:
        return False
    request.dbsession.add(PlaylistNotice(item_id=item.id, user_id=user.id, kind=kind))
    return True


def _kind(item, state: str, enrolment, now) -> str | None:
    if state != "open":
        return None
    closes = as_utc(item.closes_at)
    if closes and now < closes <= now + SOON:
        return "closing"
    opens = as_utc(item.opens_at)
    if item.unlock_after_id or (opens and opens > as_utc(enrolment.started_at)):
        return "opened"
    return None


def _tell_learner(request, enrolment, item, kind) -> None:
    mapping = {"activity": item.activity.title, "playlist": enrolment.playlist.title}
    subject, line = {
        "opened": (
            _("Now open: ${activity}", mapping=mapping),
            _("“${activity}” in your playlist “${playlist}” is open now.", mapping=mapping),
        ),
        "closing": (
            _("Closing soon: ${activity}", mapping=mapping),
            _(
                "“${activity}” in your playlist “${playlist}” closes in less than two days.",
                mapping=mapping,
            ),
        ),
    }[kind]
    request.find_service(INotifications).notify(
        enrolment.user,
        "playlist",
        line,
        url=city_link(request, f"/playlists/{enrolment.playlist_id}"),
        subject=subject,
    )


def run(request, now) -> dict:
    builder = request.find_service(IPlaylistBuilder)
    progress = request.find_service(IPlaylistProgress)
    counts = {"unavailable": 0, "paused": 0, "badges": 0, "learners": 0}
    for playlist in request.dbsession.scalars(select(Playlist).where(Playlist.status.in_(LIVE))):
        counts["unavailable"] += len(builder.review(playlist, now))
        counts["paused"] += int(playlist.status == "paused")
    counts["badges"] = len(progress.issue_pending())
    enrolments = request.dbsession.scalars(
        select(PlaylistEnrolment)
        .join(Playlist, Playlist.id == PlaylistEnrolment.playlist_id)
        .where(Playlist.status.in_(LIVE), PlaylistEnrolment.completed_at.is_(None))
    )
    for enrolment in enrolments:
        states = progress.progress(enrolment, now).states
        for item in enrolment.playlist.items:
            kind = _kind(item, states[item.id], enrolment, now)
            if kind and _notice_due(request, item, enrolment.user, kind):
                _tell_learner(request, enrolment, item, kind)
                counts["learners"] += 1
    return counts
