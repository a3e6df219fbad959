"""The contract of webhooks."""

from __future__ import annotations

from zope.interface import Interface


class IWebhooks(Interface):
    """The current city's webhook subscriptions, and the events they receive.

    A subscription belongs to the city (``organisation`` None: every event of the city) or to one
    organisation (only the events of its own activities, badges and playlists).  ``emit`` writes
    one ``webhooks.deliver`` job per matching subscription in the caller's transaction, so a
    rolled-back change sends nothing; the job signs the body (Standard Webhooks) and posts it,
    retried with the job queue's growing waits, and logs each attempt.
    """

    def events() -> list:
        """The events a subscription may choose in this city (``WebhookEvent``, by name)."""

    def subscriptions(organisation=None) -> list:
        """The city's own subscriptions (``organisation`` None) or the organisation's."""

    def get(subscription_id: int, organisation=None):
        """The subscription with this id of the city (or of ``organisation``), else None."""

    def subscribe(url: str, events: list[str], organisation=None, user=None) -> tuple:
        """Create a subscription; returns ``(subscription, secret)``: the secret is shown once.
        Raises ``WebhookInputError`` (message and field errors) for a URL that is not https, is
        a private address, or for an unknown event."""

    def remove(subscription) -> None:
        """Delete the subscription and its log."""

    def enable(subscription) -> None:
        """Turn a subscription that was turned off after failures on again."""

    def send_test(subscription):
        """Queue a ``webhook.test`` event to this subscription only; returns its message id."""

    def attempts(subscription, limit: int = 50) -> list:
        """The subscription's newest delivery attempts, newest first."""

    def emit(event: str, data: dict, organisation_id: int | None = None) -> int:
        """Queue ``event`` with ``data`` for every enabled subscription of the city that chose
        it (city-wide ones, and those of ``organisation_id``); returns how many were queued."""
