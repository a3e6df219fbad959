"""The context of every ``/organisations/{slug}...`` route: the organisation, in this city only.

Use ``factory=organisation_factory`` on your own routes under ``/organisations/{slug}/`` (the
activities feature does) and declare ``org.member``, ``org.publish``, ``org.edit`` or
``org.manage``; the security policy reads ``context.organisation``.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from col_core.organisations.models import Organisation


class OrganisationResource:
    def __init__(self, request, organisation: Organisation):
        self.request = request
        self.organisation = organisation


def organisation_factory(request) -> OrganisationResource:
    # The tenant filter makes another city's slug simply not exist here.
    organisation = request.dbsession.scalar(
        select(Organisation).where(Organisation.slug == request.matchdict.get("slug", ""))
    )
    if organisation is None:
        raise HTTPNotFound()
    if (
        organisation.is_suspended
        and not request.has_permission("org.member", OrganisationResource(request, organisation))
        and not request.roles.is_city_admin
    ):
        raise HTTPNotFound()
    return OrganisationResource(request, organisation)
