"""Fixtures for the conformance suites."""

from plugins.badges.testing import badges  # noqa: F401 - the fixture
