"""Test helpers for the badges plugin (and for plugins that award badges): a city with an
organisation, and the plugin's services run in committed transactions as the app runs them.

Use from a ``conftest.py``: ``from plugins.badges.testing import badges  # noqa: F401``.
"""

from __future__ import annotations

import contextlib

import pytest
from pyramid.scripting import prepare
from sqlalchemy import select

from col_core.security.models import Organisation, User
from col_core.tenancy.scoping import set_tenant
from plugins.badges.interfaces import IBadgeIssuer, IIssuerKeys
from plugins.badges.models import Assertion, BadgeClass


class Badges:
    """Runs the plugin's services as the app would, in a committed transaction per block."""

    def __init__(self, registry, factories, tenant):
        self.registry = registry
        self.factories = factories
        self.tenant = tenant
        with factories.within(tenant):
            self.organisation = factories.save(Organisation(
                name="Bike Kitchen", slug=f"bike-{factories.next()}",
                contact_email="hello@bike.example"))

    @contextlib.contextmanager
    def request(self):
        env = prepare(registry=self.registry)
        request = env["request"]
        request.tenant = self.tenant
        try:
            with request.tm:
                set_tenant(request.dbsession, self.tenant.id)
                yield request
        finally:
            env["closer"]()

    def badge_class(self, **fields) -> int:
        with self.request() as request:
            organisation = request.dbsession.get(Organisation, self.organisation.id)
            issuer = request.find_service(IIssuerKeys).issuer_for(organisation)
            prerequisites = [request.dbsession.get(BadgeClass, i)
                             for i in fields.pop("prerequisites", ())]
            values = {"name": "Bike repair", "description": "Repairs bikes",
                      "criteria": "Repair three bikes"}
            values.update(fields)
            badge = BadgeClass(issuer=issuer, **values)
            badge.set_prerequisites(prerequisites)
            request.dbsession.add(badge)
            request.dbsession.flush()
            return badge.id

    def issue(self, class_id: int, email: str = "ana@example.org", **options) -> str:
        with self.request() as request:
            badge = request.dbsession.get(BadgeClass, class_id)
            return request.find_service(IBadgeIssuer).issue(badge, email, **options).uid

    def revoke(self, uid: str, reason: str = "issued by mistake") -> None:
        with self.request() as request:
            assertion = request.dbsession.scalar(select(Assertion).where(Assertion.uid == uid))
            request.find_service(IBadgeIssuer).revoke(assertion, reason)

    def assertion(self, uid: str) -> Assertion:
        session = self.factories.session
        session.expire_all()
        with self.factories.within(self.tenant):
            return session.scalar(select(Assertion).where(Assertion.uid == uid))

    def user(self, email: str = "ana@example.org", **fields) -> User:
        return self.factories.save(User(email=email, display_name="Ana", **fields))


@pytest.fixture
def badges(registry, factories):
    return Badges(registry, factories, factories.tenant("vilnius"))
