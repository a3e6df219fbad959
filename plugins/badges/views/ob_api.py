"""The Open Badges 3.0 API (1EdTech): its service description, the OAuth 2.0 endpoints, the
learner's consent page and connected applications, and the resource endpoints.

The resource and OAuth endpoints read no cookie (a Bearer token, or the client's own Basic
credentials), so no cross-site request can ride on a browser's session: they are exempt from
the CSRF check, as the core's API is for Bearer requests.  The consent and disconnect forms are
the learner's, with a session, and keep it.
"""

from __future__ import annotations

import datetime as dt
import json

from authlib.oauth2 import OAuth2Error
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from col_core.security.throttle import Throttle
from plugins.badges.interfaces import IOpenBadgesApi
from plugins.badges.services import IssueError, _
from plugins.badges.services.ob_api import (
    CREDENTIAL_READ,
    CREDENTIAL_UPSERT,
    MAX_LIST,
    PROFILE_READ,
    PROFILE_UPDATE,
    SCOPES,
    ApiRefusal,
)
from plugins.badges.views.common import current_user

T = "plugins.badges:templates/"
VERSION = "/ims/ob/v3p0"
MAX_BODY = 1024 * 1024
SCOPE_TEXTS = {
    CREDENTIAL_READ: _("See the badges in your wallet"),
    CREDENTIAL_UPSERT: _("Add badges to your wallet"),
    PROFILE_READ: _("See your name and e-mail address"),
    PROFILE_UPDATE: _("Change your name"),
}


def status_info(status: int, minor: str, description: str) -> Response:
    """An Imsx_StatusInfo error, as the Open Badges API answers every failure."""
    response = Response(status=status, content_type="application/json", charset="utf-8")
    response.json_body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}
            ]
        },
    }
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    if status == 403:
        response.headers["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'
    return response


def _api(request):
    return request.find_service(IOpenBadgesApi)


def _base(request) -> str:
    return request.route_url("badges.ob_discovery").removesuffix(VERSION + "/discovery")


def _operation(summary: str, scope: str | None, responses: dict) -> dict:
    operation: dict = {"summary": summary, "responses": responses}
    if scope:
        operation["security"] = [{"OAuth2ACG": [scope]}]
    return operation


@view_config(
    route_name="badges.ob_discovery", request_method="GET", renderer="json", permission="view"
)
def discovery(request):
    """The Service Description Document: an OpenAPI 3.0 document naming the OAuth endpoints."""
    tenant = request.tenant
    ok = {"description": "OK"}
    refused = {"description": "Imsx_StatusInfo"}
    request.response.headers["Access-Control-Allow-Origin"] = "*"
    return {
        "openapi": "3.0.1",
        "info": {
            "title": f"{tenant.name}: Open Badges API",
            "version": "3.0",
            "description": "The 1EdTech Open Badges 3.0 API of this city.",
            "termsOfService": request.route_url("legal", page="terms"),
            "x-imssf-privacyPolicyUrl": request.route_url("legal", page="privacy"),
        },
        "servers": [{"url": _base(request), "description": tenant.name}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Profile"}, {"name": "Discovery"}],
        "paths": {
            VERSION + "/credentials": {
                "get": _operation(
                    "getCredentials", CREDENTIAL_READ, {"200": ok, "default": refused}
                ),
                "post": _operation(
                    "upsertCredential",
                    CREDENTIAL_UPSERT,
                    {"200": ok, "201": ok, "default": refused},
                ),
            },
            VERSION + "/profile": {
                "get": _operation("getProfile", PROFILE_READ, {"200": ok, "default": refused}),
                "put": _operation("putProfile", PROFILE_UPDATE, {"200": ok, "default": refused}),
            },
            VERSION + "/discovery": {"get": _operation("getServiceDescription", None, {"200": ok})},
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant authorization",
                    "x-imssf-name": tenant.name,
                    "x-imssf-registrationUrl": request.route_url("badges.ob_register"),
                    "flows": {
                        "authorizationCode": {
                            "tokenUrl": request.route_url("badges.ob_token"),
                            "authorizationUrl": request.route_url("badges.ob_authorize"),
                            "refreshUrl": request.route_url("badges.ob_token"),
                            "scopes": {scope: scope.rsplit("/", 1)[1] for scope in SCOPES},
                        }
                    },
                }
            },
            "schemas": {},
        },
        "x-imssf-revocationUrl": request.route_url("badges.ob_revoke"),
    }


# OAuth 2.0: registration, token and revocation answer as their RFCs say (authlib's answers).


@view_config(
    route_name="badges.ob_register", request_method="POST", permission="view", require_csrf=False
)
def register(request):
    refused = Throttle(request, "registration", city=True).admit()
    if refused is not None:
        return _too_many(request, refused)
    return _api(request).oauth().create_endpoint_response("client_registration", request)


def _too_many(request, refused) -> Response:
    """RFC 6749's error shape, with when to come back (registration is open to anyone)."""
    message = _(
        "Too many applications were registered from here. Try again in ${minutes} minutes.",
        mapping={"minutes": refused.minutes},
    )
    body = {
        "error": "temporarily_unavailable",
        "error_description": request.localizer.translate(message),
    }
    response = Response(json.dumps(body).encode(), status=429, content_type="application/json")
    response.headers.update(refused.headers())
    return response


@view_config(
    route_name="badges.ob_token", request_method="POST", permission="view", require_csrf=False
)
def token(request):
    return _api(request).oauth().create_token_response(request)


@view_config(
    route_name="badges.ob_revoke", request_method="POST", permission="view", require_csrf=False
)
def revoke(request):
    return _api(request).oauth().create_endpoint_response("revocation", request)


def _scope_texts(request, scopes: list[str]) -> list[str]:
    """What each scope lets an application do, in the person's language."""
    known = [scope for scope in scopes if scope in SCOPE_TEXTS]
    return [request.localizer.translate(SCOPE_TEXTS[scope]) for scope in known]


def _consent_page(request, grant=None, error=None) -> dict:
    scopes = grant.request.scope.split() if grant is not None else []
    return {
        "grant": grant,
        "client": grant.client.row if grant is not None else None,
        "redirect_host": (grant.redirect_uri or "").split("/")[2] if grant is not None else "",
        "scopes": _scope_texts(request, scopes),
        "error": error,
    }


def _invalid(request, error: OAuth2Error):
    """A request that cannot be answered at the client's address (unknown client, a redirect
    URI it never registered): said here, never sent on to an address we cannot trust."""
    if error.redirect_uri:
        return _api(request).oauth().handle_error_response(None, error)
    request.response.status = 400
    message = _(
        "This application's request cannot be used: ${reason}",
        mapping={"reason": error.description or error.error},
    )
    return _consent_page(request, error=request.localizer.translate(message))


@view_config(
    route_name="badges.ob_authorize",
    request_method="GET",
    renderer=T + "ob_consent.jinja2",
    permission="learner",
)
def authorize_form(request):
    try:
        grant = _api(request).consent_grant(current_user(request))
    except OAuth2Error as error:
        return _invalid(request, error)
    return _consent_page(request, grant)


@view_config(
    route_name="badges.ob_authorize",
    request_method="POST",
    renderer=T + "ob_consent.jinja2",
    permission="learner",
)
def authorize(request):
    api, user = _api(request), current_user(request)
    try:
        grant = api.consent_grant(user)
    except OAuth2Error as error:
        return _invalid(request, error)
    allowed = request.POST.get("decision") == "allow"
    return api.oauth().create_authorization_response(
        grant.request, grant_user=user if allowed else None, grant=grant
    )


@view_config(
    route_name="badges.ob_apps",
    request_method="GET",
    renderer=T + "ob_apps.jinja2",
    permission="learner",
)
def connected_apps(request):
    apps = _api(request).connected_apps(current_user(request))
    for app in apps:
        app["texts"] = _scope_texts(request, app["scopes"])
    return {"apps": apps}


@view_config(route_name="badges.ob_disconnect", request_method="POST", permission="learner")
def disconnect(request):
    client_id = request.POST.get("client_id", "")
    if not _api(request).disconnect(current_user(request), client_id[:64]):
        raise HTTPNotFound(
            request.localizer.translate(_("This application is not connected to your account."))
        )
    request.session.flash(request.localizer.translate(_("The application is disconnected.")))
    return HTTPSeeOther(request.route_url("badges.ob_apps"))


# The resource endpoints: a Bearer access token with the operation's scope.


def _authenticated(request, scope: str):
    try:
        return _api(request).authenticate(scope)
    except ApiRefusal as refusal:
        raise _Refused(status_info(refusal.status, refusal.minor, refusal.description)) from None


class _Refused(Exception):
    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


def _whole(request, name: str, default: int, least: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < least:
        raise _Refused(
            status_info(
                400, "invalid_query_parameter", f"'{name}' must be a whole number ≥ {least}."
            )
        )
    return int(raw)


def _since(request) -> dt.datetime | None:
    raw = request.GET.get("since")
    if raw is None:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _Refused(
            status_info(400, "invalid_query_parameter", "'since' must be an ISO 8601 date-time.")
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _links(request, offset: int, limit: int, total: int) -> str:
    """RFC 8288 links to the first, last, next and previous pages."""

    def link(at: int, rel: str) -> str:
        query = {"limit": limit, "offset": at}
        url = request.route_url("badges.ob_credentials", _query=query)
        return f'<{url}>; rel="{rel}"'

    last_item = max(total - 1, 0)
    last_page = last_item // limit * limit
    links = [link(0, "first"), link(last_page, "last")]
    following = offset + limit
    if following < total:
        links.append(link(following, "next"))
    preceding = max(offset - limit, 0)
    if offset > 0:
        links.append(link(preceding, "prev"))
    return ", ".join(links)


def _resource(view):
    """Answer the Open Badges API's refusals as Imsx_StatusInfo."""

    def wrapped(context, request):
        try:
            return view(context, request)
        except _Refused as refused:
            return refused.response

    wrapped.__doc__ = view.__doc__
    return wrapped


@view_config(
    route_name="badges.ob_credentials",
    request_method="GET",
    permission="view",
    require_csrf=False,
    decorator=_resource,
)
def get_credentials(request):
    _token, user = _authenticated(request, CREDENTIAL_READ)
    asked = _whole(request, "limit", MAX_LIST, 1)
    limit = min(asked, MAX_LIST)
    offset = _whole(request, "offset", 0, 0)
    since = _since(request)
    found = _api(request).credentials(user, since)
    total = len(found)
    shown = found[offset : offset + limit]
    page = [credential for credential, _when in shown]
    as_json = [credential for credential in page if isinstance(credential, dict)]
    as_jwt = [credential for credential in page if isinstance(credential, str)]
    response = Response(content_type="application/json", charset="utf-8")
    response.json_body = {"credential": as_json, "compactJwsString": as_jwt}
    response.headers["X-Total-Count"] = str(total)
    response.headers["Link"] = _links(request, offset, limit, total)
    return response


@view_config(
    route_name="badges.ob_credentials",
    request_method="POST",
    permission="view",
    require_csrf=False,
    decorator=_resource,
)
def upsert_credential(request):
    _token, user = _authenticated(request, CREDENTIAL_UPSERT)
    if request.content_length and request.content_length > MAX_BODY:
        raise _Refused(status_info(413, "invalid_data", "The credential is larger than 1 MB."))
    data = request.body[: MAX_BODY + 1].decode("utf-8", "replace")
    try:
        replaced, kept = _api(request).upsert(user, data)
    except IssueError as error:
        message = request.localizer.translate(error.args[0])
        raise _Refused(status_info(400, "invalid_data", message)) from None
    response = Response(
        status=200 if replaced else 201, content_type="application/json", charset="utf-8"
    )
    if isinstance(kept, str):
        response.content_type = "text/plain"
        response.text = kept
    else:
        response.json_body = kept
    return response


def _profile_response(profile: dict) -> Response:
    response = Response(content_type="application/json", charset="utf-8")
    response.json_body = profile
    return response


@view_config(
    route_name="badges.ob_profile",
    request_method="GET",
    permission="view",
    require_csrf=False,
    decorator=_resource,
)
def get_profile(request):
    _token, user = _authenticated(request, PROFILE_READ)
    return _profile_response(_api(request).profile(user))


@view_config(
    route_name="badges.ob_profile",
    request_method="PUT",
    permission="view",
    require_csrf=False,
    decorator=_resource,
)
def put_profile(request):
    _token, user = _authenticated(request, PROFILE_UPDATE)
    try:
        doc = json.loads(request.body[:MAX_BODY] or b"null")
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise _Refused(status_info(400, "invalid_data", "Send the Profile as a JSON object."))
    try:
        return _profile_response(_api(request).update_profile(user, doc))
    except IssueError as error:
        message = request.localizer.translate(error.args[0])
        raise _Refused(status_info(400, "invalid_data", message)) from None
