"""Core API endpoints: the OpenAPI document (its route is declared in ``__init__.py``) and the
tenant's public description."""

from __future__ import annotations

from sqlalchemy import select

from col_core.tenancy.hosts import tenant_url
from col_core.tenancy.models import Tenant

TENANT_SCHEMA = {
    "type": "object",
    "required": ["slug", "name", "kind", "url", "locales", "default_locale", "timezone"],
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "names": {"type": "object", "additionalProperties": {"type": "string"}},
        "kind": {"enum": ["city", "region", "global"]},
        "country": {"type": "string"},
        "url": {"type": "string"},
        "locales": {"type": "array", "items": {"type": "string"}},
        "default_locale": {"type": "string"},
        "timezone": {"type": "string"},
        "map": {"type": "object"},
        "plugins": {"type": "array", "items": {"type": "string"}},
    },
}


def tenant_json(request, tenant: Tenant) -> dict:
    installed = request.registry["col.plugins"].plugins
    return {
        "slug": tenant.slug,
        "name": tenant.name,
        "names": tenant.names or {},
        "kind": tenant.kind,
        "country": tenant.country,
        "url": tenant_url(request, tenant),
        "locales": tenant.locales,
        "default_locale": tenant.default_locale,
        "timezone": tenant.timezone,
        "map": tenant.map or {},
        "plugins": [name for name in installed if tenant.plugin_enabled(name)],
    }


def openapi_document(request):
    disabled = request.registry["col.plugins"].disabled_for(request.tenant)
    return request.registry["col.openapi"].document(disabled, request.application_url)


def current_tenant(request):
    return tenant_json(request, request.tenant)


def list_tenants(request):
    tenants = request.dbsession.scalars(
        select(Tenant).where(Tenant.active).order_by(Tenant.slug)
    ).all()
    return {"items": [tenant_json(request, tenant) for tenant in tenants]}


def includeme(config):
    config.add_view(openapi_document, route_name="openapi", renderer="json", request_method="GET")
    config.add_openapi_schema("Tenant", TENANT_SCHEMA)
    ref = {"$ref": "#/components/schemas/Tenant"}
    config.add_api_view(
        current_tenant,
        "/tenant",
        summary="This site's city (or the global site)",
        responses={
            200: {"description": "The tenant", "content": {"application/json": {"schema": ref}}}
        },
    )
    config.add_api_view(
        list_tenants,
        "/tenants",
        summary="Every active city, region and the global site",
        responses={
            200: {
                "description": "Tenants",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["items"],
                            "properties": {"items": {"type": "array", "items": ref}},
                        }
                    }
                },
            }
        },
    )
