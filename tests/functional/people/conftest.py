"""Helpers for the people tests: accounts, organisations and signing in through the real pages."""

from __future__ import annotations

import re

import pytest

from col_core.testing.people import PASSWORD, accept_terms


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
