"""Endorsements: the forms that endorse and withdraw, and the hosted documents.

Who may endorse is decided by the route's context, once: ``org.manage`` on the organisation in
the URL (its owners and admins), ``city.admin`` for the city.  The subject (a badge class or
an issuer of this city) comes from the form.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.i18n import TranslationStringFactory
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import select

from plugins.badges.interfaces import IEndorsements
from plugins.badges.models import BadgeClass, Endorsement
from plugins.badges.services.endorsements import EndorsementError
from plugins.badges.views.common import documents, get_issuer, jsonld, text, wants_json
from plugins.badges.views.public import PUBLIC, badge_page, issuer_page

_ = TranslationStringFactory("col_badges")
T = "plugins.badges:templates/"
FORM = {"request_method": "POST"}


def _endorser(request):
    """The organisation of the route's context, or None when acting as the city."""
    return getattr(request.context, "organisation", None)


def _endorser_key(endorser) -> str:
    return "city" if endorser is None else str(endorser.id)


def _subject(request):
    kind, _sep, number = request.POST.get("subject", "").partition(":")
    if not number.isdigit():
        message = _(
            "This form does not say what to endorse. Open the page of the badge or issuer "
            "and endorse it from there."
        )
        raise HTTPBadRequest(request.localizer.translate(message))
    subject = request.find_service(IEndorsements).subject(kind, int(number))
    if subject is None:
        raise HTTPNotFound()
    return subject


def _subject_url(request, subject) -> str:
    if isinstance(subject, BadgeClass):
        return request.route_url("badges.class", badge=subject.id, ext="")
    return request.route_url("badges.issuer", issuer=subject.id, ext="")


def _page_with(request, subject, **extra):
    """The subject's page again, with the form's error: a 400 the person can act on."""
    if isinstance(subject, BadgeClass):
        template, values = "badge_class.jinja2", badge_page(request, subject, **extra)
    else:
        template, values = "issuer.jinja2", issuer_page(request, subject, **extra)
    response = render_to_response(T + template, values, request=request)
    response.status = 400
    return response


@view_config(route_name="badges.endorse_org", permission="org.manage", **FORM)
@view_config(route_name="badges.endorse_city", permission="city.admin", **FORM)
def endorse(request):
    subject = _subject(request)
    endorser = _endorser(request)
    comment = request.POST.get("comment", "")
    try:
        request.find_service(IEndorsements).endorse(endorser, subject, comment)
    except EndorsementError as error:
        key = _endorser_key(endorser)
        message = request.localizer.translate(error.args[0])
        return _page_with(
            request, subject, endorse_errors={key: message}, endorse_comments={key: comment}
        )
    return HTTPSeeOther(_subject_url(request, subject) + "#endorsements")


@view_config(route_name="badges.withdraw_org", permission="org.manage", **FORM)
@view_config(route_name="badges.withdraw_city", permission="city.admin", **FORM)
def withdraw(request):
    endorsement = request.find_service(IEndorsements).withdraw(
        _endorser(request), int(request.matchdict["endorsement"])
    )
    if endorsement is None:
        raise HTTPNotFound()
    subject = endorsement.badge_class or endorsement.subject_issuer
    return HTTPSeeOther(_subject_url(request, subject) + "#endorsements")


def get_endorsement(request) -> Endorsement:
    found = request.dbsession.scalar(
        select(Endorsement).where(Endorsement.id == int(request.matchdict["endorsement"]))
    )
    if found is None:
        raise HTTPNotFound()
    return found


@view_config(route_name="badges.endorsement", **PUBLIC)
def endorsement(request):
    found = get_endorsement(request)
    if not wants_json(request):
        # People get the page of what was endorsed, which lists its endorsements.
        return HTTPSeeOther(_subject_url(request, found.badge_class or found.subject_issuer))
    if found.is_withdrawn:
        return jsonld({"revoked": True, "revocationReason": "withdrawn by the endorser"}, 410)
    return jsonld(documents(request).endorsement(found))


@view_config(route_name="badges.endorsement_credential", **PUBLIC)
def endorsement_credential(request):
    found = get_endorsement(request)
    docs = documents(request)
    if request.params.get("format") == "jwt":
        return text(docs.endorsement_jwt(found), "application/vc+jwt")
    # A withdrawn one stays served: its status list says it is withdrawn.
    return jsonld(docs.signed_endorsement(found), content_type="application/vc+ld+json")


@view_config(route_name="badges.endorsement_status", **PUBLIC)
@view_config(route_name="badges.did_endorsement_status", **PUBLIC)
def endorsement_status(request):
    did = request.matched_route.name == "badges.did_endorsement_status"
    response = jsonld(
        documents(request).endorsement_status_list(get_issuer(request), did=did),
        content_type="application/vc+ld+json",
    )
    response.cache_control = "no-cache"  # a withdrawal must show at once
    return response
