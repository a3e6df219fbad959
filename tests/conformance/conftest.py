"""Fixtures for the conformance suites."""

from plugins.badges.testing import badges, live_city  # noqa: F401 - the fixtures
