"""Helpers for the people tests: accounts, organisations and signing in through the real pages."""

from __future__ import annotations

import re

import pytest

from col_core.db.meta import utcnow
from col_core.organisations.models import Membership, Organisation
from col_core.security.models import CityAdmin, User
from col_core.security.passwords import hash_password
from col_core.testing.people import accept_terms

PASSWORD = "correct horse battery"
_hash = hash_password(PASSWORD)  # hashing once keeps the suite fast


class People:
    def __init__(self, factories):
        self.factories = factories

    def user(self, email=None, verified=True, **fields) -> User:
        email = email or f"person{self.factories.next()}@example.org"
        values = {
            "display_name": email.split("@")[0].title(),
            "password_hash": _hash,
            "email_verified_at": utcnow() if verified else None,
        }
        values.update(fields)
        return self.factories.save(User(email=email, **values))

    def organisation(self, tenant, owner=None, role="owner", **fields) -> Organisation:
        n = self.factories.next()
        values = {"name": f"Organisation {n}", "slug": f"org-{n}", "primary_locale": "en"}
        values.update(fields)
        with self.factories.within(tenant):
            organisation = Organisation(tenant_id=tenant.id, **values)
            if owner is not None:
                organisation.memberships.append(
                    Membership(user_id=owner.id, role=role, tenant_id=tenant.id)
                )
            return self.factories.save(organisation)

    def member(self, organisation, user, role="member") -> Membership:
        with self.factories.within(organisation.tenant_id):
            return self.factories.save(
                Membership(
                    organisation_id=organisation.id,
                    user_id=user.id,
                    role=role,
                    tenant_id=organisation.tenant_id,
                )
            )

    def city_admin(self, tenant, user) -> CityAdmin:
        with self.factories.within(tenant):
            return self.factories.save(CityAdmin(user_id=user.id, tenant_id=tenant.id))


@pytest.fixture
def people(factories):
    return People(factories)


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius", name="Vilnius")


def form_with(page, field: str):
    """The page's form that has ``field`` (pages also carry the language switcher form)."""
    for form in page.forms.values():
        if field in form.fields:
            return form
    raise AssertionError(f"no form with {field!r} on {page.request.url}")


def csrf_token(app, path="/signin") -> str:
    page = app.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def sign_in(app, email, password=PASSWORD, status=303, consent=True):
    """Sign in through the page; then accept the city's terms too, unless ``consent`` is False."""
    form = form_with(app.get("/signin"), "password")
    form["email"] = email
    form["password"] = password
    response = form.submit(status=status)
    if consent and response.status_int == 303:
        accept_terms(app)
    return response


def link_in(message) -> str:
    """The first link of an email, as a path (the app answers on any host in tests)."""
    body = message.get_body(("plain",)).get_content()
    url = re.search(r"https?://\S+", body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def helpers():
    class Helpers:
        pass

    h = Helpers()
    h.form_with, h.csrf_token, h.sign_in, h.link_in = form_with, csrf_token, sign_in, link_in
    h.PASSWORD = PASSWORD
    return h
