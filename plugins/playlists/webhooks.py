"""The playlists plugin's webhook event: ``playlist.completed``, for the city's subscriptions
and the playlist's organisation's.  The learner is named by account id only."""

from __future__ import annotations

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("col_playlists")
SCHEMA = {
    "type": "object",
    "required": ["playlist", "learner_id"],
    "properties": {
        "playlist": {
            "type": "object",
            "required": ["id", "title", "url", "organisation_id"],
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
                "organisation_id": {"type": "integer"},
            },
        },
        "learner_id": {"type": "integer"},
    },
}


def register(config) -> None:
    config.add_webhook_event("playlist.completed", _("A learner completed a playlist"), SCHEMA)


def completed(request, enrolment) -> None:
    from col_core.webhooks import IWebhooks

    playlist = enrolment.playlist
    data = {
        "playlist": {
            "id": playlist.id,
            "title": playlist.title,
            "url": request.route_url("playlists.page", id=playlist.id),
            "organisation_id": playlist.organisation_id,
        },
        "learner_id": enrolment.user_id,
    }
    request.find_service(IWebhooks).emit("playlist.completed", data, playlist.organisation_id)
