"""Organisations in a city: pages, members, invitations by email or QR link, verification.

Routes under ``/organisations/{slug}`` use :func:`resources.organisation_factory`, so views
declare ``org.*`` permissions against the organisation (docs/security.md).
"""

from __future__ import annotations

from col_core.organisations.interfaces import IOrganisationService
from col_core.organisations.resources import OrganisationResource, organisation_factory

__all__ = ["IOrganisationService", "OrganisationResource", "organisation_factory"]

# Fixed paths first: "new", "mine" and "switch" must never be read as slugs.
ROUTES = (
    ("organisations", "/organisations", None),
    ("organisation_new", "/organisations/new", None),
    ("organisations_mine", "/organisations/mine", None),
    ("organisation_switch", "/organisations/switch", None),
    ("admin_organisations", "/admin/organisations", None),
    ("invitation", "/invitations/{token}", None),
    ("organisation", "/organisations/{slug}", organisation_factory),
    ("organisation_edit", "/organisations/{slug}/edit", organisation_factory),
    ("organisation_members", "/organisations/{slug}/members", organisation_factory),
    ("organisation_invite", "/organisations/{slug}/invitations", organisation_factory),
    (
        "organisation_invitation_revoke",
        r"/organisations/{slug}/invitations/{id:\d+}/revoke",
        organisation_factory,
    ),
    (
        "organisation_member_remove",
        r"/organisations/{slug}/members/{id:\d+}/remove",
        organisation_factory,
    ),
    (
        "organisation_member_role",
        r"/organisations/{slug}/members/{id:\d+}/role",
        organisation_factory,
    ),
    ("organisation_verify", "/organisations/{slug}/verify", organisation_factory),
    ("organisation_suspend", "/organisations/{slug}/suspend", organisation_factory),
)


def includeme(config):
    from col_core.organisations.services import OrganisationService
    from col_core.organisations.views import current_organisation

    config.register_service_factory(OrganisationService, IOrganisationService)
    config.add_request_method(current_organisation, "current_organisation", reify=True)
    config.add_replica_routes(  # public pages, may be read from a replica
        "organisations", "organisation", "api.get.organisations", "api.get.organisations.{slug}"
    )
    for name, pattern, factory in ROUTES:
        config.add_route(name, pattern, factory=factory)
    config.scan("col_core.organisations.views")
    config.include("col_core.organisations.api")
