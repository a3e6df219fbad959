"""Playlists in the city's search index: one document per published, public playlist."""

from __future__ import annotations

from col_core.activities.content import plain_text
from col_core.activities.search import ISearchService
from col_core.hookspecs import SearchDocument

KIND = "playlist"


def is_listed(playlist) -> bool:
    return playlist.status == "published" and playlist.visibility == "public"


def document(playlist) -> SearchDocument:
    body = " ".join(
        filter(
            None,
            [
                plain_text(playlist.description),
                *(item.activity.title for item in playlist.items),
                *(skill.get("label", "") for skill in playlist.skills or ()),
            ],
        )
    )
    return SearchDocument(
        kind=KIND,
        key=str(playlist.id),
        title=playlist.title,
        body=body,
        url=f"/playlists/{playlist.id}",
        extra={
            "category": playlist.category,
            "skills": tuple(s["uri"] for s in playlist.skills or () if s.get("uri")),
            "languages": tuple(playlist.languages or ()),
            "organisation_id": playlist.organisation_id,
        },
    )


def sync(request, playlist) -> None:
    """Index the playlist (or take it out) in the current transaction."""
    search = request.find_service(ISearchService)
    if is_listed(playlist):
        search.index([document(playlist)])
    else:
        search.remove(KIND, [str(playlist.id)])
