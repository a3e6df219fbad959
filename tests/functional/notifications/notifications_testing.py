"""What the notification tests share: a city with an activity that has one place, reading a
person's notifications and bell, and messages as the recipient's catalog says them."""

from __future__ import annotations

import re

from pyramid.i18n import TranslationString, make_localizer
from pyramid.interfaces import ITranslationDirectories
from sqlalchemy import select

from col_core.notifications.models import Notification


def translated(registry, locale: str, message: str, domain: str = "col", **mapping) -> str:
    """``message`` as the ``locale`` catalog says it (to compare with what was sent)."""
    localizer = make_localizer(locale, registry.queryUtility(ITranslationDirectories))
    return localizer.translate(TranslationString(message, domain=domain, mapping=mapping))


def rows(factories, tenant, user) -> list[Notification]:
    factories.session.expire_all()
    with factories.within(tenant):
        return list(
            factories.session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        )


def bell(client) -> int:
    """The unread count the header's bell shows (0 when it shows none)."""
    page = client.get("/notifications")
    assert 'class="bell"' in page.text
    found = re.search(r'class="bell-count">(\d+)', page.text)
    return int(found.group(1)) if found else 0


def mail_to(outbox, user) -> list:
    return [m for m in outbox.messages() if m["To"] == user.email]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def offer_a_place(people, tenant, organisation, waiting, title="Pottery"):
    """``waiting`` is second in line for a one-place activity; the first learner leaves."""
    activity = people.activity(tenant, organisation, title=title, capacity=1)
    first = people.client(tenant, people.user())
    url = f"/api/v1/activities/{activity.id}/participation"
    first.post(url, status=201)
    assert people.client(tenant, waiting).post(url, status=201).json["status"] == "waitlisted"
    first.delete(url, status=200)
    return activity
