"""Webhooks: cities and organisations subscribe an HTTPS endpoint to the platform's events.

Events come from the core's hooks (``hooks``) and from plugins (``config.add_webhook_event``
and ``IWebhooks.emit``).  Each delivery is a ``webhooks.deliver`` job, signed following
Standard Webhooks (``signing``), retried by the job queue, logged per attempt, and a
subscription is turned off after ``col.webhooks_disable_after`` failed attempts in a row.
The OpenAPI document describes every event under ``webhooks``.  See docs/webhooks.md.
"""

from __future__ import annotations

from col_core.webhooks.interfaces import IWebhooks

__all__ = ["IWebhooks"]


def includeme(config):
    from col_core.i18n import _
    from col_core.organisations.resources import organisation_factory
    from col_core.webhooks import hooks
    from col_core.webhooks.events import CORE_EVENTS, TEST_EVENT, add_webhook_event
    from col_core.webhooks.services import DELIVER_JOB, deliver, webhooks_factory

    config.registry["col.webhook_events"] = {}
    config.add_directive("add_webhook_event", add_webhook_event)
    for name, title, schema in CORE_EVENTS:
        config.add_webhook_event(name, title, schema)
    config.add_webhook_event(
        TEST_EVENT,
        _("A test event sent from the subscription's page"),
        {
            "type": "object",
            "required": ["subscription_id"],
            "properties": {"subscription_id": {"type": "integer"}},
        },
        subscribable=False,
    )
    config.register_service_factory(webhooks_factory, IWebhooks)
    config.add_job_kind(
        DELIVER_JOB,
        deliver,
        max_attempts=int(config.registry.settings["col.webhooks_attempts"]),
        lease_seconds=300,
    )
    # The core's features use the same hooks as plugins; webhooks are always enabled.
    config.registry["col.plugins"].manager.register(hooks, name="core.webhooks")
    config.add_route("cityadmin.webhooks", "/admin/webhooks")
    config.add_route("cityadmin.webhook", r"/admin/webhooks/{id:\d+}")
    config.add_route(
        "cityadmin.webhook_action", r"/admin/webhooks/{id:\d+}/{action:test|enable|delete}"
    )
    config.add_route(
        "organisation_webhooks", "/organisations/{slug}/webhooks", factory=organisation_factory
    )
    config.add_route(
        "organisation_webhook",
        r"/organisations/{slug}/webhooks/{id:\d+}",
        factory=organisation_factory,
    )
    config.add_route(
        "organisation_webhook_action",
        r"/organisations/{slug}/webhooks/{id:\d+}/{action:test|enable|delete}",
        factory=organisation_factory,
    )
    config.scan("col_core.webhooks.views")
    config.include("col_core.webhooks.api")
