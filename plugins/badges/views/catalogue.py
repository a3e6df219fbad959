"""The city's badge catalogue: every badge people can earn, filtered by skill, organisation and
how it is earned, a page at a time."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from plugins.badges.interfaces import IBadgeCatalogue, IEndorsements
from plugins.badges.services import _
from plugins.badges.services.catalogue import EARNED_LABELS, CatalogueError


@view_config(
    route_name="badges.catalogue",
    renderer="plugins.badges:templates/catalogue.jinja2",
    permission="view",
    request_method="GET",
)
def catalogue(request):
    if request.tenant.is_global:
        raise HTTPNotFound()
    service = request.find_service(IBadgeCatalogue)
    values = {
        "earned_labels": EARNED_LABELS,
        "params": request.params,
        "errors": {},
        "endorsed": {},
    }
    try:
        filters = service.parse(request.params)
        found = service.search(filters)
    except CatalogueError as error:
        # Bad filters are answered with the form again, saying what to change.
        request.response.status = 400
        return {**values, "errors": error.fields, "found": None, "filters": None}
    if found.page > found.pages:
        raise HTTPNotFound(
            request.localizer.translate(
                _("There are only ${pages} pages of badges.", mapping={"pages": found.pages})
            )
        )
    endorsed = request.find_service(IEndorsements).endorsers_of_badges(
        badge.id for badge, _ways in found.badges
    )
    return {**values, "found": found, "filters": filters, "endorsed": endorsed}
