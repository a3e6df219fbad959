"""Claiming a badge with a code (from a QR code or a link), and accepting an emailed badge."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from plugins.badges import claims
from plugins.badges.models import Assertion
from plugins.badges.services import IssueError
from plugins.badges.urls import urls_for
from plugins.badges.views.common import current_user

TEMPLATE = "plugins.badges:templates/claim.jinja2"


def _code(request):
    code = claims.find_code(request.dbsession, request.matchdict["code"])
    if code is None:
        raise HTTPNotFound("No badge can be claimed with this code.")
    return code


@view_config(route_name="badges.claim", request_method="GET", renderer=TEMPLATE,
             permission="view")
def claim_form(request):
    code = _code(request)
    user = current_user(request)
    return {"code": code, "badge": code.badge_class, "errors": {},
            "values": {"email": user.email if user else ""}}


# Open to everyone, but a signed-in person claims into their account: a city action.
@view_config(route_name="badges.claim", request_method="POST", renderer=TEMPLATE,
             permission="view", city_consent=True)
def claim(request):
    code = _code(request)
    user = current_user(request)
    # A signed-in learner claims into their account; anyone else names the address to use.
    email = user.email if user else request.POST.get("email", "").strip()
    try:
        assertion = claims.redeem(request, code, email, user)
    except IssueError as error:
        request.response.status = 400
        return {"code": code, "badge": code.badge_class, "values": {"email": email},
                "errors": {"email": request.localizer.translate(error.args[0])}}
    return HTTPSeeOther(urls_for(request).share(assertion.uid))


@view_config(route_name="badges.claim_qr", request_method="GET", permission="view")
def claim_qr(request):
    code = _code(request)
    return Response(body=claims.qr_svg(urls_for(request).claim(code.code)),
                    content_type="image/svg+xml")


@view_config(route_name="badges.accept", request_method="GET",
             renderer="plugins.badges:templates/accept.jinja2", permission="view")
def accept(request):
    """The emailed link: it proves the address, so the badge joins the signed-in account."""
    assertion = request.dbsession.scalar(
        select(Assertion).where(Assertion.accept_token == request.matchdict["token"]))
    if assertion is None:
        raise HTTPNotFound("This link has already been used or never existed.")
    user = current_user(request)
    if user is None:
        signup = request.route_url("signup") if request.registry.introspector.get(
            "routes", "signup") else None
        return {"assertion": assertion, "signup_url": signup}
    for held in request.dbsession.scalars(select(Assertion).where(
            Assertion.recipient_email == assertion.recipient_email,
            Assertion.user_id.is_(None))):
        held.user_id, held.accept_token = user.id, None
    return HTTPSeeOther(request.route_url("badges.wallet"))
