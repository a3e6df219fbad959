"""Fixtures for the conformance suites."""

from plugins.badges.testing import badges, live_city, live_https_city  # noqa: F401 - fixtures
