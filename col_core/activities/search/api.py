"""The search JSON API: ``GET /api/v1/search?q=...&<filters>`` (documented in OpenAPI)."""

from __future__ import annotations

from urllib.parse import quote

from col_core.activities.search.interfaces import ISearchService
from col_core.activities.search.query import QueryError, SearchQuery
from col_core.api import ApiError
from col_core.i18n import _

PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": schema, "description": text}
    for name, schema, text in [
        ("q", {"type": "string"}, "Words to find; the last one also matches as a prefix."),
        ("kind", {"type": "string"}, "Document kinds, comma-separated (activity, playlist)."),
        ("category", {"type": "string"}, "Interest categories, comma-separated (any)."),
        ("skill", {"type": "string"}, "Skill concept URIs, comma-separated (any)."),
        ("from", {"type": "string", "format": "date"}, "Happening on or after this date."),
        ("to", {"type": "string", "format": "date"}, "Starting on or before this date."),
        ("near", {"type": "string"}, "A point as latitude,longitude."),
        ("km", {"type": "number"}, "Only within this many km of `near`."),
        ("bbox", {"type": "string"}, "Only within west,south,east,north."),
        ("mode", {"enum": ["online", "in_person"]}, "Online or in person."),
        ("free", {"type": "boolean"}, "Only free activities."),
        ("max_price", {"type": "number"}, "At most this price, in the city's currency."),
        ("age", {"type": "integer"}, "Suitable for a learner of this age."),
        ("language", {"type": "string"}, "Spoken in this language (a code such as `lt`)."),
        ("access", {"type": "string"}, "Accessibility features, comma-separated (all)."),
        (
            "city",
            {"type": "string"},
            "On the global site: only these cities (slugs, comma-separated; any).",
        ),
        (
            "located",
            {"enum": ["0", "1"]},
            "1: only with a place on the map; 0: only without one (mostly online activities).",
        ),
        ("past", {"type": "boolean"}, "Include activities that have ended."),
        ("sort", {"enum": ["relevance", "date", "distance"]}, "Order of the results."),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Results per page."),
        ("offset", {"type": "integer", "minimum": 0}, "Results to skip."),
        ("facets", {"type": "boolean"}, "Also count matches per filter value (facets=1)."),
        (
            "exact",
            {"type": "boolean"},
            "Search the words of `q` as typed (exact=1). Otherwise a search that finds nothing "
            "is tried again with each word that matches nothing corrected (see `corrected`).",
        ),
    ]
]
# Before `language=`, the JSON API read the activities' language from `lang=`, which every page
# also reads as the interface's language; the API still accepts it (parse_query's
# legacy_language), documented as deprecated.
LEGACY_LANGUAGE = {
    "name": "lang",
    "in": "query",
    "required": False,
    "deprecated": True,
    "schema": {"type": "string"},
    "description": "Deprecated: use `language`. Read as `language` when that is absent (it also "
    "chooses the language of error messages).",
}
API_PARAMETERS = [*PARAMETERS, LEGACY_LANGUAGE]
HIT_SCHEMA = {
    "type": "object",
    "required": ["kind", "key", "title", "url"],
    "properties": {
        "kind": {"type": "string"},
        "key": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string"},
        "category": {"type": "string"},
        "starts_at": {"type": ["string", "null"], "format": "date-time"},
        "ends_at": {"type": ["string", "null"], "format": "date-time"},
        "lat": {"type": ["number", "null"]},
        "lon": {"type": ["number", "null"]},
        "online": {"type": "boolean"},
        "in_person": {"type": "boolean"},
        "price": {"type": ["integer", "null"], "description": "In cents; 0 is free."},
        "languages": {"type": "array", "items": {"type": "string"}},
        "accessibility": {"type": "array", "items": {"type": "string"}},
        "distance_km": {"type": ["number", "null"]},
        "city": {"type": "string", "description": "On the global site: the city's name."},
        "city_slug": {"type": "string", "description": "On the global site: the city's slug."},
    },
}
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["total", "total_exact", "items", "facets"],
    "properties": {
        "total": {"type": "integer"},
        "total_exact": {
            "type": "boolean",
            "description": "False when there are more matches than `total` (they are counted up to "
            "100 or the end of the page; with facets=1 the total is exact).",
        },
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
        "facets": {
            "type": "object",
            "description": "Matches per value of category, mode, price, language and accessibility "
            "(and, on the global site, city: matches per city slug, without the city filter). A "
            "facet whose filter is set (category, mode, free or max_price, language) is "
            "counted without that filter, so its other values keep their counts; "
            "accessibility features combine with AND and count within the matches.",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
        "corrected": {
            "type": ["string", "null"],
            "description": "The words searched instead of `q`, when `q` found nothing as typed "
            'and a correction of its misspelt words did ("Showing results for ..."); null '
            "otherwise.",
        },
        "exact_url": {
            "type": ["string", "null"],
            "description": "With `corrected`: this search with `q` searched as typed (exact=1).",
        },
        "suggestion": {
            "type": ["string", "null"],
            "deprecated": True,
            "description": "Deprecated: use `corrected` (the same value).",
        },
        "next": {"type": ["string", "null"], "description": "The next page, if any."},
    },
}


def activity_urls(request):
    """``key -> URL`` of activity pages: one generated route URL, then substitution per key."""
    try:
        template = request.route_url("activity", id="__key__")
    except KeyError:
        template = request.application_url + "/activities/__key__"
    # Keys are ids: digits need no quoting (a map tile writes hundreds of them).
    return lambda key: template.replace("__key__", key if key.isdigit() else quote(key, safe=""))


def document_urls(request):
    """``document -> URL`` for a page of hits: the document's own URL (a path is taken as within
    the city's site), or the activity page."""
    activity_url = activity_urls(request)

    def url_of(document) -> str:
        if document.url:
            return (
                request.application_url + document.url
                if document.url.startswith("/")
                else document.url
            )
        return activity_url(document.key)

    return url_of


def document_url(request, document) -> str:
    return document_urls(request)(document)


def hit_json(hit, url_of) -> dict:
    d = hit.document
    return {
        "kind": d.kind,
        "key": d.key,
        "title": d.title,
        "url": url_of(d),
        "category": d.category,
        "starts_at": d.starts_at.isoformat() if d.starts_at else None,
        "ends_at": d.ends_at.isoformat() if d.ends_at else None,
        "lat": d.lat,
        "lon": d.lon,
        "online": d.online,
        "in_person": d.in_person,
        "price": d.price,
        "age_min": d.age_min,
        "age_max": d.age_max,
        "languages": list(d.languages),
        "accessibility": list(d.accessibility),
        "distance_km": None if hit.distance_km is None else round(hit.distance_km, 2),
        # The global site's hits come from every city: each names its own.
        **(
            {"city": d.extra["city"], "city_slug": d.extra["city_slug"]}
            if "city" in d.extra
            else {}
        ),
    }


def parse_query(request, **options) -> SearchQuery:
    """The request's search parameters, or a 400 naming each bad one (options as
    ``SearchQuery.from_params``)."""
    try:
        return SearchQuery.from_params(request.GET, **options)
    except QueryError as error:
        raise ApiError(
            request.localizer.translate(_("Check the search parameters.")),
            fields={
                name: request.localizer.translate(message) for name, message in error.fields.items()
            },
        ) from None


# A search of the words as typed starts from its first page.
NOT_EXACT = ("exact", "offset")


def exact_url(request) -> str:
    """The request's search from its first page, its words searched exactly as typed."""
    params = [(name, value) for name, value in request.GET.items() if name not in NOT_EXACT]
    return request.current_route_url(_query=[*params, ("exact", "1")])


def correction_json(request, results) -> dict:
    """What the JSON answers say of a corrected search."""
    return {
        "corrected": results.corrected,
        "exact_url": exact_url(request) if results.corrected else None,
        "suggestion": results.corrected,
    }


def search_api(request):
    query = parse_query(request, legacy_language=True)
    results = request.find_service(ISearchService).search(query)
    url_of = document_urls(request)
    following = query.offset + query.limit
    next_url = None
    if following < results.total or not results.total_exact:
        params = dict(request.GET.items())
        params["offset"] = str(following)
        next_url = request.current_route_url(_query=params)
    return {
        "total": results.total,
        "total_exact": results.total_exact,
        "items": [hit_json(hit, url_of) for hit in results.hits],
        "facets": results.facets,
        **correction_json(request, results),
        "next": next_url,
    }


def includeme(config):
    config.add_openapi_schema("SearchHit", HIT_SCHEMA)
    config.add_openapi_schema("SearchResults", RESULTS_SCHEMA)
    config.add_api_view(
        search_api,
        "/search",
        summary="Search the city's activities (and other documents)",
        parameters=API_PARAMETERS,
        tags=["search"],
        permission="view",
        responses={
            200: {
                "description": "Matching documents, a page of them, with facet counts",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}}
                },
            }
        },
    )
