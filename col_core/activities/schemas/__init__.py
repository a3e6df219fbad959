"""OpenAPI schemas of the activities API (registered with ``config.add_openapi_schema``)."""

from __future__ import annotations

from typing import Any

from col_core.activities.models import (
    ACCESSIBILITY,
    ACTIVITY_TYPES,
    COMPLETIONS,
    PARTICIPATION_STATUSES,
    SCHEDULE_KINDS,
    STATUSES,
    VISIBILITIES,
)
from col_core.activities.schemas.fields import RESOURCE_KINDS

NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
STRINGS = {"type": "array", "items": {"type": "string"}}
ORG_REF = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}
SKILL = {
    "type": "object",
    "description": (
        "A skill of the city's catalogue (ESCO), by its concept URI; the stored label and "
        "version are the catalogue's. A URI the catalogue does not know is refused (422), "
        "unless the activity already has it."
    ),
    "required": ["uri"],
    "properties": {
        "uri": {"type": "string"},
        "version": {"type": "string"},
        "label": {"type": "string"},
    },
}
RESOURCE = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"enum": list(RESOURCE_KINDS)},
        "title": {"type": "string"},
        "text": {"type": "string"},
        "url": {"type": "string"},
        "key": {"type": "string"},
    },
}
SCHEDULE = {
    "type": "object",
    "description": 'Local times in the city\'s timezone. single/multi_session: {"sessions": '
    '[{"start": "2026-12-01T18:00", "end": "2026-12-01T20:00"}]}; recurring: '
    '{"start", "end", "rrule": "FREQ=WEEKLY;COUNT=6"}; always_open: {}.',
}

# What a client may send: every field is optional for drafts; publishing checks completeness.
ACTIVITY_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "organisation_id": {"type": "integer", "description": "Only when creating."},
        "type": {"enum": list(ACTIVITY_TYPES)},
        "title": {"type": "string", "maxLength": 200},
        "description": {"type": "string", "description": "HTML; sanitised to simple formatting."},
        "cover": {"type": ["string", "null"], "description": "A key of an uploaded file."},
        "cover_alt": {
            "type": "string",
            "maxLength": 300,
            "description": "What the cover shows, for people who cannot see it; empty when it"
            " only decorates.",
        },
        "category": {"type": "string"},
        "visibility": {"enum": list(VISIBILITIES)},
        "schedule_kind": {"enum": list(SCHEDULE_KINDS)},
        "schedule": SCHEDULE,
        "duration_minutes": NULLABLE_INT,
        "address": {"type": "string"},
        "latitude": NULLABLE_NUMBER,
        "longitude": NULLABLE_NUMBER,
        "online": {"type": "boolean"},
        "join_url": {"type": "string"},
        "age_min": NULLABLE_INT,
        "age_max": NULLABLE_INT,
        "price_cents": {"type": "integer", "minimum": 0},
        "currency": {"type": "string"},
        "languages": STRINGS,
        "capacity": NULLABLE_INT,
        "completion": {
            "enum": list(COMPLETIONS),
            "description": "How a learner completes it (and earns its badge): "
            "organiser (marked by the organiser), check_in (present "
            "at a session: QR check-in or marked present), evidence "
            "(reviewed evidence sent from the badge's page).",
        },
        "accessibility": {"type": "array", "items": {"enum": list(ACCESSIBILITY)}},
        "contact_email": {"type": "string"},
        "booking_url": {"type": "string"},
        "resources": {"type": "array", "items": RESOURCE},
        "co_organisers": {"type": "array", "items": {"type": "integer"}},
        "skills": {"type": "array", "items": SKILL},
    },
}

ACTIVITY = {
    "type": "object",
    "required": [
        "id",
        "url",
        "ical_url",
        "organisation",
        "type",
        "title",
        "status",
        "sessions",
        "starts_at",
        "ends_at",
        "expired",
    ],
    "properties": {
        **{
            name: spec
            for name, spec in ACTIVITY_INPUT["properties"].items()
            if name not in ("organisation_id", "co_organisers", "cover")
        },
        "id": {"type": "integer"},
        "url": {"type": "string"},
        "ical_url": {"type": "string"},
        "cover_url": {"type": ["string", "null"]},
        "organisation": ORG_REF,
        "co_organisers": {"type": "array", "items": ORG_REF},
        "status": {"enum": list(STATUSES)},
        "sessions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "starts_at", "ends_at"],
                "properties": {
                    "id": {"type": "integer"},
                    "starts_at": {"type": "string"},
                    "ends_at": {"type": "string"},
                },
            },
        },
        "starts_at": NULLABLE_TIME,
        "ends_at": NULLABLE_TIME,
        "published_at": NULLABLE_TIME,
        "free": {"type": "boolean"},
        "expired": {"type": "boolean"},
        "invitation_token": {
            "type": ["string", "null"],
            "description": "Organisers only: the private invitation's token.",
        },
    },
}

PARTICIPATION = {
    "type": "object",
    "required": [
        "id",
        "activity_id",
        "status",
        "queued_at",
        "completed_at",
        "attended_session_ids",
    ],
    "properties": {
        "id": {"type": "integer"},
        "activity_id": {"type": "integer"},
        "status": {"enum": list(PARTICIPATION_STATUSES)},
        "queued_at": {"type": "string"},
        "completed_at": NULLABLE_TIME,
        "attended_session_ids": {"type": "array", "items": {"type": "integer"}},
        "user": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "display_name": {"type": "string"},
                "email": {"type": "string"},
            },
        },
    },
}

SCHEMAS = {"Activity": ACTIVITY, "ActivityInput": ACTIVITY_INPUT, "Participation": PARTICIPATION}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}
