"""The map page (a map and its list, sharing filters) and "surprise me"."""

from __future__ import annotations

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.i18n import TranslationStringFactory
from pyramid.view import view_config

from col_core.activities.fields import category_names
from col_core.activities.labels import ACCESSIBILITY
from col_core.activities.search import ISearchService
from col_core.activities.search.query import QueryError, SearchQuery
from col_core.web.public import active_cities, city_tiles, document_urls, exact_url
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
    current = [(key, given) for key, given in request.GET.items() if key != "at"]
    on = (name, value) in current
    kept = [(k, v) for k, v in current if (k, v) != (name, value) and not (single and k == name)]
    return {
        "url": request.route_url("map", _query=kept if on else [*kept, (name, value)]),
        "on": on,
    }


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
    return {"pick": pick, "again_url": request.url}
