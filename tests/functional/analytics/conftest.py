"""Fixtures for the analytics tests; the seeded city is described in col_core.analytics.testing."""

from __future__ import annotations

import pytest

from col_core.analytics.testing import scripted_request, seed_city


@pytest.fixture
def as_request(registry):
    return scripted_request(registry)


@pytest.fixture
def seeded(people, factories, as_request):
    """The seeded city with k = 2, so that most figures are shown."""
    return seed_city(people, factories, as_request, min_group_size=2)


@pytest.fixture
def seeded_k5(people, factories, as_request):
    """The same city with the default k = 5."""
    return seed_city(people, factories, as_request)
