"""``/api/v1/organisations``: list, create, read and update this city's organisations."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from col_core.api import ApiError
from col_core.i18n import _
from col_core.organisations.interfaces import IOrganisationService
from col_core.organisations.models import ORGANISATION_TYPES, Organisation
from col_core.organisations.resources import organisation_factory
from col_core.organisations.services import EDITABLE
from col_core.organisations.views import organisation_rules
from col_core.security import validation as v
from col_core.security.api import invalid_fields, json_body

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["slug", "name", "type", "verified"],
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "type": {"enum": list(ORGANISATION_TYPES)},
        "description": {"type": "string"},
        "website": {"type": "string"},
        "contact_email": {"type": "string"},
        "phone": {"type": "string"},
        "address": {"type": "string"},
        "primary_locale": {"type": "string"},
        "verified": {"type": "boolean"},
        "url": {"type": "string"},
    },
}
REF = {"$ref": "#/components/schemas/Organisation"}
BODY = {"type": "object", "properties": {k: SCHEMA["properties"][k] for k in EDITABLE}}


def organisation_json(request, organisation: Organisation) -> dict:
    return {
        **{key: getattr(organisation, key) for key in EDITABLE},
        "slug": organisation.slug,
        "verified": organisation.is_verified,
        "url": request.route_url("organisation", slug=organisation.slug),
    }


def list_organisations(request):
    found = request.dbsession.scalars(
        select(Organisation).where(Organisation.suspended_at.is_(None)).order_by(Organisation.name)
    ).all()
    return {"items": [organisation_json(request, o) for o in found]}


def create_organisation(request):
    if request.tenant.is_global:
        raise HTTPNotFound()
    values, errors = v.validate(json_body(request), organisation_rules(request))
    if errors:
        raise invalid_fields(request, errors)
    organisation = request.find_service(IOrganisationService).create(request.user, values)
    request.response.status = 201
    return organisation_json(request, organisation)


def get_organisation(context, request):
    return organisation_json(request, context.organisation)


def update_organisation(context, request):
    body = json_body(request)
    unknown = sorted(set(body) - set(EDITABLE))
    if unknown:
        raise ApiError(
            request.localizer.translate(_("Unknown fields.")),
            fields={
                name: request.localizer.translate(_("Not a field you can change."))
                for name in unknown
            },
            status=422,
        )
    # A partial update validates only the fields given.
    rules = {k: rule for k, rule in organisation_rules(request).items() if k in body}
    values, errors = v.validate(body, rules)
    if errors:
        raise invalid_fields(request, errors)
    request.find_service(IOrganisationService).update(context.organisation, values)
    return organisation_json(request, context.organisation)


def _ok(schema, code=200):
    return {code: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def includeme(config):
    config.add_openapi_schema("Organisation", SCHEMA)
    config.add_api_view(
        list_organisations,
        "/organisations",
        permission="view",
        summary="This city's organisations (not suspended)",
        responses=_ok({"type": "object", "properties": {"items": {"type": "array", "items": REF}}}),
    )
    config.add_api_view(
        create_organisation,
        "/organisations",
        method="POST",
        permission="learner",
        summary="Create an organisation (you own it)",
        request_body={**BODY, "required": ["name", "type", "primary_locale"]},
        responses={**_ok(REF, 201), 422: {"description": "Invalid fields"}},
    )
    config.add_api_view(
        get_organisation,
        "/organisations/{slug}",
        permission="view",
        factory=organisation_factory,
        summary="One organisation",
        responses=_ok(REF),
    )
    config.add_api_view(
        update_organisation,
        "/organisations/{slug}",
        method="PATCH",
        factory=organisation_factory,
        permission="org.edit",
        request_body=BODY,
        summary="Change an organisation (owners and admins)",
        responses={**_ok(REF), 422: {"description": "Invalid fields"}},
    )
