"""The catalogue of webhook events: the core's own, and those plugins add.

``config.add_webhook_event(name, title, data_schema)`` adds an event: subscribers may choose it,
and the OpenAPI document describes its body under ``webhooks`` (OpenAPI 3.1).  A plugin's events
are offered and described only in cities that enable the plugin.
"""

from __future__ import annotations

import dataclasses

from col_core.i18n import _

TEST_EVENT = "webhook.test"
ID = {"type": "integer"}
TEXT = {"type": "string"}
URL = {"type": "string", "format": "uri"}
ORGANISATION = {
    "type": "object",
    "required": ["id", "slug", "name"],
    "properties": {"id": ID, "slug": TEXT, "name": TEXT},
}
ACTIVITY = {
    "type": "object",
    "required": ["id", "title", "url", "status", "organisation"],
    "properties": {
        "id": ID,
        "title": TEXT,
        "url": URL,
        "status": TEXT,
        "organisation": ORGANISATION,
    },
}
PARTICIPATION = {
    "type": "object",
    "required": ["activity", "participation"],
    "properties": {
        "activity": ACTIVITY,
        "participation": {
            "type": "object",
            "required": ["id", "status", "learner_id"],
            "properties": {
                "id": ID,
                "status": TEXT,
                "learner_id": {
                    **ID,
                    "description": "The learner's account id; no name or address is sent.",
                },
            },
        },
    },
}


@dataclasses.dataclass(frozen=True)
class WebhookEvent:
    name: str
    title: object  # a TranslationString
    schema: dict  # the JSON Schema of the body's "data"
    plugin: str | None
    subscribable: bool = True


def envelope(event: WebhookEvent) -> dict:
    """The OpenAPI 3.1 ``webhooks`` entry of one event."""
    header = {"type": "string"}
    return {
        "post": {
            "summary": event.title.default if hasattr(event.title, "default") else str(event.title),
            "operationId": f"webhook.{event.name}",
            "tags": ["webhooks"],
            "parameters": [
                {
                    "name": "webhook-id",
                    "in": "header",
                    "required": True,
                    "schema": header,
                    "description": "The message's id: the same for every attempt (deduplicate on it).",
                },
                {
                    "name": "webhook-timestamp",
                    "in": "header",
                    "required": True,
                    "schema": header,
                    "description": "Seconds since the epoch when this attempt was sent.",
                },
                {
                    "name": "webhook-signature",
                    "in": "header",
                    "required": True,
                    "schema": header,
                    "description": "v1,<base64 HMAC-SHA256 of id.timestamp.body> (Standard Webhooks).",
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["type", "timestamp", "data"],
                            "properties": {
                                "type": {"const": event.name},
                                "timestamp": {"type": "string", "format": "date-time"},
                                "data": event.schema,
                            },
                        }
                    }
                },
            },
            "responses": {
                "2XX": {
                    "description": "Received. Any other answer, or none within the "
                    "timeout, is retried with growing waits."
                }
            },
        }
    }


def add_webhook_event(
    config, name: str, title, data_schema: dict, subscribable: bool = True
) -> None:
    """Config directive: an event subscribers may choose, described in the OpenAPI document."""
    plugin = config.registry["col.plugins"].owner_of(config.package_name)
    event = WebhookEvent(name, title, data_schema, plugin, subscribable)
    config.registry["col.webhook_events"][name] = event
    config.registry["col.openapi"].webhooks[name] = (envelope(event), plugin)


CORE_EVENTS = (
    (
        "activity.published",
        _("An activity was published"),
        {"type": "object", "required": ["activity"], "properties": {"activity": ACTIVITY}},
    ),
    (
        "activity.changed",
        _("A published activity was changed"),
        {"type": "object", "required": ["activity"], "properties": {"activity": ACTIVITY}},
    ),
    ("participation.joined", _("A learner joined an activity"), PARTICIPATION),
    ("participation.completed", _("A learner completed an activity"), PARTICIPATION),
)


def activity_data(request, activity) -> dict:
    organisation = activity.organisation
    return {
        "id": activity.id,
        "title": activity.title,
        "status": activity.status,
        "url": request.route_url("activity", id=activity.id),
        "organisation": {
            "id": organisation.id,
            "slug": organisation.slug,
            "name": organisation.name,
        },
    }
