"""A badge's public share page, and the learner's wallet across every city."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from sqlalchemy import select

from col_core.tenancy.scoping import cross_tenant
from col_core.tenancy.models import Tenant
from plugins.badges.documents import Documents
from plugins.badges.interfaces import IIssuerKeys
from plugins.badges.models import Assertion
from plugins.badges.urls import urls_for
from plugins.badges.views.common import current_user, get_assertion, jsonld


def share_context(request, assertion: Assertion) -> dict:
    urls = urls_for(request)
    if assertion.is_revoked:
        status = "revoked"
    elif assertion.is_expired:
        status = "expired"
    else:
        status = "valid"
    return {
        "assertion": assertion, "badge": assertion.badge_class, "status": status,
        "issuer": assertion.issuer.organisation, "urls": urls,
        "image_url": urls.badge_image(assertion.badge_class_id),
        "downloads": [
            ("PNG (Open Badges 2.0)", urls.baked(assertion.uid, 2, "png")),
            ("SVG (Open Badges 2.0)", urls.baked(assertion.uid, 2, "svg")),
            ("PNG (Open Badges 3.0)", urls.baked(assertion.uid, 3, "png")),
            ("SVG (Open Badges 3.0)", urls.baked(assertion.uid, 3, "svg")),
            ("JSON (Open Badges 2.0)", urls.assertion(assertion.uid) + ".json"),
            ("Credential (Open Badges 3.0)", urls.credential(assertion.uid)),
        ],
    }


@view_config(route_name="badges.share", renderer="plugins.badges:templates/share.jinja2",
             permission=NO_PERMISSION_REQUIRED, request_method="GET")
def share(request):
    assertion = get_assertion(request)
    user = current_user(request)
    if assertion.visibility == "private" and (user is None or user.id != assertion.user_id):
        raise HTTPNotFound()
    if assertion.is_revoked:
        request.response.status = 410
    return share_context(request, assertion)


def _own_assertions(request, user) -> list[Assertion]:
    # Accounts are platform-wide, so a wallet spans every city; the owner's own rows only.
    with cross_tenant(request.dbsession):
        return list(request.dbsession.scalars(
            select(Assertion).where(Assertion.user_id == user.id)
            .order_by(Assertion.issued_on.desc())))


@view_config(route_name="badges.wallet", renderer="plugins.badges:templates/wallet.jinja2",
             permission="badges.wallet", request_method="GET")
def wallet(request):
    user = current_user(request)
    if user is None:
        raise HTTPForbidden()
    return {"assertions": _own_assertions(request, user)}


@view_config(route_name="badges.wallet_export", permission="badges.wallet",
             request_method="GET")
def wallet_export(request):
    user = current_user(request)
    if user is None:
        raise HTTPForbidden()
    exported = []
    with cross_tenant(request.dbsession):
        for assertion in _own_assertions(request, user):
            tenant = request.dbsession.get(Tenant, assertion.tenant_id)
            docs = Documents(urls_for(request, tenant), request.find_service(IIssuerKeys),
                             request.dbsession)
            exported.append({"assertion": docs.assertion(assertion),
                             "credential": docs.signed_credential(assertion),
                             "share": docs.urls.share(assertion.uid)})
    response = jsonld({"badges": exported}, content_type="application/json")
    response.content_disposition = 'attachment; filename="badges.json"'
    return response
