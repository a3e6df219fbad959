"""Route contexts: the playlist or item a URL names, for the security policy.

The policy grants ``org.*`` permissions from ``context.organisation``: a playlist's owner, or,
for consenting to an item, the organisation whose activity was included; and ``view`` and
``learner`` on a playlist only when ``PlaylistContext.visible(request)`` (404 otherwise).
"""

from __future__ import annotations

from functools import cached_property

from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory

from col_core.security.validation import record_id
from col_core.tenancy.scoping import get_city_row
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistProgress
from plugins.playlists.models import PlaylistItem

_ = TranslationStringFactory("col_playlists")


class PlaylistContext:
    """The playlist a URL names.  The security policy asks :meth:`visible` before a view that
    needs ``view`` or ``learner`` runs (see :func:`can_see`), so views never check again."""

    hidden_message = _("There is no such playlist in this city.")

    def __init__(self, playlist, request=None):
        self.playlist = playlist
        self.organisation = playlist.organisation
        self.request = request
        self._visible: bool | None = None

    @cached_property
    def enrolment(self):
        """The signed-in person's enrolment in the playlist or None, read once a request."""
        progress = self.request.find_service(IPlaylistProgress)
        return progress.enrolment(self.playlist, self.request.user)

    def visible(self, request) -> bool:
        if self._visible is None:
            self._visible = can_see(request, self.playlist, self.enrolment is not None)
        return self._visible


class DashboardContext:
    """A playlist's dashboard: its own rule (organisers and the city's administrators, 403 for
    others, ``views/analytics.py``), whatever the playlist's visibility."""

    def __init__(self, playlist):
        self.playlist = playlist
        self.organisation = playlist.organisation


class ItemContext:
    def __init__(self, item):
        self.item = item
        self.organisation = item.activity.organisation


def _not_found(request):
    return HTTPNotFound(request.localizer.translate(PlaylistContext.hidden_message))


def _playlist(request):
    playlist = request.find_service(IPlaylistBuilder).get(request.matchdict.get("id"))
    if playlist is None:
        raise _not_found(request)
    return playlist


def playlist_factory(request) -> PlaylistContext:
    return PlaylistContext(_playlist(request), request)


def dashboard_factory(request) -> DashboardContext:
    return DashboardContext(_playlist(request))


def item_factory(request) -> ItemContext:
    item_id = record_id(request.matchdict.get("item", ""))
    item = get_city_row(request.dbsession, PlaylistItem, item_id) if item_id else None
    if item is None:
        raise _not_found(request)
    return ItemContext(item)


def is_organiser(request, playlist) -> bool:
    return bool(request.has_permission("org.member", PlaylistContext(playlist)))


def can_see(request, playlist, enrolled: bool = False) -> bool:
    """Drafts are for their organisers; archived playlists also for their learners; a paused
    playlist stays visible (saying it takes no new learners)."""
    if playlist.status in ("published", "paused") or is_organiser(request, playlist):
        return True
    return enrolled and playlist.status == "archived"
