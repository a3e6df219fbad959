"""The JSON API: ``/api/v1/...`` endpoints, their error format, and the OpenAPI document.

Every JSON endpoint is declared with ``config.add_api_view(...)``, which registers the route,
the view and its OpenAPI operation together, so the document at ``/api/openapi.json`` cannot
forget an endpoint.  Errors are ``{"error": "...", "fields": {...}}`` with a 4xx status.
"""

from __future__ import annotations

from col_core.api.errors import ApiError, api_error_views
from col_core.api.openapi import OpenAPIRegistry, add_api_view, add_openapi_schema

__all__ = ["ApiError", "add_api_view", "add_openapi_schema"]


def includeme(config):
    config.registry["col.openapi"] = OpenAPIRegistry()
    config.add_directive("add_api_view", add_api_view)
    config.add_directive("add_openapi_schema", add_openapi_schema)
    api_error_views(config)
    config.add_route("openapi", "/api/openapi.json")
    config.include("col_core.api.api")
