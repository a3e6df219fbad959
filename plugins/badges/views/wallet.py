"""A badge's public share page, and the learner's wallet across every city."""

from __future__ import annotations

from pyramid.httpexceptions import (
    HTTPBadRequest,
    HTTPForbidden,
    HTTPGone,
    HTTPNotFound,
    HTTPSeeOther,
)
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant
from plugins.badges.documents import Documents
from plugins.badges.interfaces import IEndorsements, IIssuerKeys, ILearnerRecord
from plugins.badges.models import VISIBILITIES, Assertion, ImportedBadge
from plugins.badges.services import _
from plugins.badges.sharing import linkedin_url, recipient_name
from plugins.badges.urls import BadgeUrls, urls_for
from plugins.badges.views.common import current_user, jsonld


def share_context(request, assertion: Assertion) -> dict:
    urls = urls_for(request)
    if assertion.is_revoked:
        status = "revoked"
    elif assertion.is_expired:
        status = "expired"
    else:
        status = "valid"
    badge, issuer = assertion.badge_class, assertion.issuer
    endorsements = request.find_service(IEndorsements)
    return {
        "assertion": assertion,
        "badge": badge,
        "status": status,
        "issuer": issuer,
        "urls": urls,
        "image_url": urls.badge_image(assertion.badge_class_id),
        "preview_image": urls.badge_image_png(assertion.badge_class_id),
        "recipient_name": recipient_name(assertion),
        "endorsements": endorsements.of(badge) + endorsements.of(issuer),
        "linkedin_url": linkedin_url(
            badge.name,
            issuer.name,
            assertion.issued_on,
            urls.share(assertion.uid),
            assertion.uid,
            assertion.expires_at,
        ),
        "downloads": [
            ("PNG (Open Badges 2.0)", urls.baked(assertion.uid, 2, "png")),
            ("SVG (Open Badges 2.0)", urls.baked(assertion.uid, 2, "svg")),
            ("PNG (Open Badges 3.0)", urls.baked(assertion.uid, 3, "png")),
            ("SVG (Open Badges 3.0)", urls.baked(assertion.uid, 3, "svg")),
            ("JSON (Open Badges 2.0)", urls.assertion(assertion.uid) + ".json"),
            (
                request.localizer.translate(_("Credential (Open Badges 3.0)")),
                urls.credential(assertion.uid),
            ),
        ],
    }


@view_config(
    route_name="badges.share",
    renderer="plugins.badges:templates/share.jinja2",
    permission="view",
    request_method="GET",
)
def share(context, request):
    assertion = context.assertion
    user = current_user(request)
    own = user is not None and user.id == assertion.user_id
    if assertion.is_revoked:
        request.response.status = 410
    return {**share_context(request, assertion), "own": own, "visibilities": VISIBILITIES}


@view_config(route_name="badges.share", request_method="POST", permission="learner")
def set_visibility(context, request):
    assertion = context.assertion
    user = current_user(request)
    if user is None or user.id != assertion.user_id:
        raise HTTPForbidden()
    visibility = request.POST.get("visibility")
    if visibility not in VISIBILITIES:
        raise HTTPBadRequest("Choose public, link only or private.")
    assertion.visibility = visibility
    # An unticked checkbox sends nothing: the name is shown only when asked for.
    assertion.show_name = request.POST.get("show_name") == "1"
    return HTTPSeeOther(request.route_url("badges.share", uid=assertion.uid))


def own_assertions(request, user) -> list[tuple[Assertion, BadgeUrls]]:
    """The person's badges in every city, each with its city's URLs (owner's rows only)."""
    # Accounts are platform-wide, so a wallet spans every city: a deliberate cross-tenant read.
    with cross_tenant(request.dbsession):
        rows = list(
            request.dbsession.scalars(
                select(Assertion)
                .where(Assertion.user_id == user.id)
                .order_by(Assertion.issued_on.desc())
            )
        )
        tenants = {
            t.id: t
            for t in request.dbsession.scalars(
                select(Tenant).where(Tenant.id.in_({a.tenant_id for a in rows}))
            )
        }
        for assertion in rows:  # load what the page shows while filtering is lifted
            assertion.badge_class.name, assertion.issuer.name  # noqa: B018
    return [(a, urls_for(request, tenants[a.tenant_id])) for a in rows]


@view_config(
    route_name="badges.wallet",
    renderer="plugins.badges:templates/wallet.jinja2",
    permission="learner",
    request_method="GET",
)
def wallet(request):
    user = current_user(request)
    imported = request.dbsession.scalars(
        select(ImportedBadge)
        .where(ImportedBadge.user_id == user.id)
        .order_by(ImportedBadge.id.desc())
    )
    links = request.find_service(ILearnerRecord).links(user)
    return {"badges": own_assertions(request, user), "imported": list(imported), "links": links}


@view_config(route_name="badges.wallet_export", permission="learner", request_method="GET")
def wallet_export(request):
    """Every badge of the person as OB 2.0 assertion and signed OB 3.0 credential."""
    user = current_user(request)
    exported = []
    keyring = request.find_service(IIssuerKeys)
    with cross_tenant(request.dbsession):
        for assertion, urls in own_assertions(request, user):
            docs = Documents(urls, keyring, request.dbsession)
            exported.append(
                {
                    "assertion": docs.assertion(assertion),
                    "credential": docs.signed_credential(assertion),
                    "share": urls.share(assertion.uid),
                }
            )
    response = jsonld({"badges": exported}, content_type="application/json")
    response.content_disposition = 'attachment; filename="badges.json"'
    return response


def _record_response(record: dict | str, filename: str | None = None):
    """A record as JSON-LD (Data Integrity) or as a VC-JWT (``application/vc+jwt``)."""
    if isinstance(record, str):
        response = Response(record, content_type="application/vc+jwt", charset="utf-8")
    else:
        response = jsonld(record, content_type="application/json")
    if filename:
        extension = "jwt" if isinstance(record, str) else "json"
        response.content_disposition = f'attachment; filename="{filename}.{extension}"'
    return response


def _form(request) -> str:
    return "jwt" if request.matched_route.name.endswith("_jwt") else "ldp"


@view_config(route_name="badges.wallet_clr", permission="learner", request_method="GET")
@view_config(route_name="badges.wallet_clr_jwt", permission="learner", request_method="GET")
def wallet_clr(request):
    """The person's valid badges from every city as one signed CLR 2.0 credential."""
    record = request.find_service(ILearnerRecord).export(current_user(request), _form(request))
    if record is None:
        raise HTTPNotFound(
            request.localizer.translate(
                _("You have no valid badges yet, so there is no learner record to export.")
            )
        )
    return _record_response(record, "learner-record-clr")


@view_config(route_name="badges.record_links", permission="learner", request_method="POST")
def create_record_link(request):
    """A new public link to the person's learner record (POST, CSRF-checked)."""
    request.find_service(ILearnerRecord).create_link(current_user(request))
    return HTTPSeeOther(request.route_url("badges.wallet") + "#record-links")


@view_config(route_name="badges.record_link_revoke", permission="learner", request_method="POST")
def revoke_record_link(request):
    link_id = int(request.matchdict["link"])
    if not request.find_service(ILearnerRecord).revoke_link(current_user(request), link_id):
        raise HTTPNotFound(
            request.localizer.translate(_("You have no such link, or it is revoked already."))
        )
    return HTTPSeeOther(request.route_url("badges.wallet") + "#record-links")


@view_config(route_name="badges.record", permission="view", request_method="GET")
@view_config(route_name="badges.record_jwt", permission="view", request_method="GET")
def shared_record(request):
    """Anyone with the link gets the record as it is now (revoked badges drop out)."""
    token = request.matchdict["token"]
    status, record = request.find_service(ILearnerRecord).shared(token, _form(request))
    translate = request.localizer.translate
    if status == "unknown":
        raise HTTPNotFound(translate(_("There is no learner record here.")))
    if record is None:
        raise HTTPGone(translate(_("This learner record is no longer shared.")))
    return _record_response(record)
