"""Notifications: what happened, for each person of a city, in the site and by e-mail.

``request.find_service(INotifications).notify(user, kind, message, url)`` keeps a row in the
person's list (the bell in the header counts the unread ones) and, unless they turned the kind
off on their account page, e-mails them in their language through the ``mail`` job.  Packages
add their kinds with ``config.add_notification_kind(name, title)``.  See docs/notifications.md.
"""

from __future__ import annotations

from col_core.notifications.interfaces import INotifications

__all__ = ["INotifications"]


def includeme(config):
    from col_core.i18n import _
    from col_core.notifications import hooks
    from col_core.notifications.services import add_notification_kind, notifications_factory

    config.add_directive("add_notification_kind", add_notification_kind)
    # The core's own kinds; plugins add theirs in their includeme.
    config.add_notification_kind("waitlist", _("A place for you on an activity's waitlist"))
    config.add_notification_kind(
        "organisation", _("Your organisation verified or suspended by the city")
    )
    config.register_service_factory(notifications_factory, INotifications)
    config.add_request_method(
        lambda request: request.find_service(INotifications), "notifications", reify=True
    )
    config.add_route("notifications", "/notifications")
    config.add_route("notifications_read", "/notifications/read")
    config.add_route("notifications_emails", "/notifications/emails")
    config.scan("col_core.notifications.views")
    # The core's features use the same hooks as plugins (the export, account deletion).
    config.registry["col.plugins"].manager.register(hooks, name="core.notifications")
