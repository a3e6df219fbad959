"""Claiming a badge with a code (from a QR code or a link), and accepting an emailed badge."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from plugins.badges import claims
from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.services import IssueError, _, verified_emails
from plugins.badges.urls import urls_for
from plugins.badges.views.common import current_user

TEMPLATE = "plugins.badges:templates/claim.jinja2"
ACCEPT = "plugins.badges:templates/accept.jinja2"


def _code(request):
    code = claims.find_code(request.dbsession, request.matchdict["code"])
    if code is None:
        raise HTTPNotFound("No badge can be claimed with this code.")
    return code


@view_config(route_name="badges.claim", request_method="GET", renderer=TEMPLATE, permission="view")
def claim_form(request):
    code = _code(request)
    user = current_user(request)
    return {
        "code": code,
        "badge": code.badge_class,
        "errors": {},
        "values": {"email": user.email if user else ""},
    }


# Open to everyone, but a signed-in person claims into their account: a city action.
@view_config(
    route_name="badges.claim",
    request_method="POST",
    renderer=TEMPLATE,
    permission="view",
    city_consent=True,
)
def claim(request):
    code = _code(request)
    user = current_user(request)
    # A signed-in learner claims into their account; anyone else names the address to use.
    email = user.email if user else request.POST.get("email", "").strip()
    try:
        assertion = claims.redeem(request, code, email, user)
    except IssueError as error:
        request.response.status = 400
        return {
            "code": code,
            "badge": code.badge_class,
            "values": {"email": email},
            "errors": {"email": request.localizer.translate(error.args[0])},
        }
    return HTTPSeeOther(urls_for(request).share(assertion.uid))


@view_config(route_name="badges.claim_qr", request_method="GET", permission="view")
def claim_qr(request):
    code = _code(request)
    return Response(
        body=claims.qr_svg(urls_for(request).claim(code.code)), content_type="image/svg+xml"
    )


def _emailed(request):
    assertion = request.find_service(IBadgeIssuer).emailed(request.matchdict["token"])
    if assertion is None:
        raise HTTPNotFound("This link has already been used or never existed.")
    return assertion


def _accept_page(request, assertion, error=None) -> dict:
    user = current_user(request)
    signup = (
        request.route_url("signup")
        if request.registry.introspector.get("routes", "signup")
        else None
    )
    return {
        "assertion": assertion,
        "signup_url": signup,
        "error": error,
        "signin_url": request.route_url("signin", _query={"next": request.site_path}),
        "owner": assertion.recipient_email in verified_emails(user),
    }


@view_config(route_name="badges.accept", request_method="GET", renderer=ACCEPT, permission="view")
def accept_form(request):
    """The emailed link only shows what it is for: a GET must never move badges (mail
    scanners prefetch links, and whoever is signed in is not necessarily the recipient)."""
    return _accept_page(request, _emailed(request))


@view_config(
    route_name="badges.accept", request_method="POST", renderer=ACCEPT, permission="learner"
)
def accept(request):
    assertion = _emailed(request)
    try:
        request.find_service(IBadgeIssuer).accept(assertion, current_user(request))
    except IssueError as error:
        request.response.status = 403
        return _accept_page(request, assertion, request.localizer.translate(error.args[0]))
    request.session.flash(request.localizer.translate(_("The badges are in your wallet now.")))
    return HTTPSeeOther(request.route_url("badges.wallet"))
