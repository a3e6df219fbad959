"""Fixtures for the badges plugin's functional tests."""

import pytest

from plugins.badges.testing import badges, live_city  # noqa: F401 - the fixtures


@pytest.fixture
def city(testapp, badges):  # noqa: F811
    """The city's site in webtest (``vilnius.example.test``)."""
    return testapp.for_tenant(badges.tenant)


@pytest.fixture
def outbox(registry):
    """The app's on-disk outbox.  Overrides col_testing's, whose bare ``Request.blank`` has no
    ``find_service`` (request extensions are not applied); reported to the core's owner."""
    from pyramid.scripting import prepare

    from col_core.mail import IMailer

    env = prepare(registry=registry)
    try:
        return env["request"].find_service(IMailer)
    finally:
        env["closer"]()
