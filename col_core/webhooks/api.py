"""``/api/v1/webhooks`` (the city's subscriptions, city admins) and
``/api/v1/organisations/{slug}/webhooks`` (an organisation's, its owners and admins)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound

from col_core.api import ApiError
from col_core.i18n import _
from col_core.organisations.resources import organisation_factory
from col_core.webhooks.interfaces import IWebhooks
from col_core.webhooks.services import WebhookInputError

ERROR = {
    "description": "Refused",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
SUBSCRIPTION = {
    "type": "object",
    "required": [
        "id",
        "url",
        "events",
        "enabled",
        "failures",
        "disabled_reason",
        "organisation_id",
    ],
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string"},
        "events": {"type": "array", "items": {"type": "string"}},
        "enabled": {"type": "boolean"},
        "failures": {"type": "integer"},
        "disabled_reason": {"type": "string"},
        "organisation_id": {"type": ["integer", "null"]},
        "secret": {
            "type": "string",
            "description": "Only in the answer to the "
            "request that made the subscription: never shown again.",
        },
        "attempts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "message_id",
                    "event",
                    "attempt",
                    "ok",
                    "status_code",
                    "duration_ms",
                    "error",
                    "created_at",
                ],
                "properties": {
                    "message_id": {"type": "string"},
                    "event": {"type": "string"},
                    "attempt": {"type": "integer"},
                    "ok": {"type": "boolean"},
                    "status_code": {"type": ["integer", "null"]},
                    "duration_ms": {"type": "integer"},
                    "error": {"type": "string"},
                    "created_at": {"type": "string"},
                },
            },
        },
    },
}
NEW = {
    "type": "object",
    "required": ["url", "events"],
    "additionalProperties": False,
    "properties": {
        "url": {"type": "string", "maxLength": 2000},
        "events": {"type": "array", "items": {"type": "string"}},
    },
}


def _json(subscription, attempts=None, secret=None) -> dict:
    found = {
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events,
        "enabled": subscription.enabled,
        "failures": subscription.failures,
        "disabled_reason": subscription.disabled_reason,
        "organisation_id": subscription.organisation_id,
    }
    if secret is not None:
        found["secret"] = secret
    if attempts is not None:
        found["attempts"] = [
            {
                "message_id": a.message_id,
                "event": a.event,
                "attempt": a.attempt,
                "ok": a.ok,
                "status_code": a.status_code,
                "duration_ms": a.duration_ms,
                "error": a.error,
                "created_at": a.created_at.isoformat(),
            }
            for a in attempts
        ]
    return found


def _organisation(request):
    if request.tenant.is_global:
        raise HTTPNotFound()
    return getattr(request.context, "organisation", None)


def list_subscriptions(request):
    webhooks = request.find_service(IWebhooks)
    return {"items": [_json(found) for found in webhooks.subscriptions(_organisation(request))]}


def create_subscription(request):
    organisation = _organisation(request)
    body = request.json_body if isinstance(request.json_body, dict) else {}
    events = body.get("events")
    if (
        not isinstance(body.get("url"), str)
        or not isinstance(events, list)
        or not all(isinstance(name, str) for name in events)
    ):
        raise ApiError(
            request.localizer.translate(
                _("Give url (a string) and events (a list of event names).")
            ),
            status=400,
        )
    try:
        subscription, secret = request.find_service(IWebhooks).subscribe(
            body["url"], events, organisation, request.user
        )
    except WebhookInputError as refused:
        translate = request.localizer.translate
        raise ApiError(
            translate(refused.message),
            {name: translate(message) for name, message in refused.fields.items()},
            status=422,
        ) from refused
    request.response.status = 201
    return _json(subscription, secret=secret)


def show_subscription(request):
    webhooks = request.find_service(IWebhooks)
    found = webhooks.get(int(request.matchdict["id"]), _organisation(request))
    if found is None:
        raise HTTPNotFound()
    return _json(found, attempts=webhooks.attempts(found, 50))


def includeme(config):
    listed = {
        200: {
            "description": "Subscriptions",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["items"],
                        "properties": {"items": {"type": "array", "items": SUBSCRIPTION}},
                    }
                }
            },
        },
        403: ERROR,
    }
    made = {
        201: {
            "description": "The subscription, with its secret (shown only now)",
            "content": {"application/json": {"schema": SUBSCRIPTION}},
        },
        403: ERROR,
        422: ERROR,
    }
    shown = {
        200: {
            "description": "The subscription and its 50 newest delivery attempts",
            "content": {"application/json": {"schema": SUBSCRIPTION}},
        },
        403: ERROR,
    }
    for prefix, permission, factory, who in (
        ("/webhooks", "city.admin", None, "the city's (city admins)"),
        (
            "/organisations/{slug}/webhooks",
            "org.edit",
            organisation_factory,
            "an organisation's (its owners and admins)",
        ),
    ):
        config.add_api_view(
            list_subscriptions,
            prefix,
            "GET",
            permission=permission,
            factory=factory,
            tags=["webhooks"],
            summary=f"Webhook subscriptions: {who}",
            responses=listed,
        )
        config.add_api_view(
            create_subscription,
            prefix,
            "POST",
            permission=permission,
            factory=factory,
            tags=["webhooks"],
            request_body=NEW,
            summary=f"Subscribe an HTTPS endpoint: {who}",
            responses=made,
        )
        config.add_api_view(
            show_subscription,
            prefix + r"/{id:\d+}",
            "GET",
            permission=permission,
            factory=factory,
            tags=["webhooks"],
            summary=f"A webhook subscription and its delivery log: {who}",
            responses=shown,
        )
