"""Subscriptions, emitting events, and the ``webhooks.deliver`` job that posts them."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
import uuid

from sqlalchemy import delete, select, update
from zope.interface import implementer

from col_core.i18n import _
from col_core.jobs import IJobQueue
from col_core.outbound import OutboundRefused, check_url
from col_core.scripting import city_request
from col_core.settings import as_bool
from col_core.tenancy.scoping import get_city_row
from col_core.webhooks.events import TEST_EVENT
from col_core.webhooks.interfaces import IWebhooks
from col_core.webhooks.models import WebhookAttempt, WebhookSubscription
from col_core.webhooks.signing import headers, new_secret

DELIVER_JOB = "webhooks.deliver"
MAX_URL = 2000
KEEP_ATTEMPTS = 200  # per subscription; the page shows the newest 50
MAX_ANSWER = 4096  # bytes of an endpoint's answer read (and dropped): it is not kept


class WebhookInputError(ValueError):
    def __init__(self, message, fields: dict):
        super().__init__(message)
        self.message, self.fields = message, fields


class DeliveryFailed(RuntimeError):
    """An attempt failed; the job queue retries it after its next wait."""


def allow_private(settings) -> bool:
    return as_bool(settings.get("col.webhooks_allow_private", "false"))


def schemes(settings) -> tuple[str, ...]:
    # Plain http only where private addresses are allowed too (tests, development).
    return ("http", "https") if allow_private(settings) else ("https",)


@implementer(IWebhooks)
class Webhooks:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def events(self):
        catalogue = self.request.registry["col.webhook_events"]
        tenant = self.request.tenant
        return [
            event
            for name, event in sorted(catalogue.items())
            if event.subscribable and (event.plugin is None or tenant.plugin_enabled(event.plugin))
        ]

    def _own(self, organisation):
        column = WebhookSubscription.organisation_id
        return column.is_(None) if organisation is None else column == organisation.id

    def subscriptions(self, organisation=None):
        return self.db.scalars(
            select(WebhookSubscription)
            .where(self._own(organisation))
            .order_by(WebhookSubscription.id)
        ).all()

    def get(self, subscription_id, organisation=None):
        return self.db.scalar(
            select(WebhookSubscription).where(
                WebhookSubscription.id == subscription_id, self._own(organisation)
            )
        )

    def subscribe(self, url, events, organisation=None, user=None):
        url = (url or "").strip()
        errors = {}
        settings = self.request.registry.settings
        if not url or len(url) > MAX_URL:
            errors["url"] = _("Give the address of your endpoint (at most 2000 characters).")
        else:
            try:
                check_url(url, allow_private(settings), schemes(settings))
            except OutboundRefused as refused:
                errors["url"] = _(
                    "This address cannot receive events: ${reason}.",
                    mapping={"reason": str(refused)},
                )
        known = {event.name for event in self.events()}
        chosen = sorted(set(events or ()))
        if not chosen:
            errors["events"] = _("Choose at least one event.")
        elif set(chosen) - known:
            errors["events"] = _(
                "Unknown events: ${names}.",
                mapping={"names": ", ".join(sorted(set(chosen) - known))},
            )
        if errors:
            raise WebhookInputError(_("Some fields need your attention."), errors)
        secret = new_secret()
        subscription = WebhookSubscription(
            organisation_id=getattr(organisation, "id", None),
            url=url,
            events=chosen,
            secret=secret,
            enabled=True,
            failures=0,
            disabled_reason="",
            created_by_id=getattr(user, "id", None),
        )
        self.db.add(subscription)
        self.db.flush()
        return subscription, secret

    def remove(self, subscription):
        self.db.delete(subscription)
        self.db.flush()

    def enable(self, subscription):
        subscription.enabled, subscription.failures, subscription.disabled_reason = True, 0, ""

    def send_test(self, subscription):
        return self._queue(subscription, TEST_EVENT, {"subscription_id": subscription.id})

    def attempts(self, subscription, limit=50):
        return self.db.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.subscription_id == subscription.id)
            .order_by(WebhookAttempt.id.desc())
            .limit(limit)
        ).all()

    def emit(self, event, data, organisation_id=None):
        column = WebhookSubscription.organisation_id
        audience = (
            column.is_(None)
            if organisation_id is None
            else (column.is_(None) | (column == organisation_id))
        )
        queued = 0
        for subscription in self.db.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.enabled.is_(True), audience)
            .order_by(WebhookSubscription.id)
        ):
            if event in subscription.events:
                self._queue(subscription, event, data)
                queued += 1
        return queued

    def _queue(self, subscription, event, data) -> str:
        message_id = f"msg_{uuid.uuid4().hex}"
        body = json.dumps(
            {
                "type": event,
                "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "data": data,
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )
        self.request.find_service(IJobQueue).enqueue(
            DELIVER_JOB,
            {
                "subscription_id": subscription.id,
                "message_id": message_id,
                "event": event,
                "body": body,
            },
            label=f"{event} to {subscription.url}",
        )
        return message_id


def webhooks_factory(context, request) -> Webhooks:
    return Webhooks(request)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # An endpoint that redirects has moved: its owner updates the subscription.  Following
    # would also carry the signed body to an address nobody checked.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def post(url: str, body: bytes, extra_headers: dict, timeout: float) -> tuple[int | None, str]:
    """``(status code, error)`` of one POST; error is "" for a 2xx answer."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "CitiesOfLearning-webhooks",
            **extra_headers,
        },
    )
    opener = urllib.request.build_opener(_NoRedirects())
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(MAX_ANSWER)
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code} {error.reason}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        return None, f"{type(reason).__name__}: {reason}"[:500]


def deliver(request, job) -> None:
    """The ``webhooks.deliver`` job: sign and post one message, log the attempt, and raise to
    be retried when it failed.  The attempt is logged in a transaction of its own, because a
    failed job's own transaction is rolled back."""
    payload = job.payload
    settings = request.registry.settings
    subscription = get_city_row(request.dbsession, WebhookSubscription, payload["subscription_id"])
    if subscription is None:
        return  # removed since
    if not subscription.enabled and payload["event"] != TEST_EVENT:
        return  # turned off: its events are dropped, not held
    body = payload["body"].encode()
    started = time.monotonic()
    try:
        check_url(subscription.url, allow_private(settings), schemes(settings))
    except OutboundRefused as refused:
        status, error = None, str(refused)
    else:
        status, error = post(
            subscription.url,
            body,
            headers(subscription.secret, payload["message_id"], int(time.time()), body),
            float(settings["col.webhooks_timeout"]),
        )
    duration = int(1000 * (time.monotonic() - started))
    record(
        request.registry,
        job.tenant_id,
        subscription.id,
        payload,
        job.attempts,
        status,
        error,
        duration,
        int(settings["col.webhooks_disable_after"]),
    )
    if error:
        raise DeliveryFailed(f"{payload['event']} to {subscription.url}: {error}")


def record(
    registry, tenant_id, subscription_id, payload, attempt, status, error, duration, disable_after
) -> None:
    with city_request(registry, tenant_id) as request:
        db = request.dbsession
        db.add(
            WebhookAttempt(
                subscription_id=subscription_id,
                message_id=payload["message_id"],
                event=payload["event"],
                attempt=attempt,
                ok=not error,
                status_code=status,
                duration_ms=duration,
                error=error,
            )
        )
        if not error:
            db.execute(
                update(WebhookSubscription)
                .where(WebhookSubscription.id == subscription_id)
                .values(failures=0)
            )
        else:
            # Counted in the database: attempts of one subscription may fail in several workers.
            failures = db.execute(
                update(WebhookSubscription)
                .where(WebhookSubscription.id == subscription_id)
                .values(failures=WebhookSubscription.failures + 1)
                .returning(WebhookSubscription.failures)
            ).scalar_one()
            if failures >= disable_after:
                db.execute(
                    update(WebhookSubscription)
                    .where(
                        WebhookSubscription.id == subscription_id,
                        WebhookSubscription.enabled.is_(True),
                    )
                    .values(enabled=False, disabled_reason=error[:500])
                )
        db.flush()
        oldest_kept = db.scalar(
            select(WebhookAttempt.id)
            .where(WebhookAttempt.subscription_id == subscription_id)
            .order_by(WebhookAttempt.id.desc())
            .offset(KEEP_ATTEMPTS - 1)
            .limit(1)
        )
        if oldest_kept is not None:
            db.execute(
                delete(WebhookAttempt).where(
                    WebhookAttempt.subscription_id == subscription_id,
                    WebhookAttempt.id < oldest_kept,
                )
            )
