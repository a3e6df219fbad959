"""``/account/tokens``: create and revoke personal API tokens on the website."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from col_core.api.errors import ApiError
from col_core.db.meta import utcnow
from col_core.i18n import _
from col_core.security import validation as v
from col_core.security.forms import invalid, kept
from col_core.security.models import TOKEN_SCOPES, ApiToken
from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret
from col_core.security.views import T

RULES = {"name": v.text(80), "scope": v.choice(TOKEN_SCOPES)}


def active_tokens(request) -> list[ApiToken]:
    return request.dbsession.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == request.user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    ).all()


def create_token(request, name: str, scope: str) -> tuple[ApiToken, str]:
    """Store a new token's hash; the returned secret is shown once and never again.

    Only a person signed in on the website creates tokens: a token must not mint more tokens,
    or a leaked one could outlive its revocation through the ones it made.
    """
    identity = request.col_identity
    if identity is None or identity.token is not None:
        raise ApiError(
            request.localizer.translate(_("Create API tokens while signed in on the website.")),
            status=403,
        )
    secret = API_TOKEN_PREFIX + new_secret()
    token = ApiToken(user_id=request.user.id, name=name, scope=scope, token_hash=digest(secret))
    request.dbsession.add(token)
    request.dbsession.flush()
    return token, secret


@view_config(
    route_name="api_tokens",
    request_method="GET",
    renderer=T + "tokens.jinja2",
    permission="learner",
)
def tokens(request):
    return {
        "values": {"scope": "read"},
        "errors": {},
        "tokens": active_tokens(request),
        "scopes": TOKEN_SCOPES,
        "secret": None,
    }


@view_config(
    route_name="api_tokens",
    request_method="POST",
    renderer=T + "tokens.jinja2",
    permission="learner",
    city_consent=False,
)
def create(request):
    values, errors = v.validate(request.POST, RULES)
    if errors:
        return invalid(
            request,
            kept(request),
            errors,
            tokens=active_tokens(request),
            scopes=TOKEN_SCOPES,
            secret=None,
        )
    _token, secret = create_token(request, values["name"], values["scope"])
    return {
        "values": {"scope": "read"},
        "errors": {},
        "tokens": active_tokens(request),
        "scopes": TOKEN_SCOPES,
        "secret": secret,
    }


@view_config(
    route_name="api_token_revoke", request_method="POST", permission="learner", city_consent=False
)
def revoke(request):
    token_id = int(request.matchdict["id"])
    token = request.dbsession.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == request.user.id)
    )
    if token is None:
        raise HTTPNotFound()
    token.revoked_at = token.revoked_at or utcnow()
    request.session.flash(request.localizer.translate(_("The token is revoked.")))
    return HTTPSeeOther(request.route_url("api_tokens"))
