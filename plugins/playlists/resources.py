"""Route contexts: the playlist or item a URL names, for the security policy.

The policy grants ``org.*`` permissions from ``context.organisation``: a playlist's owner, or,
for consenting to an item, the organisation whose activity was included.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory

from col_core.security.validation import record_id
from plugins.playlists.interfaces import IPlaylistBuilder
from plugins.playlists.models import PlaylistItem

_ = TranslationStringFactory("col_playlists")


class PlaylistContext:
    def __init__(self, playlist):
        self.playlist = playlist
        self.organisation = playlist.organisation


class ItemContext:
    def __init__(self, item):
        self.item = item
        self.organisation = item.activity.organisation


def _not_found(request):
    return HTTPNotFound(request.localizer.translate(_("There is no such playlist in this city.")))


def playlist_factory(request) -> PlaylistContext:
    playlist = request.find_service(IPlaylistBuilder).get(request.matchdict.get("id"))
    if playlist is None:
        raise _not_found(request)
    return PlaylistContext(playlist)


def item_factory(request) -> ItemContext:
    item_id = record_id(request.matchdict.get("item", ""))
    item = request.dbsession.get(PlaylistItem, item_id) if item_id else None
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
