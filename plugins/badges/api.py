"""The badges JSON API under /api/v1 (described in /api/openapi.json)."""

from __future__ import annotations

from sqlalchemy import select

from col_core.api import ApiError
from plugins.badges.forms import MAX_ROWS
from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.models import BadgeClass
from plugins.badges.resources import BadgeClassResource
from plugins.badges.urls import urls_for

BADGE_CLASS = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "issuer": {"type": "string"},
        "earning": {"type": "string"},
        "url": {"type": "string"},
    },
}
ISSUE_BODY = {
    "type": "object",
    "required": ["recipients"],
    "properties": {
        "recipients": {
            "type": "array",
            "maxItems": MAX_ROWS,
            "items": {
                "type": "object",
                "required": ["email"],
                "properties": {
                    "email": {"type": "string"},
                    "evidence": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "url": {"type": "string"},
                                "narrative": {"type": "string"},
                            },
                        },
                    },
                },
            },
        }
    },
}
ISSUED = {
    "type": "object",
    "properties": {
        "issued": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "email": {"type": "string"},
                    "assertion": {"type": "string"},
                    "credential": {"type": "string"},
                    "share": {"type": "string"},
                },
            },
        },
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Row number (1-based) -> why that row was not issued.",
        },
    },
}


def list_classes(request):
    urls = urls_for(request)
    badges = request.dbsession.scalars(
        select(BadgeClass).where(BadgeClass.archived_at.is_(None)).order_by(BadgeClass.id)
    )
    return {
        "badge_classes": [
            {
                "id": b.id,
                "name": b.name,
                "description": b.description,
                "issuer": urls.issuer(b.issuer_id),
                "earning": b.earning,
                "url": urls.badge_class(b.id),
            }
            for b in badges
        ]
    }


def _recipients(body) -> list[dict]:
    recipients = body.get("recipients") if isinstance(body, dict) else None
    if not isinstance(recipients, list) or not recipients or len(recipients) > MAX_ROWS:
        raise ApiError(
            f'Send "recipients": a list of 1 to {MAX_ROWS} objects.',
            {"recipients": "required"},
            422,
        )
    rows = []
    for number, row in enumerate(recipients, start=1):
        if not isinstance(row, dict) or not isinstance(row.get("email"), str):
            raise ApiError(
                'Each recipient needs an "email".', {f"recipients[{number}].email": "required"}, 422
            )
        evidence = row.get("evidence") or []
        if not isinstance(evidence, list) or not all(
            isinstance(e, dict) and (e.get("url") or e.get("narrative")) for e in evidence
        ):
            raise ApiError(
                'Evidence is a list of {"url", "narrative"} objects.',
                {f"recipients[{number}].evidence": "invalid"},
                422,
            )
        rows.append(
            {
                "email": row["email"],
                "line": number,
                "evidence": [
                    {"url": str(e.get("url") or ""), "narrative": str(e.get("narrative") or "")}
                    for e in evidence
                ],
            }
        )
    return rows


def issue(request):
    context = BadgeClassResource(request)
    if not request.has_permission("org.edit", context):
        raise ApiError(
            "Only the issuing organisation's owners and admins can issue this badge.", status=403
        )
    try:
        body = request.json_body
    except ValueError:
        raise ApiError("The body must be JSON.", status=400) from None
    issued, errors = request.find_service(IBadgeIssuer).issue_many(
        context.badge, _recipients(body), source="api"
    )
    urls = urls_for(request)
    request.response.status = 201 if issued else 422
    return {
        "issued": [
            {
                "email": a.recipient_email,
                "assertion": urls.assertion(a.uid),
                "credential": urls.credential(a.uid),
                "share": urls.share(a.uid),
            }
            for a in issued
        ],
        "errors": {str(k): request.localizer.translate(v) for k, v in errors.items()},
    }


def includeme(config):
    config.add_api_view(
        list_classes,
        "/badges/classes",
        method="GET",
        permission="view",
        summary="The city's badge classes",
        responses={
            200: {
                "description": "Badge classes",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "badge_classes": {"type": "array", "items": BADGE_CLASS}
                            },
                        }
                    }
                },
            }
        },
    )
    config.add_api_view(
        issue,
        "/badges/classes/{badge:\\d+}/assertions",
        method="POST",
        permission="learner",
        request_body=ISSUE_BODY,
        summary="Issue a badge to one or many email addresses",
        responses={
            201: {
                "description": "Issued (some rows may have errors)",
                "content": {"application/json": {"schema": ISSUED}},
            },
            422: {
                "description": "No row could be issued",
                "content": {"application/json": {"schema": ISSUED}},
            },
            403: {"description": "Not an organiser of the issuer"},
        },
    )
