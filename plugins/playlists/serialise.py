"""Playlists, items and progress as JSON (the shapes of the OpenAPI schemas in api.py)."""

from __future__ import annotations

from plugins.playlists.rules import Progress


def _moment(value):
    return value.isoformat() if value else None


def item_json(item, state: str | None = None) -> dict:
    activity = item.activity
    return {
        "id": item.id,
        "activity_id": item.activity_id,
        "title": activity.title,
        "mandatory": item.mandatory,
        "group": item.group,
        "position": item.position,
        "unlock_after": item.unlock_after_id,
        "opens_at": _moment(item.opens_at),
        "closes_at": _moment(item.closes_at),
        "note": item.note,
        "acceptance": item.acceptance,
        "latitude": activity.latitude,
        "longitude": activity.longitude,
        "online": activity.online,
        "state": state,
    }


def progress_json(progress: Progress) -> dict:
    return {
        "percent": progress.percent,
        "satisfied": progress.satisfied,
        "required": progress.required,
        "met": progress.met,
        "done": sorted(progress.done),
        "states": {str(k): v for k, v in progress.states.items()},
    }


def playlist_json(playlist, progress: Progress | None = None, organiser: bool = False) -> dict:
    states = progress.states if progress else {}
    data = {
        "id": playlist.id,
        "title": playlist.title,
        "description": playlist.description,
        "category": playlist.category,
        "languages": list(playlist.languages or ()),
        "skills": list(playlist.skills or ()),
        "visibility": playlist.visibility,
        "status": playlist.status,
        "is_template": playlist.is_template,
        "organisation": {"id": playlist.organisation.id, "name": playlist.organisation.name},
        "min_optional": playlist.min_optional,
        "groups": dict(playlist.groups or {}),
        "milestones": [b.threshold for b in playlist.badges if b.threshold],
        "items": [item_json(item, states.get(item.id)) for item in playlist.items],
        "progress": progress_json(progress) if progress else None,
    }
    if organiser:
        data["paused_reason"] = playlist.paused_reason
        data["source_template_id"] = playlist.source_template_id
    return data
