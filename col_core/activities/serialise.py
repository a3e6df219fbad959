"""Activities and participations as JSON (the API's shapes, described in :mod:`.schemas`)."""

from __future__ import annotations

from col_core.activities.schedule import as_utc


def iso(moment) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def activity_json(request, activity, organiser: bool = False, participant: bool = False) -> dict:
    """``organiser`` adds what only its organisers see; ``participant`` adds the join link."""
    data = {
        "id": activity.id,
        "url": request.route_url("activity", id=activity.id),
        "ical_url": request.route_url("activity.ics", id=activity.id),
        "organisation": {"id": activity.organisation_id, "name": activity.organisation.name},
        "co_organisers": [
            {"id": c.organisation_id, "name": c.organisation.name} for c in activity.co_organisers
        ],
        "type": activity.type,
        "title": activity.title,
        "description": activity.description,
        "cover_url": request.route_url("file", key=activity.cover) if activity.cover else None,
        "cover_alt": activity.cover_alt,
        "category": activity.category,
        "status": activity.status,
        "visibility": activity.visibility,
        "schedule_kind": activity.schedule_kind,
        "schedule": activity.schedule or {},
        "sessions": [
            {"id": s.id, "starts_at": iso(s.starts_at), "ends_at": iso(s.ends_at)}
            for s in activity.sessions
        ],
        "starts_at": iso(activity.starts_at),
        "ends_at": iso(activity.ends_at),
        "duration_minutes": activity.duration_minutes,
        "address": activity.address,
        "latitude": activity.latitude,
        "longitude": activity.longitude,
        "online": activity.online,
        "age_min": activity.age_min,
        "age_max": activity.age_max,
        "price_cents": activity.price_cents,
        "currency": activity.currency,
        "free": activity.is_free,
        "languages": list(activity.languages or []),
        "capacity": activity.capacity,
        "completion": activity.completion,
        "accessibility": list(activity.accessibility or []),
        "contact_email": activity.contact_email,
        "booking_url": activity.booking_url,
        "resources": list(activity.resources or []),
        "skills": [
            {"uri": s.concept_uri, "version": s.version, "label": s.label} for s in activity.skills
        ],
        "published_at": iso(activity.published_at),
        "expired": activity.is_expired,
    }
    if organiser or participant:
        data["join_url"] = activity.join_url
    if organiser:
        data["invitation_token"] = activity.invitation_token
    return data


def participation_json(participation, with_person: bool = False) -> dict:
    data = {
        "id": participation.id,
        "activity_id": participation.activity_id,
        "status": participation.status,
        "queued_at": iso(participation.queued_at),
        "completed_at": iso(participation.completed_at),
        "attended_session_ids": sorted(a.session_id for a in participation.attendances),
    }
    if with_person:
        data["user"] = {
            "id": participation.user_id,
            "display_name": participation.user.display_name,
            "email": participation.user.email,
        }
    return data
