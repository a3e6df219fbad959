"""The account's JSON API: who am I, and personal API tokens (``/api/v1/me``, ``/tokens``)."""

from __future__ import annotations

from sqlalchemy import select

from col_core.api import ApiError
from col_core.db.meta import utcnow
from col_core.i18n import _
from col_core.security import validation as v
from col_core.security.models import TOKEN_SCOPES, ApiToken
from col_core.security.views.tokens_page import active_tokens, create_token

ME = {
    "type": "object",
    "required": ["id", "display_name", "email", "roles"],
    "properties": {
        "id": {"type": "integer"},
        "display_name": {"type": "string"},
        "email": {"type": "string"},
        "preferred_locale": {"type": ["string", "null"]},
        "roles": {
            "type": "object",
            "properties": {
                "city_admin": {"type": "boolean"},
                "platform_admin": {"type": "boolean"},
                "organisations": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    },
}
TOKEN = {
    "type": "object",
    "required": ["id", "name", "scope"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "scope": {"enum": list(TOKEN_SCOPES)},
        "created_at": {"type": "string"},
        "last_used_at": {"type": ["string", "null"]},
        "token": {"type": "string", "description": "Only in the answer to its creation."},
    },
}


def json_body(request) -> dict:
    try:
        body = request.json_body
    except ValueError:
        raise ApiError(request.localizer.translate(_("The body is not valid JSON."))) from None
    if not isinstance(body, dict):
        raise ApiError(request.localizer.translate(_("The body must be a JSON object.")))
    return body


def invalid_fields(request, errors: dict):
    return ApiError(
        request.localizer.translate(_("Some fields are not valid.")),
        fields=v.translate_errors(request, errors),
        status=422,
    )


def me(request):
    user, roles = request.user, request.roles
    from col_core.organisations.models import Organisation

    slugs = (
        dict(request.dbsession.execute(select(Organisation.id, Organisation.slug)).all())
        if roles.memberships
        else {}
    )
    return {
        "id": user.id,
        "display_name": user.display_name,
        "email": user.email,
        "preferred_locale": user.preferred_locale,
        "roles": {
            "city_admin": roles.is_city_admin,
            "platform_admin": user.is_platform_admin,
            "organisations": {slugs[i]: r for i, r in roles.memberships.items() if i in slugs},
        },
    }


def _token_json(token: ApiToken) -> dict:
    return {
        "id": token.id,
        "name": token.name,
        "scope": token.scope,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at and token.last_used_at.isoformat(),
    }


def list_tokens(request):
    return {"items": [_token_json(token) for token in active_tokens(request)]}


def create_api_token(request):
    if request.col_identity.token is not None:
        # A token must not mint more tokens: a leaked one could then outlive its revocation.
        raise ApiError(
            request.localizer.translate(_("Create API tokens while signed in on the website.")),
            status=403,
        )
    values, errors = v.validate(
        json_body(request), {"name": v.text(80), "scope": v.choice(TOKEN_SCOPES)}
    )
    if errors:
        raise invalid_fields(request, errors)
    token, secret = create_token(request, values["name"], values["scope"])
    request.response.status = 201
    return {**_token_json(token), "token": secret}


def revoke_token(request):
    try:
        token_id = int(request.matchdict["id"])
    except ValueError:
        token_id = 0
    token = request.dbsession.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id,
            ApiToken.user_id == request.user.id,
            ApiToken.revoked_at.is_(None),
        )
    )
    if token is None:
        raise ApiError(request.localizer.translate(_("No such token.")), status=404)
    token.revoked_at = utcnow()
    return {"id": token.id, "revoked": True}


def _ok(schema):
    return {200: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def includeme(config):
    config.add_openapi_schema("Me", ME)
    config.add_openapi_schema("ApiToken", TOKEN)
    config.add_api_view(
        me,
        "/me",
        summary="The signed-in person and their roles in this city",
        permission="learner",
        responses=_ok({"$ref": "#/components/schemas/Me"}),
    )
    config.add_api_view(
        list_tokens,
        "/tokens",
        summary="Your active personal API tokens",
        permission="learner",
        responses=_ok(
            {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/ApiToken"}}
                },
            }
        ),
    )
    # Managing one's tokens is account business, not an action in a city: no consent needed.
    config.add_api_view(
        create_api_token,
        "/tokens",
        method="POST",
        permission="learner",
        city_consent=False,
        summary="Create a personal API token (the secret is shown once)",
        request_body={
            "type": "object",
            "required": ["name", "scope"],
            "properties": {"name": {"type": "string"}, "scope": {"enum": list(TOKEN_SCOPES)}},
        },
        responses={
            201: {
                "description": "Created",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ApiToken"}}
                },
            },
            422: {"description": "Invalid fields"},
        },
    )
    config.add_api_view(
        revoke_token,
        "/tokens/{id}",
        method="DELETE",
        permission="learner",
        city_consent=False,
        summary="Revoke one of your API tokens",
        responses=_ok({"type": "object"}),
    )
