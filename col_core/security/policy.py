"""The security policy: who is asking (session cookie or API token) and what they may do here.

Permissions are checked in exactly one place, :meth:`SecurityPolicy.permits`, from the person's
roles in the request's tenant and, for a route context with per-object visibility (an activity,
a playlist), from the context's ``visible(request)``: what a person may not see is answered 404
(:class:`Hidden`, turned into a "not found" by :func:`hidden_as_not_found`), and views do not
check again.  ``docs/security.md`` lists every permission name.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property

from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.security import Allowed, Denied
from sqlalchemy import select

from col_core.api.errors import ApiError, is_api_request
from col_core.db.meta import utcnow
from col_core.db.tallies import write_by_id
from col_core.i18n import _
from col_core.organisations.models import Membership
from col_core.security import sessions
from col_core.security.models import ApiToken, CityAdmin, User, UserSession
from col_core.security.services import _aware
from col_core.security.tokens import API_TOKEN_PREFIX, digest
from col_core.tenancy.scoping import account_lookup, bind_person

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_USED = "tokens.used"
ORG_EDITORS = frozenset({"owner", "admin"})

#: Permission names every view may declare (see docs/security.md).
PERMISSIONS = (
    "view",
    "learner",
    "city.admin",
    "platform.admin",
    "org.member",
    "org.publish",
    "org.edit",
    "org.manage",
    "org.verify",
)


class Hidden(Denied):
    """Denied because the context hides its object from this person: answered 404 (with the
    context's ``hidden_message``), never 403, so a hidden object's existence does not show."""


def _unless_hidden(request, context, allowed: Allowed):
    """``allowed``, unless the context has a visibility (``visible(request)``) that says no."""
    visible = getattr(context, "visible", None)
    if visible is None or visible(request):
        return allowed
    return Hidden("hidden from this person")


def hidden_as_not_found(handler, registry):
    """Tween under the exception views: a refusal for a hidden object becomes a 404, which the
    pages and the API answer as they answer any missing object."""

    def tween(request):
        try:
            return handler(request)
        except HTTPForbidden as refusal:
            if not isinstance(refusal.result, Hidden):
                raise
            message = getattr(request.context, "hidden_message", None)
            raise HTTPNotFound(message and request.localizer.translate(message)) from None

    return tween


@dataclass
class Identity:
    user: User
    token: ApiToken | None = None  # set when the request authenticated with a Bearer token
    session: UserSession | None = None  # set when it came with a session cookie


def bearer(request) -> bool:
    """Whether the request came with ``Authorization: Bearer``, valid or not."""
    authorization = request.authorization
    return bool(authorization) and authorization.authtype.lower() == "bearer"


def token_scope_refusal(request):
    """Why an API token may not be used for this request, as a message, or None.

    The one place a token's reach is decided (finding 5 of issue #14):

    * a token (any ``Authorization: Bearer`` header, valid or not) reaches the API only
      (``/api/...``): never a page, a form, or the account and security pages (tokens,
      sessions, password, e-mail, export, deletion), so a token cannot mint tokens, start a
      session or change what signs in;
    * a ``read`` token never writes: only GET, HEAD and OPTIONS, whatever the route and whatever
      permission its view declares (claiming a badge is open to everyone, and still a write).
    """
    if not bearer(request) or _is_operations_route(request) or _owns_its_bearer(request):
        return None
    if not is_api_request(request):
        return _(
            "API tokens work only on the API (/api/…). Sign in on the website to use its pages."
        )
    identity = request.col_identity
    token = identity.token if identity is not None else None
    if token is not None and token.scope != "write" and request.method not in SAFE_METHODS:
        return _(
            "This API token may only read. Create a token with the write scope to change anything."
        )
    return None


def _is_operations_route(request) -> bool:
    """The deployment's own endpoints (col_core.operations): /metrics takes a Bearer secret of
    its own (``col.metrics_token``), which is no API token."""
    route = request.matched_route
    return route is not None and route.name.startswith("operations.")


OWN_BEARER_ROUTES = "col.own_bearer_routes"


def add_bearer_route(config, route_name: str) -> None:
    """Config directive: the route takes a Bearer token of its own (an OAuth 2.0 resource such
    as the badges plugin's OpenID4VCI credential endpoint), which is no API token: the header
    is neither refused there nor looked up as one, and identifies no person."""
    config.registry.setdefault(OWN_BEARER_ROUTES, set()).add(route_name)


def _owns_its_bearer(request) -> bool:
    route = request.matched_route
    return route is not None and route.name in request.registry.get(OWN_BEARER_ROUTES, ())


def refuse_out_of_scope_tokens(event) -> None:
    """BeforeTraversal subscriber: refuse, before any context or view, what a token may not do."""
    request = event.request
    refusal = token_scope_refusal(request)
    if refusal is not None:
        raise ApiError(request.localizer.translate(refusal), status=403)


def write_tokens_used(request, used: dict[int, dt.datetime]) -> None:
    """The ``tokens.used`` tally's flush: when each API token was last used (an account
    look-up: the flush binds no person)."""
    with account_lookup(request.dbsession) as session:
        write_by_id(session, ApiToken.__table__.c.last_used_at, used)


def identify(request) -> Identity | None:
    """Bearer token first (API clients, and only on the API), then the session cookie and its
    server-side record.

    The look-up is one of the reviewed account look-ups (row-level security lets it see every
    account's tokens and sessions); the person found is then bound to the request's transaction,
    which from there on sees only their own account rows."""
    identity = _look_up(request)
    if identity is not None:
        bind_person(request.dbsession, identity.user.id)
    return identity


def _look_up(request) -> Identity | None:
    # Most requests (the map's tiles, searches) come with neither a token nor a session: they
    # are no one's without opening the account look-up (on PostgreSQL, two bindings).
    if bearer(request):
        if not is_api_request(request):
            return None  # a token never identifies anyone outside the API
        secret = str(request.authorization.params or "")
        if not secret.startswith(API_TOKEN_PREFIX):
            return None
        with account_lookup(request.dbsession) as session:
            token = session.scalar(
                select(ApiToken).where(
                    ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None)
                )
            )
            if token is None or not token.user.is_active:
                return None
            # Noted, not written: the request may be a GET (``write_tokens_used`` writes it).
            request.registry["col.tallies"].note(TOKEN_USED, None, token.id, utcnow())
            return Identity(token.user, token)
    secret = request.session.get("sid")
    if not isinstance(secret, str):
        return None
    with account_lookup(request.dbsession):
        record = sessions.find(request, secret)
        if record is None or not record.user.is_active:
            return None
        return Identity(record.user, session=record)


def login(request, user: User, family: str | None = None) -> None:
    """Start a fresh session for ``user``: nothing of the anonymous session (or its CSRF token)
    survives, so a planted session cannot be promoted to a signed-in one.  ``family`` joins the
    session to the browser's sessions on the network's other sites (single sign-on)."""
    request.session.invalidate()
    bind_person(request.dbsession, user.id)
    request.session["sid"] = sessions.start(request, user, family)
    new_csrf_token(request)


def logout(request) -> None:
    """End this browser's session, on the server too: a copy of the cookie stops working; and
    with it the sessions single sign-on started from it (or it from them) on the network's
    other sites, so signing out on one site signs the browser out on every one."""
    identity = request.col_identity
    if identity is not None and identity.session is not None:
        sessions.end_family(request.dbsession, identity.session)
    elif isinstance(secret := request.session.get("sid"), str):
        sessions.end(request, secret)
    request.session.invalidate()
    new_csrf_token(request)


class Roles:
    """A person's roles in the request's tenant, computed once per request."""

    def __init__(self, request, user: User | None):
        self.request = request
        self.user = user

    @cached_property
    def memberships(self) -> dict[int, str]:
        """organisation id -> role, for this tenant's organisations only."""
        if self.user is None or self.request.tenant is None:
            return {}
        rows = self.request.dbsession.execute(
            select(Membership.organisation_id, Membership.role).where(
                Membership.user_id == self.user.id
            )
        )
        return dict(rows.all())

    @cached_property
    def is_city_admin(self) -> bool:
        if self.user is None:
            return False
        if self.user.is_platform_admin:
            return True
        tenant = self.request.tenant
        if tenant is None or tenant.is_global:
            return False
        return (
            self.request.dbsession.scalar(
                select(CityAdmin.id).where(CityAdmin.user_id == self.user.id)
            )
            is not None
        )

    def role_in(self, organisation) -> str | None:
        return self.memberships.get(organisation.id)


#: Hours an organisation the city has not verified waits after registering before it publishes,
#: where the city lets unverified organisations publish at all (a city may set
#: ``unverified_organisations_wait_hours``).  Signing in needs a confirmed e-mail address, but
#: a throwaway mailbox is cheap: the wait gives the city's staff time to look at a new
#: organisation before anything of it reaches the map.
UNVERIFIED_WAIT_HOURS = 24


def publishing_blocked(request, organisation):
    """Why the organisation may not publish now, as the message its organisers see, or None."""
    if organisation.is_suspended:
        return _("This organisation is suspended in this city, so it cannot publish.")
    if organisation.is_verified:
        return None
    tenant = request.tenant
    if not tenant.setting("unverified_organisations_can_publish", True):
        return _("Your organisation can publish once the city has verified it.")
    wait = dt.timedelta(
        hours=tenant.setting("unverified_organisations_wait_hours", UNVERIFIED_WAIT_HOURS)
    )
    # A row not yet written was registered just now.
    registered = _aware(organisation.created_at) if organisation.created_at else utcnow()
    remaining = registered + wait - utcnow()
    if remaining <= dt.timedelta(0):
        return None
    return _(
        "New organisations can publish ${wait} hours after they register, or as soon as "
        "the city verifies them. Yours can publish in ${left} hours; to be verified "
        "sooner, send the city a document from your organisation's page.",
        mapping={
            "wait": int(wait.total_seconds() // 3600),
            "left": math.ceil(remaining.total_seconds() / 3600),
        },
    )


def may_publish(request, organisation) -> bool:
    """Whether the organisation itself may publish now (see :func:`publishing_blocked`)."""
    return publishing_blocked(request, organisation) is None


class SecurityPolicy:
    """Pyramid 2 ``ISecurityPolicy``."""

    def identity(self, request) -> Identity | None:
        return request.col_identity

    def authenticated_userid(self, request):
        identity = request.col_identity
        return identity.user.id if identity else None

    def permits(self, request, context, permission):
        if token_scope_refusal(request) is not None:
            return Denied("outside the API token's scope")
        if permission == "view":
            return _unless_hidden(request, context, Allowed("public"))
        identity = request.col_identity
        if identity is None:
            return Denied("not signed in")
        user = identity.user
        if user.is_platform_admin:
            return Allowed("platform admin")
        roles: Roles = request.roles
        if permission == "learner":
            return _unless_hidden(request, context, Allowed("signed in"))
        if permission == "city.admin":
            return Allowed("city admin") if roles.is_city_admin else Denied("not a city admin")
        organisation = getattr(context, "organisation", None)
        if permission.startswith("org.") and organisation is not None:
            return self._organisation_permits(request, roles, organisation, permission)
        return Denied(f"{permission} not granted")

    def _organisation_permits(self, request, roles: Roles, organisation, permission):
        if permission == "org.verify":
            return Allowed("city admin") if roles.is_city_admin else Denied("not a city admin")
        role = roles.role_in(organisation)
        if role is None:
            return Denied("not a member")
        if permission == "org.member":
            return Allowed(role)
        if permission == "org.publish":
            return (
                Allowed(role)
                if may_publish(request, organisation)
                else Denied("organisation may not publish")
            )
        if permission in ("org.edit", "org.manage"):
            return Allowed(role) if role in ORG_EDITORS else Denied("needs owner or admin")
        return Denied(f"{permission} not granted")

    def remember(self, request, userid, **kw):
        return []  # the session cookie carries the identity; see login()

    def forget(self, request, **kw):
        return []
