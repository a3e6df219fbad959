"""Fixtures for the search tests."""

from col_core.activities.search.testing import activities  # noqa: F401
