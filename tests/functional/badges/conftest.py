"""Fixtures for the badges plugin's functional tests."""

import pytest

from plugins.badges.testing import badges, live_city, live_https_city  # noqa: F401 - fixtures


@pytest.fixture
def city(testapp, badges):  # noqa: F811
    """The city's site in webtest (``vilnius.example.test``)."""
    return testapp.for_tenant(badges.tenant)
