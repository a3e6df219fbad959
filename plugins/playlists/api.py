"""The playlists JSON API under ``/api/v1`` (every operation is in ``/api/openapi.json``)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory
from sqlalchemy import select

from col_core.activities.interfaces import ValidationFailed
from col_core.activities.schemas import json_response, ref
from col_core.api import ApiError
from col_core.organisations.resources import organisation_factory
from col_core.web.public import json_body, refused
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistProgress, IPlaylistTemplates
from plugins.playlists.models import Playlist
from plugins.playlists.resources import is_organiser, item_factory, playlist_factory
from plugins.playlists.serialise import playlist_json, progress_json

_ = TranslationStringFactory("col_playlists")


def _fields(request, errors: dict) -> dict:
    return {name: request.localizer.translate(text) for name, text in errors.items()}


def out(request, playlist) -> dict:
    progress_service = request.find_service(IPlaylistProgress)
    enrolment = progress_service.enrolment(playlist, request.user)
    progress = progress_service.progress(enrolment) if enrolment else None
    return playlist_json(playlist, progress, organiser=is_organiser(request, playlist))


def draft_out(request, playlist, errors: dict) -> dict:
    builder = request.find_service(IPlaylistBuilder)
    return {
        "playlist": out(request, playlist),
        "fields": _fields(request, errors),
        "problems": _fields(request, builder.problems(playlist)),
    }


def list_playlists(request):
    found = request.dbsession.scalars(
        select(Playlist)
        .where(Playlist.status == "published", Playlist.visibility == "public")
        .order_by(Playlist.published_at.desc())
        .limit(100)
    )
    return {"items": [playlist_json(p) for p in found]}


def organisation_playlists(context, request):
    playlists = request.find_service(IPlaylistBuilder).for_organisation(context.organisation)
    return {"items": [playlist_json(p, organiser=True) for p in playlists]}


def create_playlist(context, request):
    playlist, errors = request.find_service(IPlaylistBuilder).create(
        context.organisation, request.user, json_body(request)
    )
    request.response.status = 201
    return draft_out(request, playlist, errors)


def get_playlist(context, request):
    return out(request, context.playlist)


def autosave_playlist(context, request):
    try:
        errors = request.find_service(IPlaylistBuilder).autosave(
            context.playlist, json_body(request)
        )
    except ValidationFailed as error:
        raise refused(request, error) from error
    return draft_out(request, context.playlist, errors)


def set_items(context, request):
    body = json_body(request)
    try:
        request.find_service(IPlaylistBuilder).set_items(context.playlist, body.get("items"))
    except ValidationFailed as error:
        raise refused(request, error) from error
    return draft_out(request, context.playlist, {})


def publish_playlist(context, request):
    try:
        request.find_service(IPlaylistBuilder).publish(context.playlist)
    except ValidationFailed as error:
        raise refused(request, error) from error
    return out(request, context.playlist)


def archive_playlist(context, request):
    request.find_service(IPlaylistBuilder).archive(context.playlist)
    return out(request, context.playlist)


def start_playlist(context, request):
    service = request.find_service(IPlaylistProgress)
    try:
        enrolment = service.start(context.playlist, request.user)
    except ValidationFailed as error:
        raise refused(request, error, status=409) from error
    request.response.status = 201
    return progress_json(service.progress(enrolment))


def get_progress(context, request):
    service = request.find_service(IPlaylistProgress)
    enrolment = context.enrolment
    if enrolment is None:
        raise HTTPNotFound(request.localizer.translate(_("You have not started this playlist.")))
    return progress_json(service.progress(enrolment))


def answer_item(context, request):
    accept = json_body(request).get("accept")
    if not isinstance(accept, bool):
        raise ApiError(
            request.localizer.translate(_("Say whether you accept.")),
            fields={"accept": request.localizer.translate(_("Answer true or false."))},
            status=422,
        )
    request.find_service(IPlaylistBuilder).answer(context.item, accept)
    return {"id": context.item.id, "acceptance": context.item.acceptance}


def list_templates(context, request):
    return {"items": request.find_service(IPlaylistTemplates).templates()}


def copy_template(context, request):
    body = json_body(request)
    try:
        playlist = request.find_service(IPlaylistTemplates).copy(
            request.matchdict["template"],
            context.organisation,
            request.user,
            body.get("mapping"),
            title=body.get("title"),
            description=body.get("description"),
        )
    except ValidationFailed as error:
        raise refused(request, error) from error
    request.response.status = 201
    return draft_out(request, playlist, {})


# -- registration ------------------------------------------------------------------------------

ITEM = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "activity_id": {"type": "integer"},
        "title": {"type": "string"},
        "mandatory": {"type": "boolean"},
        "group": {"type": "string"},
        "position": {"type": "integer"},
        "unlock_after": {"type": ["integer", "null"]},
        "opens_at": {"type": ["string", "null"]},
        "closes_at": {"type": ["string", "null"]},
        "note": {"type": "string"},
        "acceptance": {"type": "string"},
        "latitude": {"type": ["number", "null"]},
        "longitude": {"type": ["number", "null"]},
        "online": {"type": "boolean"},
        "state": {"type": ["string", "null"]},
    },
}
PROGRESS = {
    "type": "object",
    "required": ["percent", "satisfied"],
    "properties": {
        "percent": {"type": "integer"},
        "satisfied": {"type": "boolean"},
        "required": {"type": "integer"},
        "met": {"type": "integer"},
        "done": {"type": "array", "items": {"type": "integer"}},
        "states": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
PLAYLIST = {
    "type": "object",
    "required": ["id", "title", "status", "items"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "published", "paused", "archived"]},
        "items": {"type": "array", "items": ref("PlaylistItem")},
        "progress": {"oneOf": [ref("PlaylistProgress"), {"type": "null"}]},
    },
}
MESSAGES = {"type": "object", "additionalProperties": {"type": "string"}}
PLAYLIST_INPUT = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "description": {"type": "string", "description": "HTML"},
        "cover": {"type": ["string", "null"]},
        "cover_alt": {"type": "string", "maxLength": 300},
        "category": {"type": "string"},
        "languages": {"type": "array", "items": {"type": "string"}},
        "skills": {"type": "array", "items": {"type": "object"}},
        "visibility": {"type": "string", "enum": ["public", "unlisted"]},
        "min_optional": {
            "type": "integer",
            "description": "optional items (outside groups) needed",
        },
        "groups": {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "description": "group name -> how many of its items are needed",
        },
        "milestones": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "a milestone badge after this many completed items",
        },
        "is_template": {"type": "boolean"},
    },
}
ITEMS_INPUT = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["activity_id"],
                "properties": {
                    "activity_id": {"type": "integer"},
                    "mandatory": {"type": "boolean"},
                    "group": {"type": "string"},
                    "unlock_after": {"type": ["integer", "null"], "description": "an activity id"},
                    "opens_at": {"type": ["string", "null"]},
                    "closes_at": {"type": ["string", "null"]},
                    "note": {"type": "string"},
                },
            },
        }
    },
}
COPY_INPUT = {
    "type": "object",
    "required": ["mapping"],
    "properties": {
        "mapping": {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "description": "template item id -> one of your activity ids",
        },
        "title": {"type": "string"},
        "description": {"type": "string"},
    },
}

ERROR = json_response("Refused", ref("Error"))
ONE = json_response("The playlist", ref("Playlist"))
DRAFT = json_response(
    "The playlist, fields refused and rule problems",
    {
        "type": "object",
        "required": ["playlist", "fields", "problems"],
        "properties": {"playlist": ref("Playlist"), "fields": MESSAGES, "problems": MESSAGES},
    },
)
MANY = json_response(
    "Playlists",
    {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": ref("Playlist")}},
    },
)
PROGRESS_OUT = json_response("The learner's progress", ref("PlaylistProgress"))

# (view, pattern, method, permission, factory, summary, responses, request body)
OPERATIONS = [
    (
        list_playlists,
        "/playlists",
        "GET",
        "view",
        None,
        "List the city's public playlists",
        {200: MANY},
        None,
    ),
    (
        organisation_playlists,
        "/organisations/{slug}/playlists",
        "GET",
        "org.member",
        organisation_factory,
        "An organisation's playlists, drafts included",
        {200: MANY, 403: ERROR},
        None,
    ),
    (
        create_playlist,
        "/organisations/{slug}/playlists",
        "POST",
        "org.member",
        organisation_factory,
        "Start a draft playlist (valid fields kept, the others reported)",
        {201: DRAFT, 403: ERROR},
        ref("PlaylistInput"),
    ),
    (
        get_playlist,
        "/playlists/{id}",
        "GET",
        "view",
        playlist_factory,
        "Get a playlist (with your progress when you follow it)",
        {200: ONE, 404: ERROR},
        None,
    ),
    (
        autosave_playlist,
        "/playlists/{id}",
        "PATCH",
        "org.member",
        playlist_factory,
        "Autosave: a draft keeps valid fields; a live playlist changes all or nothing",
        {200: DRAFT, 403: ERROR, 422: ERROR},
        ref("PlaylistInput"),
    ),
    (
        set_items,
        "/playlists/{id}/items",
        "PUT",
        "org.member",
        playlist_factory,
        "Replace the playlist's activities, in order",
        {200: DRAFT, 403: ERROR, 422: ERROR},
        ITEMS_INPUT,
    ),
    (
        publish_playlist,
        "/playlists/{id}/publish",
        "POST",
        "org.publish",
        playlist_factory,
        "Publish: checks the rule and creates the playlist's badges",
        {200: ONE, 403: ERROR, 422: ERROR},
        None,
    ),
    (
        archive_playlist,
        "/playlists/{id}/archive",
        "POST",
        "org.member",
        playlist_factory,
        "Archive: no new learners; learners keep their progress",
        {200: ONE, 403: ERROR},
        None,
    ),
    (
        start_playlist,
        "/playlists/{id}/enrolment",
        "POST",
        "learner",
        playlist_factory,
        "Start following the playlist",
        {201: PROGRESS_OUT, 403: ERROR, 404: ERROR, 409: ERROR},
        None,
    ),
    (
        get_progress,
        "/playlists/{id}/enrolment",
        "GET",
        "learner",
        playlist_factory,
        "Your progress in the playlist",
        {200: PROGRESS_OUT, 403: ERROR, 404: ERROR},
        None,
    ),
    (
        answer_item,
        "/playlist-items/{item}/consent",
        "POST",
        "org.member",
        item_factory,
        "Accept or decline your activity's inclusion in another organisation's playlist",
        {200: json_response("The answer", {"type": "object"}), 403: ERROR, 422: ERROR},
        {"type": "object", "required": ["accept"], "properties": {"accept": {"type": "boolean"}}},
    ),
    (
        list_templates,
        "/organisations/{slug}/playlist-templates",
        "GET",
        "org.member",
        organisation_factory,
        "Playlist templates shared by other cities",
        {200: json_response("Templates", {"type": "object"}), 403: ERROR},
        None,
    ),
    (
        copy_template,
        "/organisations/{slug}/playlist-templates/{template}/copy",
        "POST",
        "org.member",
        organisation_factory,
        "Copy another city's template into a draft, mapping each item to your activity",
        {201: DRAFT, 403: ERROR, 422: ERROR},
        COPY_INPUT,
    ),
]


def includeme(config):
    for name, schema in (
        ("Playlist", PLAYLIST),
        ("PlaylistItem", ITEM),
        ("PlaylistProgress", PROGRESS),
        ("PlaylistInput", PLAYLIST_INPUT),
    ):
        config.add_openapi_schema(name, schema)
    for view, pattern, method, permission, factory, summary, responses, body in OPERATIONS:
        route = f"api.{method.lower()}.{pattern.strip('/').replace('/', '.')}"
        # Ids are digits, so no later path under /playlists/ is ever taken for one.
        for key in ("id", "item", "template"):
            pattern = pattern.replace(f"{{{key}}}", rf"{{{key}:\d+}}")
        config.add_api_view(
            view,
            pattern,
            method=method,
            name=route,
            permission=permission,
            summary=summary,
            responses=responses,
            request_body=body,
            factory=factory,
            tags=["playlists"],
        )
