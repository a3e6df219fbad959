"""The badges plugin's webhook events: ``badge.issued`` and ``badge.revoked``.

They go to the city's subscriptions and to those of the issuing organisation.  The learner is
named by account id only (``null`` before they claimed the badge); no address is sent.
"""

from __future__ import annotations

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("col_badges")
SCHEMA = {
    "type": "object",
    "required": ["badge", "assertion", "organisation_id"],
    "properties": {
        "badge": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "assertion": {
            "type": "object",
            "required": ["uid", "url", "learner_id"],
            "properties": {
                "uid": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
                "learner_id": {"type": ["integer", "null"]},
                "revocation_reason": {"type": "string"},
            },
        },
        "organisation_id": {"type": "integer"},
    },
}


def register(config) -> None:
    config.add_webhook_event("badge.issued", _("A badge was issued"), SCHEMA)
    config.add_webhook_event("badge.revoked", _("A badge was revoked"), SCHEMA)


def emit(request, event: str, assertion) -> None:
    from col_core.webhooks import IWebhooks

    badge_class, issuer = assertion.badge_class, assertion.issuer
    data = {
        "badge": {"id": badge_class.id, "name": badge_class.name},
        "assertion": {
            "uid": assertion.uid,
            "learner_id": assertion.user_id,
            "url": request.route_url("badges.assertion", uid=assertion.uid, ext=""),
        },
        "organisation_id": issuer.organisation_id,
    }
    if event == "badge.revoked":
        data["assertion"]["revocation_reason"] = assertion.revocation_reason
    request.find_service(IWebhooks).emit(event, data, issuer.organisation_id)
