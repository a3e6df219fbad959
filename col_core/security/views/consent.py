"""Consent per city: accounts are platform-wide, but each city (and the platform's own site) has
its own terms of use and privacy notice.  A signed-in person must accept them before doing
anything in that city; reading stays open.

The check is central (:func:`consent_gate`, a view deriver): every unsafe request to a view
that needs a signed-in person is held back until the person has accepted the request's tenant's
documents at its current ``legal_version``.  Views that must work without consent (sign-out,
this page, account deletion, data export, account settings) say ``city_consent=False``; views
open to everyone that still act for a signed-in person (claiming a badge into one's account)
say ``city_consent=True``.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import select

from col_core.api.errors import ApiError, is_api_request
from col_core.cityadmin.texts import legal_text
from col_core.i18n import _
from col_core.security import validation as v
from col_core.security.forms import invalid, safe_next
from col_core.security.interfaces import IAccountService
from col_core.security.models import Consent
from col_core.security.policy import SAFE_METHODS
from col_core.security.views import T
from col_core.tenancy.launch import LEGAL_PAGES
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant

# Views open to everyone (signing in, switching language...) are no city action of an account.
OPEN_PERMISSIONS = (None, "view", NO_PERMISSION_REQUIRED)


def consent_gate(view, info):
    """View deriver: unsafe requests by a signed-in person who has not accepted this tenant's
    terms and privacy notice go to the consent page (API: a 403 naming it) instead of the view."""
    wanted = info.options.get("city_consent")
    if (
        info.exception_only
        or wanted is False
        or (wanted is None and info.options.get("permission") in OPEN_PERMISSIONS)
    ):
        return view

    def gated_view(context, request):
        if (
            request.method not in SAFE_METHODS
            and request.user is not None
            and request.find_service(IAccountService).missing_consents(request.user)
        ):
            return consent_needed(request)
        return view(context, request)

    return gated_view


# Pyramid reads the view options a deriver accepts from this function attribute.
consent_gate.options = ("city_consent",)  # type: ignore[attr-defined]


def _came_from(request) -> str:
    """The local page the person acted from (the action itself may be a POST-only address)."""
    referer = request.referer or ""
    if referer.startswith(request.application_url + "/"):
        return referer[len(request.application_url) :]
    return "/"


def consent_needed(request):
    url = request.route_url("consent")
    if is_api_request(request):
        raise ApiError(
            request.localizer.translate(
                _(
                    "Before you can do this, accept the terms of ${city} at ${url}.",
                    mapping={"city": request.tenant.display_name(request.locale_name), "url": url},
                )
            ),
            status=403,
        )
    return HTTPSeeOther(request.route_url("consent", _query={"next": _came_from(request)}))


def consents_of(session, user) -> list[tuple[Tenant, Consent]]:
    """Every consent the person gave, with its city (an account spans cities)."""
    with cross_tenant(session):
        return session.execute(
            select(Tenant, Consent)
            .join(Consent, Consent.tenant_id == Tenant.id)
            .where(Consent.user_id == user.id)
            .order_by(Tenant.name, Consent.created_at, Consent.id)
        ).all()


def _state(request) -> dict:
    """What the page offers: links to the published texts, and whether age rules stand in the
    way (the same rules as signing up in this city, GDPR Art. 8)."""
    user = request.user
    too_young, needs_guardian = request.find_service(IAccountService).needs_guardian(
        user.birth_date
    )
    pages = [
        page
        for page in LEGAL_PAGES
        if legal_text(request.tenant, page, request.locale_name) is not None
    ]
    return {
        "city": request.tenant.display_name(request.locale_name),
        "pages": pages,
        "too_young": too_young,
        "needs_guardian": needs_guardian and user.guardian_consent_at is None,
        "guardian_asked": bool(user.guardian_email) and user.guardian_consent_at is None,
    }


@view_config(
    route_name="consent",
    request_method="GET",
    renderer=T + "consent.jinja2",
    permission="learner",
    city_consent=False,
)
def consent_form(request):
    next_url = request.params.get("next", "")
    if not request.find_service(IAccountService).missing_consents(request.user):
        return HTTPSeeOther(safe_next(request, next_url))
    return {"values": {}, "errors": {}, "next": next_url, **_state(request)}


@view_config(
    route_name="consent",
    request_method="POST",
    renderer=T + "consent.jinja2",
    permission="learner",
    city_consent=False,
)
def consent(request):
    accounts = request.find_service(IAccountService)
    state, next_url = _state(request), request.POST.get("next", "")
    if state["too_young"]:
        raise HTTPForbidden(_("You are too young to join in this city."))
    rules = {"accept_terms": v.must_accept, "accept_privacy": v.must_accept}
    if state["needs_guardian"]:
        rules["guardian_email"] = v.email()
    values, errors = v.validate(request.POST, rules)
    if values.get("guardian_email", "").lower() == request.user.email.lower():
        errors["guardian_email"] = _("Enter your parent's or guardian's own address.")
    if errors:
        return invalid(
            request,
            {"guardian_email": request.POST.get("guardian_email", "")},
            errors,
            next=next_url,
            **state,
        )
    if state["needs_guardian"]:
        # As at sign-up: nothing is accepted until a parent or guardian consents by email.
        request.user.guardian_email = values["guardian_email"]
        accounts.send_guardian_request(request.user)
        request.session.flash(
            request.localizer.translate(
                _(
                    "We asked your parent or guardian for consent by email. You can join in here "
                    "once they have given it."
                )
            )
        )
        return HTTPSeeOther(safe_next(request, next_url))
    accounts.record_consents(request.user)
    request.session.flash(
        request.localizer.translate(
            _("Thank you. You can now take part in ${city}.", mapping={"city": state["city"]})
        )
    )
    return HTTPSeeOther(safe_next(request, next_url))
