"""Single sign-on between the network's sites: the redirect handshake (docs/security.md).

A site without a session for the browser (the *client*) sends it to a site that may have one
(the *source*, usually the global site, the network's identity hub) and back:

1. ``GET <client>/sso/start?next=…`` keeps a random ``state`` in the client's session and
   redirects to ``<source>/sso/authorize?return_to=<client>&state=…``;
2. the source, if the browser is signed in there, issues a ticket for the client and that
   state and redirects to ``<client>/sso/callback?ticket=…&state=…``; if not, to the callback
   with ``error=login_required``;
3. the callback checks the state against its session, redeems the ticket, signs the browser in
   and goes on to ``next`` (without a ticket: to the sign-in form).

These three are the only GET requests here that write (the state, the ticket, the session).
Nothing runs the handshake on its own: a city's "Sign in" link starts it, and a sign-in with a
password on a city runs it once the other way (``source`` = the city) to sign in at the hub.
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import urlencode

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from col_core.i18n import _
from col_core.security.forms import safe_next
from col_core.security.interfaces import ISingleSignOn
from col_core.security.policy import login
from col_core.security.tokens import new_secret
from col_core.tenancy.hosts import addresses, tenant_url
from col_core.web.headers import FORM_TARGETS

MESSAGE = "col_core.security:templates/message.jinja2"
PENDING = "sso"  # the session key of the handshake a client started
_STATE = re.compile(r"[A-Za-z0-9_-]{32,128}")


def refused(request, message, status: int = 400):
    response = render_to_response(
        MESSAGE,
        {"title": _("Signing in did not work"), "message": message},
        request=request,
    )
    response.status = status
    return response


def landing(request, target: str | None) -> str:
    """Where to go at the end: a path on this site, or an address of a site of the network
    (:meth:`ISingleSignOn.site_of`); anything else is this site's home page."""
    if target and not target.startswith("/"):
        if request.find_service(ISingleSignOn).site_of(target) is not None:
            return target
    return safe_next(request, target)


def _to_signin(request, target: str) -> HTTPSeeOther:
    here = request.application_url
    path = target[len(here) :] if target.startswith(here + "/") else ""
    return HTTPSeeOther(request.route_url("signin", _query={"next": path} if path else {}))


def redirect(base: str, **params: str) -> HTTPSeeOther:
    return HTTPSeeOther(f"{base}?{urlencode(params)}")


def handshake(request, source, target: str, passive: bool) -> HTTPSeeOther:
    """Start a handshake with ``source``: its state is kept in this browser's session here."""
    state = new_secret()
    request.session[PENDING] = {"state": state, "next": target, "passive": passive}
    here = tenant_url(request, request.tenant)
    return redirect(f"{tenant_url(request, source)}sso/authorize", return_to=here, state=state)


def signed_in_everywhere(request, target: str) -> HTTPSeeOther:
    """After a sign-in with a password here, sign the browser in at the hub too (a passive
    handshake the hub starts with this site as its source), then go on to ``target``."""
    sso = request.find_service(ISingleSignOn)
    hub = sso.hub()
    if hub is None or sso.shares_cookies(hub):
        return HTTPSeeOther(target)
    here = tenant_url(request, request.tenant)
    return redirect(f"{tenant_url(request, hub)}sso/start", source=here, next=target)


def forms_may_go_to_hub(request) -> None:
    """Let this page's forms lead on to the hub: the sign-in form's answer does
    (:func:`signed_in_everywhere`), and browsers hold each redirect to ``form-action``."""
    sso = request.find_service(ISingleSignOn)
    hub = sso.hub()
    if hub is None or sso.shares_cookies(hub):
        return
    origin = addresses(request.registry).origin(hub)
    hub_origin = f"{origin.scheme}://{origin.netloc}"
    request.environ[FORM_TARGETS] = [hub_origin]


@view_config(route_name="sso_start", request_method="GET", permission="view")
def start(request):
    sso = request.find_service(ISingleSignOn)
    target = landing(request, request.params.get("next"))
    named = request.params.get("source")
    # Named: pulling the session a sign-in has just made there; no form either way.
    passive = bool(named)
    source = sso.site_of(named) if passive else sso.hub()
    if passive and source is None:
        return refused(request, _("The site to sign in from is not a site of this network."))
    if source is None or sso.shares_cookies(source):
        return _without_handshake(request, target, passive)
    if request.user is not None and not passive:
        return HTTPSeeOther(target)
    return handshake(request, source, target, passive)


def _without_handshake(request, target: str, passive: bool) -> HTTPSeeOther:
    """The source shares this site's cookies (or there is none): nothing to pull from it."""
    if passive or request.user is not None:
        return HTTPSeeOther(target)
    return _to_signin(request, target)


@view_config(route_name="sso_authorize", request_method="GET", permission="view")
def authorize(request):
    sso = request.find_service(ISingleSignOn)
    state = request.params.get("state", "")
    return_to = request.params.get("return_to", "")
    if not _STATE.fullmatch(state):
        return refused(request, _("The sign-in request is incomplete. Start again from the site."))
    if return_to.startswith("/") and not return_to.startswith("//"):
        return HTTPSeeOther(safe_next(request, return_to))  # this very site: nothing to hand on
    audience = sso.site_of(return_to)
    if audience is None:
        return refused(request, _("Signing in can only continue on a site of this network."))
    callback = f"{tenant_url(request, audience)}sso/callback"
    identity = request.col_identity
    if identity is None or identity.session is None:
        return redirect(callback, state=state, error="login_required")
    session = identity.session
    if not session.family:
        session.family = new_secret()  # a session older than families starts one now
    ticket = sso.issue(identity.user, audience, state, session.family)
    return redirect(callback, ticket=ticket, state=state)


@view_config(route_name="sso_callback", request_method="GET", permission="view")
def callback(request):
    pending = request.session.get(PENDING)
    state = request.params.get("state", "")
    if not isinstance(pending, dict) or not hmac.compare_digest(
        str(pending.get("state", "")).encode(), state.encode(errors="replace")
    ):
        return refused(
            request,
            _("This sign-in was not started in this browser. Sign in again from the site."),
        )
    del request.session[PENDING]  # one answer per handshake
    target = str(pending.get("next", ""))
    if request.params.get("error") == "login_required":
        return HTTPSeeOther(target) if pending.get("passive") else _to_signin(request, target)
    redeemed = request.find_service(ISingleSignOn).redeem(request.params.get("ticket", ""), state)
    if redeemed is None:
        return refused(
            request, _("This sign-in has expired or was already used. Sign in again from the site.")
        )
    user, family = redeemed
    login(request, user, family)
    return HTTPSeeOther(target)
