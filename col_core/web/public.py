"""What plugins use from the core's views: the one module of ``col_core.web`` and of the view
modules (``*.views``, ``*.api``) that a plugin may import.

The names are re-exported from where they live, so the core can move its views without
breaking a plugin.  ``tests/unit/test_plugin_boundaries.py`` fails when a plugin imports a core
module that is neither this one nor on its list of public modules (docs/plugins.md, "What the
core offers").
"""

from __future__ import annotations

from col_core.activities.api import json_body, refused
from col_core.activities.search.api import (
    API_PARAMETERS,
    activity_urls,
    correction_json,
    document_url,
    document_urls,
    exact_url,
    hit_json,
    parse_query,
)
from col_core.activities.search.services.network import (
    active_cities,
    in_search_order,
    network_activities,
    network_version,
)
from col_core.analytics.views import (
    csv_query,
    csv_response,
    page,
    period_query,
    period_refused,
    requested_period,
)
from col_core.pictures.markup import cover_sources
from col_core.web.branding import colours_of
from col_core.web.maps import DEFAULT_ATTRIBUTION, DEFAULT_TILE_URL, city_tiles

__all__ = [
    # maps and branding of the request's city
    "DEFAULT_ATTRIBUTION",
    "DEFAULT_TILE_URL",
    "city_tiles",
    "colours_of",
    # covers as a script draws them (the map's list)
    "cover_sources",
    # search results as the core's API shows them
    "API_PARAMETERS",
    "activity_urls",
    "correction_json",
    "document_url",
    "document_urls",
    "exact_url",
    "hit_json",
    "parse_query",
    # the global site's network of cities (col_core.activities.search.services.network)
    "active_cities",
    "in_search_order",
    "network_activities",
    "network_version",
    # JSON endpoints: read a body, refuse with a 403/404
    "json_body",
    "refused",
    # dashboards built like the core's (docs/analytics.md)
    "csv_query",
    "csv_response",
    "page",
    "period_query",
    "period_refused",
    "requested_period",
]
