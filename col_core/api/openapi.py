"""The OpenAPI 3.1 document, assembled from every ``add_api_view`` call of the core and plugins."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from col_core.security.validation import MAX_INTEGER, id_placeholders

API_PREFIX = "/api/v1"
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "fields"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, for a person to act on."},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_REGEX_PART = re.compile(r"\{(\w+):[^}]*\}")


@dataclass
class Operation:
    path: str
    method: str
    spec: dict
    plugin: str | None


@dataclass
class OpenAPIRegistry:
    operations: list[Operation] = field(default_factory=list)
    schemas: dict[str, tuple[dict, str | None]] = field(default_factory=dict)
    # Events the platform posts to subscribers' endpoints (col_core.webhooks), by name.
    webhooks: dict[str, tuple[dict, str | None]] = field(default_factory=dict)

    def document(self, disabled: frozenset[str] = frozenset(), server_url: str = "") -> dict:
        paths: dict[str, dict] = {}
        for op in self.operations:
            if op.plugin in disabled:
                continue
            paths.setdefault(op.path, {})[op.method.lower()] = op.spec
        schemas = {"Error": ERROR_SCHEMA}
        schemas.update(
            {
                name: schema
                for name, (schema, plugin) in self.schemas.items()
                if plugin not in disabled
            }
        )
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "Cities of Learning API",
                "version": "1",
                "description": "Every JSON endpoint of this city's site. Errors are "
                '{"error": ..., "fields": {...}} with a 4xx status.',
            },
            "servers": [{"url": server_url}] if server_url else [],
            "paths": dict(sorted(paths.items())),
            "webhooks": {
                name: spec
                for name, (spec, plugin) in sorted(self.webhooks.items())
                if plugin not in disabled
            },
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "bearer": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal API token from your account settings.",
                    },
                    "session": {"type": "apiKey", "in": "cookie", "name": "col_session"},
                },
            },
        }


def openapi_path(pattern: str) -> str:
    return _REGEX_PART.sub(r"{\1}", pattern)


def _default_responses(responses: dict | None, method: str, permission) -> dict:
    """The operation's own responses and the refusals any operation of its kind can answer:
    bad input (the request guard of col_core.security.limits), not found (also ids out of
    range), not allowed (a permission, or the city's terms not yet accepted) and too large."""
    merged = {str(code): spec for code, spec in (responses or {}).items()}
    refusals = {"400": "Bad input", "404": "Not found"}
    if permission not in (None, "view"):
        refusals["403"] = "Not allowed"
    if method.upper() not in ("GET", "HEAD", "OPTIONS"):
        refusals["413"] = "The body is too large"
    error_schema = {"schema": {"$ref": "#/components/schemas/Error"}}
    error_content = {"application/json": error_schema}
    for code, text in refusals.items():
        merged.setdefault(code, {"description": text, "content": error_content})
    return merged


def _path_parameter(pattern: str, name: str) -> dict:
    schema = (
        {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}
        if name in id_placeholders(pattern)
        else {"type": "string"}
    )
    return {"name": name, "in": "path", "required": True, "schema": schema}


def add_api_view(
    config,
    view,
    pattern: str,
    method: str = "GET",
    name: str | None = None,
    *,
    summary: str,
    responses: dict,
    request_body: dict | None = None,
    parameters: list | None = None,
    permission=None,
    tags: list | None = None,
    factory=None,
    **view_options,
) -> None:
    """Config directive: route + view + OpenAPI operation for one JSON endpoint.

    ``pattern`` is relative to ``/api/v1`` (``/activities/{id}``) whatever plugin registers it.
    ``responses`` maps status codes to OpenAPI response objects; the refusals every operation of
    its kind can answer (400, 404, and 403 and 413 where they apply) are added.
    ``factory`` is the route's context factory (what the security policy checks permissions on).
    """
    registry = config.registry
    plugin = registry["col.plugins"].owner_of(config.package_name)
    route_name = name or f"api.{method.lower()}.{pattern.strip('/').replace('/', '.')}"
    full_pattern = API_PREFIX + pattern
    saved_prefix, config.route_prefix = config.route_prefix, None
    try:
        if route_name not in {r.name for r in config.get_routes_mapper().get_routes()}:
            # The method predicate lets two operations share a path (GET and DELETE ...).
            config.add_route(route_name, full_pattern, factory=factory, request_method=method)
    finally:
        config.route_prefix = saved_prefix
    config.add_view(
        view,
        route_name=route_name,
        request_method=method,
        renderer="json",
        permission=permission,
        **view_options,
    )
    # A path parameter the operation describes itself (a tile's z/x/y) replaces the default.
    described = {p["name"] for p in parameters or () if p.get("in") == "path"}
    path_params = [name for name in re.findall(r"\{(\w+)", pattern) if name not in described]
    spec = {
        "summary": summary,
        "operationId": route_name,
        "tags": tags or [plugin or "core"],
        "parameters": [_path_parameter(pattern, name) for name in path_params]
        + list(parameters or []),
        "responses": _default_responses(responses, method, permission),
    }
    if request_body:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": request_body}},
        }
    registry["col.openapi"].operations.append(
        Operation(openapi_path(full_pattern), method.upper(), spec, plugin)
    )


def add_openapi_schema(config, name: str, schema: dict) -> None:
    """Config directive: a reusable schema at ``#/components/schemas/<name>``."""
    plugin = config.registry["col.plugins"].owner_of(config.package_name)
    config.registry["col.openapi"].schemas[name] = (schema, plugin)
