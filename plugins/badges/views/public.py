"""Hosted Open Badges documents at their id URLs (OB 2.0 and 3.0), open to everyone.

These are not ``/api/v1`` endpoints: the specifications fix their URLs (each document's ``id``)
and their content negotiation (JSON-LD for verifiers, a page for people).
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from col_core.activities.icons import category_icon_paths
from col_core.activities.models import Activity
from col_core.storage import IFileStorage
from col_core.tenancy import get_city_row
from plugins.badges import artwork, evidence
from plugins.badges.interfaces import IBadgeIssuer, IEndorsements
from plugins.badges.models import BadgeClass, EvidenceSubmission, IssuerKey
from plugins.badges.ob import baking
from plugins.badges.urls import urls_for
from plugins.badges.views.common import (
    current_user,
    documents,
    get_assertion,
    get_badge_class,
    get_issuer,
    jsonld,
    text,
    wants_json,
)

PUBLIC = {"permission": "view", "request_method": "GET"}
DID_JSON = "application/did+ld+json"


@view_config(route_name="badges.issuer", **PUBLIC)
def issuer(request):
    found = get_issuer(request)
    if wants_json(request):
        return jsonld(documents(request).issuer(found))
    return _render("issuer.jinja2", request, **issuer_page(request, found))


def issuer_page(request, found, **extra) -> dict:
    """What the issuer's page shows (also after an endorsement form with errors)."""
    badges = request.dbsession.scalars(
        select(BadgeClass)
        .where(BadgeClass.issuer_id == found.id, BadgeClass.archived_at.is_(None))
        .order_by(BadgeClass.name)
    )
    return {"issuer": found, "badges": list(badges), **endorsement_values(request, found, extra)}


def endorsement_values(request, subject, extra: dict) -> dict:
    """The endorsements of ``subject`` and the forms the signed-in person may endorse it with.
    The city's own issuer is never endorsed (it has no form)."""
    service = request.find_service(IEndorsements)
    kind = "class" if isinstance(subject, BadgeClass) else "issuer"
    endorsable = kind == "class" or not subject.is_city
    return {
        "endorsements": service.of(subject),
        "endorsers": service.endorsers(subject) if endorsable else [],
        "endorse_subject": f"{kind}:{subject.id}",
        "endorse_errors": {},
        "endorse_comments": {},
        **extra,
    }


@view_config(route_name="badges.issuer_profile", **PUBLIC)
def issuer_profile(request):
    return jsonld(documents(request).profile(get_issuer(request)))


@view_config(route_name="badges.issuer_key", **PUBLIC)
def issuer_key(request):
    found = get_issuer(request)
    wanted = request.matchdict["key"]
    matching = (key for key in found.keys if str(key.id) == wanted)
    key = next(matching, None)
    if not isinstance(key, IssuerKey):
        raise HTTPNotFound()
    return jsonld(documents(request).key(found, key))


@view_config(route_name="badges.issuer_jwks", **PUBLIC)
def issuer_jwks(request):
    return jsonld(documents(request).jwks(get_issuer(request)), content_type="application/json")


@view_config(route_name="badges.revocations", **PUBLIC)
def revocations(request):
    return jsonld(documents(request).revocation_list(get_issuer(request)))


@view_config(route_name="badges.did_document", **PUBLIC)
def did_document(request):
    # Served whatever badges.did_issuers says now, so credentials made with it keep resolving.
    return jsonld(documents(request).did_document(get_issuer(request)), content_type=DID_JSON)


@view_config(route_name="badges.status_list", **PUBLIC)
@view_config(route_name="badges.did_status_list", **PUBLIC)
def status_list(request):
    did = request.matched_route.name == "badges.did_status_list"
    response = jsonld(
        documents(request).status_list(get_issuer(request), did=did),
        content_type="application/vc+ld+json",
    )
    response.cache_control = "no-cache"  # revocation must show at once
    return response


@view_config(route_name="badges.class", **PUBLIC)
def badge_class(request):
    badge = get_badge_class(request)
    if wants_json(request):
        return jsonld(documents(request).badge_class(badge))
    return _render("badge_class.jinja2", request, **badge_page(request, badge))


def badge_page(request, badge, **extra) -> dict:
    """What the badge class's page shows (also after an endorsement form with errors)."""
    urls = urls_for(request)
    return {
        "badge": badge,
        "image_url": urls.badge_image(badge.id),
        "preview_image": urls.badge_image_png(badge.id),
        "page_url": urls.badge_class(badge.id),
        **learner_status(request, badge),
        **endorsement_values(request, badge, extra),
    }


def learner_status(request, badge) -> dict:
    """What the signed-in learner holds of this badge and what they still miss (read only)."""
    user = current_user(request)
    if user is None:
        return {"held": None, "missing": [], "held_back": None, "improve": []}
    issuer = request.find_service(IBadgeIssuer)
    held = issuer.held(badge.id, user.email, user)
    return {
        "held": held,
        "missing": [] if held else issuer.missing_prerequisites(badge, user),
        "held_back": None if held else issuer.held_back(badge, user),
        "improve": [] if held else to_improve(request, badge, user),
    }


def to_improve(request, badge, user) -> list[tuple[int, str, str]]:
    """(task index, task, reviewer's comment) of each task whose latest evidence was sent back
    to improve."""
    if badge.earning != "evidence":
        return []
    latest: dict[int, EvidenceSubmission] = {}
    for submission in evidence.submissions(request.dbsession, badge, user):  # newest first
        latest.setdefault(submission.task, submission)
    found = []
    for task, submission in sorted(latest.items()):
        if submission.status != "improve" or not 0 <= task < len(badge.tasks):
            continue
        found.append((task, badge.tasks[task], _last_request(submission)))
    return found


def _last_request(submission) -> str:
    """The reviewer's latest comment asking to improve the evidence, or ""."""
    comments = [review.comment for review in submission.reviews if review.decision == "improve"]
    return comments[-1] if comments else ""


def badge_image_bytes(request, badge, kind: str | None = None) -> bytes:
    """The badge's image; ``kind`` "png"/"svg" asks for that format (generated if needed)."""
    if badge.image:
        data = request.find_service(IFileStorage).get(badge.image)
        is_png = data.startswith(b"\x89PNG")
        if kind is None or is_png == (kind == "png"):
            return data
    drawing = artwork.generated_png if kind == "png" else artwork.generated_svg
    category_paths = _category_paths(request, badge)
    return drawing(request.tenant, badge.name, badge.icon, category_paths)


def _category_paths(request, badge) -> tuple[str, ...]:
    """The line icon of the category of the badge's activity (the fallback icon without one)."""
    if badge.icon != artwork.CATEGORY:
        return ()
    activity = None
    if badge.subject_type == "activity" and badge.subject_id:
        activity = get_city_row(request.dbsession, Activity, badge.subject_id)
    return category_icon_paths(request.tenant, activity.category if activity else None)


@view_config(route_name="badges.class_image", **PUBLIC)
@view_config(route_name="badges.class_image_png", **PUBLIC)
def badge_image(request):
    kind = "png" if request.matched_route.name == "badges.class_image_png" else None
    data = badge_image_bytes(request, get_badge_class(request), kind)
    response = Response(
        body=data, content_type="image/png" if data.startswith(b"\x89PNG") else "image/svg+xml"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@view_config(route_name="badges.assertion", **PUBLIC)
def assertion(request):
    found = get_assertion(request)
    if not wants_json(request):
        # People get the share page (which also says whether the badge is revoked).
        return HTTPSeeOther(urls_for(request).share(found.uid))
    if found.is_revoked:
        return jsonld({"revoked": True, "revocationReason": found.revocation_reason}, 410)
    return jsonld(documents(request).assertion(found))


@view_config(route_name="badges.signed", **PUBLIC)
def signed(request):
    found = get_assertion(request)
    if found.is_revoked:
        return jsonld({"revoked": True, "revocationReason": found.revocation_reason}, 410)
    return text(documents(request).signed_assertion(found), "application/jose")


@view_config(route_name="badges.credential", **PUBLIC)
def credential(request):
    found = get_assertion(request)
    docs = documents(request)
    if (
        request.params.get("format") == "jwt"
        or request.accept.acceptable_offers(["application/vc+jwt"])
        and not request.accept.acceptable_offers(["application/ld+json"])
    ):
        return text(docs.vc_jwt(found), "application/vc+jwt")
    # Revoked credentials stay served: the status list is what says they are revoked.
    return jsonld(docs.signed_credential(found), content_type="application/vc+ld+json")


@view_config(route_name="badges.baked", **PUBLIC)
def baked(request):
    found = get_assertion(request)
    version, ext = int(request.matchdict["version"]), request.matchdict["ext"]
    if found.is_revoked:
        return jsonld({"revoked": True, "revocationReason": found.revocation_reason}, 410)
    docs = documents(request)
    value = docs.signed_assertion(found) if version == 2 else docs.signed_credential(found)
    image = badge_image_bytes(request, found.badge_class, ext)
    response = Response(
        body=baking.bake(image, value, version),
        content_type="image/png" if ext == "png" else "image/svg+xml",
    )
    response.content_disposition = f'attachment; filename="badge-{found.uid}-ob{version}.{ext}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _render(template: str, request, **values):
    return render_to_response(f"plugins.badges:templates/{template}", values, request=request)
