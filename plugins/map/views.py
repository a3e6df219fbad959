"""The map page (a map and its list, sharing filters), "surprise me" and the iCalendar feed."""

from __future__ import annotations

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.i18n import TranslationStringFactory
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from col_core.activities.ical import activities_to_ical
from col_core.activities.labels import ACCESSIBILITY
from col_core.activities.models import Activity
from col_core.activities.schemas.fields import category_names
from col_core.activities.search import ISearchService
from col_core.activities.search.query import QueryError, SearchQuery
from col_core.web.public import (
    active_cities,
    city_tiles,
    document_urls,
    exact_url,
    in_search_order,
    network_activities,
    parse_query,
)
from plugins.map import serendipity
from plugins.map.groups import PARAMETER, narrowed, requested_group

_ = TranslationStringFactory("col_map")


# Where a map opens when its tenant.toml has no [map]: a city's on Vilnius, the global site's
# on every city (Europe).
DEFAULT_VIEW = {"city": ([54.6872, 25.2797], 12), "global": ([50.0, 10.0], 4)}


def map_settings(request) -> dict:
    """The city's map: centre, zoom and tile server (tenant.map overrides the map.* settings)."""
    own = request.tenant.map or {}
    center, zoom = DEFAULT_VIEW["global" if request.tenant.is_global else "city"]
    center = own.get("center") or center
    tile_url, attribution = city_tiles(request)
    return {
        "center": [float(center[0]), float(center[1])],
        "zoom": int(own.get("zoom", zoom)),
        "tile_url": tile_url,
        "attribution": attribution,
    }


# Filters the map page has no visible field for (a skill from a skill page, a price cap or
# radius from a shared link): carried as hidden fields, so the map's JavaScript and every link
# it writes keep them.
CARRIED = ("skill", "max_price", "km", "past", "exact")
# What the page adds to the search parameters: never a filter of its own.
PAGE_PARAMETERS = ("lang", "at", "locate", "group", "view")


def _without(request, *names) -> str:
    """The map's address with the request's parameters but ``names``."""
    return request.route_url(
        "map", _query=[(name, value) for name, value in request.GET.items() if name not in names]
    )


# Parameters that are not a filter a learner chose (counted on the "Filters" button).
NOT_FILTERS = (*PAGE_PARAMETERS, "q", "sort", "near")


def _toggle(request, name: str, value: str, single: bool = False) -> dict:
    """The map's address with ``name=value`` added, or taken away when it is there already
    (``single``: the parameter's other values go too); the view (``at``) is not kept."""
    chosen = (name, value)
    on = False
    kept = []
    for key, given in request.GET.items():
        if key == "at":
            continue
        if (key, given) == chosen:
            on = True
            continue
        if single and key == name:
            continue
        kept.append((key, given))
    query = kept if on else [*kept, chosen]
    return {"url": request.route_url("map", _query=query), "on": on}


def chips(request, query, facets: dict, categories: dict) -> list[dict]:
    """One-tap filters above the map: free, online, then each category found."""
    translate = request.localizer.translate
    names = [*sorted(facets.get("category", {})), *query.categories]
    return [
        {"label": translate(_("Free")), **_toggle(request, "free", "1")},
        {"label": translate(_("Online")), **_toggle(request, "mode", "online", single=True)},
        *(
            {"label": categories.get(name, name), **_toggle(request, "category", name)}
            for name in dict.fromkeys(names)
        ),
    ]


@view_config(route_name="map", renderer="plugins.map:templates/map.jinja2", permission="view")
def map_page(request):
    group = requested_group(request)
    errors = {}
    try:
        query = SearchQuery.from_params(request.GET, default_limit=50)
    except QueryError as error:
        errors = {
            name: request.localizer.translate(message) for name, message in error.fields.items()
        }
        query = SearchQuery(limit=50)
        request.response.status = 400
    query = narrowed(request, query.but(kinds=("activity",), facets=True), group)
    search = request.find_service(ISearchService)
    # The map shows what has a place; what has none (online activities) has its own list.
    results = search.search(query.but(located=True))
    online = search.search(query.but(located=False, sort="date"))
    # The two lists split the matches in two, so the filters' counts are their sums.
    for facet, counts in online.facets.items():
        merged = results.facets.setdefault(facet, {})
        for value, count in counts.items():
            merged[value] = merged.get(value, 0) + count
    url_of = document_urls(request)
    # Both lists correct the same words (the city's vocabulary decides, not the filters).
    corrected = results.corrected or online.corrected
    filtered = [name for name in request.GET if name not in PAGE_PARAMETERS]
    names = category_names(request.tenant, request.locale_name)
    return {
        "query": query,
        "params": request.GET,
        "errors": errors,
        "results": results,
        "hits": [(hit, url_of(hit.document)) for hit in results.hits],
        "online": online,
        "online_hits": [(hit, url_of(hit.document)) for hit in online.hits],
        "total": results.total + online.total,
        "corrected": corrected,
        "exact_url": exact_url(request) if corrected else None,
        "carried": [(name, value) for name in CARRIED for value in request.GET.getall(name)],
        # Ways out of an empty result: the whole city, no filters, the online activities.
        "ways_out": {
            "wider_url": _without(request, "at", "near", "km", "sort")
            if {"at", "near", "km"} & set(request.GET)
            else None,
            "clear_url": request.route_url("map") if filtered else None,
            "online_url": request.route_url("map", _query={"mode": "online"})
            if query.mode != "online"
            else None,
            "skill_url": _without(request, "skill") if query.skills else None,
        },
        "unlocated_url": request.route_url("api.get.activities.unlocated"),
        "map": map_settings(request),
        # Phones switch between the map (the list follows it) and the list alone.
        "view": "list" if request.GET.get("view") == "list" else "map",
        "accessibility": {
            key: request.localizer.translate(label) for key, label in ACCESSIBILITY.items()
        },
        "categories": names,
        # The global site's map shows every city's activities: a filter by city.
        "cities": active_cities(request) if request.tenant.is_global else [],
        "chips": chips(request, query, results.facets, names),
        "active_filters": sum(
            1 for name, value in request.GET.items() if value and name not in NOT_FILTERS
        ),
        "leaflet": xstatic.pkg.leaflet.BASE_DIR,
        "cluster": xstatic.pkg.leaflet_markercluster.BASE_DIR,
        "geojson_url": request.route_url("api.get.activities.geojson"),
        # The viewport's tiles: the script puts in each tile's numbers (z, x and y).
        "tile_url": request.route_url("api.get.map.tile", z="__z__", x="__x__", y="__y__"),
        "ical_url": request.route_url(
            "map.ics",
            _query=[
                (name, value) for name, value in request.GET.items() if name not in ("lang", "at")
            ],
        ),
        "group": group,
        # The same search over every activity of the city: the banner's way out of the group.
        "all_url": request.route_url(
            "map",
            _query=[(name, value) for name, value in request.GET.items() if name != PARAMETER],
        ),
    }


@view_config(
    route_name="map.surprise",
    permission="view",
    renderer="plugins.map:templates/surprise.jinja2",
)
def surprise_me(request):
    """One pick and why; ``near=latitude,longitude`` (from the learner's browser) looks near."""
    try:
        near = SearchQuery.from_params({"near": request.GET.get("near", "")}).near
    except QueryError as error:
        raise HTTPBadRequest(request.localizer.translate(error.fields["near"])) from error
    pick = serendipity.surprise(request, getattr(request, "user", None), near)
    if pick is None:
        request.session.flash(
            request.localizer.translate(
                _("Nothing to pick from yet: no upcoming activity in this city.")
            )
        )
        return HTTPSeeOther(request.route_url("map"))
    # Built from the route (the city's configured address), never from the request's Host.
    again = {"near": request.GET["near"]} if near else {}
    return {"pick": pick, "again_url": request.route_url("map.surprise", _query=again)}


@view_config(route_name="map.ics", permission="view", request_method="GET")
def search_ical(request):
    """The search's activities as an iCalendar feed to subscribe to."""
    query = narrowed(
        request,
        parse_query(request, default_limit=200, max_limit=500).but(
            kinds=("activity",), facets=False
        ),
        requested_group(request),
    )
    hits = request.find_service(ISearchService).search(query).hits
    name = request.tenant.display_name(request.locale_name)
    if request.tenant.is_global:
        # Each activity in its own city, linked on its city's host (the hits' URLs).
        urls = {hit.document.key: hit.document.url for hit in hits}
        with network_activities(request, [hit.document for hit in hits]) as activities:
            body = activities_to_ical(
                request, activities, name=name, url_of=lambda a: urls[str(a.id)]
            )
    else:
        body = activities_to_ical(request, city_activities(request, hits), name=name)
    return Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        content_disposition='inline; filename="activities.ics"',
    )


def city_activities(request, hits) -> list:
    """The discoverable activities of ``hits``, in their order."""
    keys = [int(hit.document.key) for hit in hits if hit.document.key.isdigit()]
    statement = select(Activity).where(Activity.id.in_(keys), Activity.is_discoverable)
    return in_search_order(request.dbsession.scalars(statement).all(), keys)
