"""Helpers every badges view shares: loading rows, content negotiation, JSON-LD responses."""

from __future__ import annotations

import orjson
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from sqlalchemy import select

from col_core.tenancy.scoping import get_city_row
from plugins.badges.documents import Documents
from plugins.badges.interfaces import IIssuerKeys
from plugins.badges.models import Assertion, BadgeClass, Issuer
from plugins.badges.skills import skills_reader
from plugins.badges.urls import urls_for

JSON_TYPES = ("application/ld+json", "application/json")


def current_user(request):
    """The signed-in person, or None (``request.user`` comes from the core's security)."""
    return getattr(request, "user", None)


def documents(request) -> Documents:
    return Documents(
        urls_for(request),
        request.find_service(IIssuerKeys),
        request.dbsession,
        skills_reader(request),
    )


def wants_json(request) -> bool:
    """``.json`` suffix, or an Accept header preferring JSON(-LD) over HTML."""
    if request.matchdict.get("ext") == ".json":
        return True
    offers = request.accept.acceptable_offers(["text/html", *JSON_TYPES])
    return bool(offers) and offers[0][0] in JSON_TYPES


def jsonld(doc, status: int = 200, content_type: str = "application/ld+json") -> Response:
    response = Response(
        body=orjson.dumps(doc), status=status, content_type=content_type, charset="utf-8"
    )
    # Verifiers and backpacks fetch these from anywhere.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def text(body: str, content_type: str) -> Response:
    response = Response(body=body.encode(), content_type=content_type, charset="utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _int(request, name: str) -> int:
    try:
        return int(request.matchdict[name])
    except (KeyError, ValueError):
        raise HTTPNotFound() from None


def get_issuer(request) -> Issuer:
    issuer = get_city_row(request.dbsession, Issuer, _int(request, "issuer"))
    if issuer is None:
        raise HTTPNotFound()
    return issuer


def get_badge_class(request) -> BadgeClass:
    badge = request.dbsession.scalar(
        select(BadgeClass).where(BadgeClass.id == _int(request, "badge"))
    )
    if badge is None:
        raise HTTPNotFound()
    return badge


def get_assertion(request) -> Assertion:
    assertion = request.dbsession.scalar(
        select(Assertion).where(Assertion.uid == request.matchdict.get("uid", ""))
    )
    if assertion is None:
        raise HTTPNotFound()
    return assertion
