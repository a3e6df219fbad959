"""Route contexts: what the security policy checks organisers' permissions on.

The core's policy grants ``org.*`` permissions from the person's role in ``context.organisation``.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from col_core.organisations.models import Organisation
from plugins.badges.models import BadgeClass


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise HTTPNotFound() from None


class OrganisationResource:
    def __init__(self, request):
        self.organisation = request.dbsession.scalar(
            select(Organisation).where(Organisation.id == _int(request.matchdict.get("org")))
        )
        if self.organisation is None:
            raise HTTPNotFound()


class BadgeClassResource:
    def __init__(self, request):
        self.badge = request.dbsession.scalar(
            select(BadgeClass).where(BadgeClass.id == _int(request.matchdict.get("badge")))
        )
        if self.badge is None:
            raise HTTPNotFound()
        self.organisation = self.badge.issuer.organisation
