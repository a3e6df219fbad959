"""Open data: GeoJSON of the viewport (the iCalendar of a search is in ``views.py``).

The GeoJSON answer is RFC 7946 (``[longitude, latitude]``), built as plain dicts from a Core
query and serialised with orjson: the ``geojson`` package's own objects and ``dumps`` cost
twenty times more for 1,000 features, so it checks the output in the tests instead.  Answers
carry an ETag derived from the city's search version and the query, so a map that pans back or
a client that revalidates costs one tiny query; the same key caches the body in each worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from functools import partial

import orjson
from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory
from pyramid.response import Response

from col_core.activities.search import ISearchService, store
from col_core.api import ApiError
from col_core.i18n.formatting import format_datetime, moment_writer
from col_core.web.public import (
    API_PARAMETERS,
    active_cities,
    activity_urls,
    correction_json,
    cover_sources,
    document_urls,
    hit_json,
    network_version,
    parse_query,
)
from plugins.map import tiles
from plugins.map.groups import OPENAPI_PARAMETER, cache_key, narrowed, requested_group

_ = TranslationStringFactory("col_map")

CACHE_SIZE = 256
# Answers are computed as of the start of a five-minute window, which is part of the ETag: an
# activity that ends leaves cached and revalidated maps within five minutes, with no write to
# bump the search version.
WINDOW_SECONDS = 300
# How long a shared cache (a CDN) may serve a public tile without asking, then serve it while
# it asks again: within the five-minute window, so an ended activity still leaves within ten.
TILE_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=240"
# Answers that depend on who asks or on their cookies: every use asks again.
PRIVATE_CACHE_CONTROL = "private, no-cache"


class BodyCache:
    """A small LRU of finished response bodies, keyed by ETag (so never stale)."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        with self.lock:
            self.items[key] = body
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def _iso(value) -> str | None:
    # SQLite gives stored UTC times back without their offset; clients need it.
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def feature_collection(
    rows, limit: int, url_of, next_url: str | None, when=_iso, covers=None
) -> dict:
    """``when`` writes a start for people (the map's list shows it as it is: the city's time
    zone, the page's language); by default the feed's ISO time.  ``covers(keys)`` gives the
    ``<img>`` sources of the points' pictures, for the list beside the map."""
    # Plain tuples unpacked by position: the cheapest way through a thousand rows.  The global
    # site's rows name their city too (``Located.city``).
    shown = rows[:limit]
    pictures = covers({row[9] for row in shown if row[9]}) if covers else {}
    features = [
        {
            "type": "Feature",
            "id": f"{kind}:{key}",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "title": title,
                "url": url or url_of(key),
                "category": category,
                "online": bool(online),
                "starts_at": _iso(starts_at),
                "when": when(starts_at) if starts_at else None,
                **({"cover": pictures[cover]} if cover in pictures else {}),
                **({"city": city[0]} if city and city[0] else {}),
            },
        }
        for kind, key, title, url, category, lat, lon, starts_at, online, cover, *city in shown
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "truncated": len(rows) > limit,
        "limit": limit,
        "next": next_url,
    }


def _points(request, rows, limit: int, next_url: str | None = None) -> dict:
    """The FeatureCollection of located ``rows`` as the map page's script reads it: starts in
    the city's time zone and language, pictures in their widths."""
    when = moment_writer(request)
    covers = partial(cover_sources, request)
    return feature_collection(rows, limit, activity_urls(request), next_url, when, covers)


def _window_start() -> dt.datetime:
    return dt.datetime.fromtimestamp(time.time() // WINDOW_SECONDS * WINDOW_SECONDS, tz=dt.UTC)


def _etag(request, version: int, changed_at, kind: str, group: str, now: dt.datetime) -> str:
    parameters = sorted(f"{key}={value}" for key, value in request.GET.items())
    query = "&".join(parameters)
    # Everything the feed's body depends on.
    parts = [
        kind,
        request.tenant.id,
        version,
        changed_at,
        request.application_url,
        query,
        group,
        now.isoformat(),
        request.locale_name,
    ]
    raw = ":".join(str(part) for part in parts)
    digest = hashlib.sha1(raw.encode()).hexdigest()
    return digest[:24]


def search_version(request) -> tuple:
    """(version, changed_at) of what the request's search reads: the city's documents, or on
    the global site every active city's (``network_version``)."""
    if request.tenant.is_global:
        return network_version(request.dbsession, active_cities(request))
    return store.version(request.dbsession, request.tenant.id)


def activities_geojson(request):
    limit = int(request.registry.settings["map.geojson_limit"])
    # The group is resolved on every request, before any cached answer: seeing it is checked
    # each time, and its members (which the search version does not follow) key the ETag.
    group = requested_group(request)
    now = _window_start()
    query = narrowed(
        request,
        parse_query(request, default_limit=limit, max_limit=limit, legacy_language=True).but(
            kinds=("activity",), facets=False, now=now
        ),
        group,
    )
    version, changed_at = search_version(request)
    etag = _etag(request, version, changed_at, "geojson", cache_key(group), now)
    headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache", "Vary": "Accept-Language"}
    if changed_at is not None:
        headers["Last-Modified"] = changed_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return _cached_geojson(request, etag, headers, partial(_viewport_body, request, query))


def _viewport_body(request, query) -> bytes:
    rows = request.find_service(ISearchService).locate(query)
    next_url = None
    if len(rows) > query.limit:
        params = dict(request.GET.items())
        params["offset"] = str(query.offset + query.limit)
        next_url = request.current_route_url(_query=params)
    collection = _points(request, rows, query.limit, next_url)
    return orjson.dumps(collection)


def _cached_geojson(request, etag: str, headers: dict, build) -> Response:
    """A 304 when the client holds ``etag``; else the body this worker keeps for it, or
    ``build()`` (kept for the next asker)."""
    if etag in request.if_none_match:
        response = Response(status=304)
        response.headers.update(headers)
        return response
    cache = request.registry.setdefault("map.geojson_cache", BodyCache())
    body = cache.get(etag)
    if body is None:
        body = build()
        cache.put(etag, body)
    response = Response(body=body, content_type="application/geo+json", charset=None)
    response.headers.update(headers)
    return response


def requested_tile(request) -> tuple[int, int, int]:
    """(z, x, y) of the address: a 400 for what is not a whole number, a 404 for no tile."""
    numbers = {}
    for name in ("z", "x", "y"):
        text = request.matchdict[name]
        if not (text.isascii() and text.isdigit()) or len(text) > 8:
            raise ApiError(
                request.localizer.translate(_("A tile is addressed by whole numbers z/x/y.")),
                fields={name: request.localizer.translate(_("Give a whole number."))},
            )
        numbers[name] = int(text)
    tile = numbers["z"], numbers["x"], numbers["y"]
    if not tiles.exists(*tile):
        raise HTTPNotFound(
            request.localizer.translate(
                _(
                    "There is no such tile: zoom goes from 0 to ${max}, x and y from 0 to "
                    "2 to the power of the zoom, less one.",
                    mapping={"max": tiles.MAX_ZOOM},
                )
            )
        )
    return tile


def shared_caching(request, group) -> bool:
    """Whether anyone may be given this answer: no one signed in, no group (a group may be
    private) and the address's own ``lang=`` choosing its language (not a cookie or a header)."""
    lang = request.GET.get("lang", "").replace("-", "_")
    return (
        request.authenticated_userid is None
        and group is None
        and bool(lang)
        and lang == request.locale_name
    )


def _tile_headers(request, etag: str, changed_at, public: bool) -> dict:
    headers = {"ETag": f'"{etag}"'}
    if public:
        headers["Cache-Control"] = TILE_CACHE_CONTROL
    else:
        headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
        headers["Vary"] = "Accept-Language, Cookie"
    if changed_at is not None:
        headers["Last-Modified"] = changed_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return headers


def tile_body(request, tile: tuple[int, int, int], query, limit: int) -> bytes:
    """The tile's FeatureCollection: its points, or its clusters when they are too many."""
    search = request.find_service(ISearchService)
    zoom = tile[0]
    # ``locate`` answers up to ``limit + 1`` rows: one more than a tile of points shows.
    rows = search.locate(query) if zoom >= tiles.POINTS_FIRST_ZOOM else None
    crowded = zoom < tiles.POINTS_ZOOM and (rows is None or len(rows) > limit)
    cells = search.grid(query, tiles.GRID, tiles.GRID) if crowded else []
    total = sum(cell.size for cell in cells)
    aggregated = total > limit
    if aggregated:
        features = [tiles.cluster_feature(tile, cell) for cell in cells]
        collection = {"type": "FeatureCollection", "features": features, "truncated": False}
    else:
        if rows is None:
            rows = search.locate(query)
        collection = _points(request, rows, limit)
        total = min(len(rows), limit)
    collection.update(
        tile={"z": tile[0], "x": tile[1], "y": tile[2], "bbox": list(query.bbox)},
        aggregated=aggregated,
        total=total,
        limit=limit,
    )
    return orjson.dumps(collection)


def activities_tile(request):
    """One Web-Mercator tile of the map's activities, with the map's filters (see tiles)."""
    tile = requested_tile(request)
    limit = int(request.registry.settings["map.tile_limit"])
    group = requested_group(request)
    now = _window_start()
    query = narrowed(
        request,
        parse_query(request).but(
            kinds=("activity",),
            facets=False,
            now=now,
            bbox=tiles.bounds(*tile),
            limit=limit,
            offset=0,
            count_limit=None,
        ),
        group,
    )
    version, changed_at = search_version(request)
    kind = "tile:{}/{}/{}".format(*tile)
    etag = _etag(request, version, changed_at, kind, cache_key(group), now)
    headers = _tile_headers(request, etag, changed_at, shared_caching(request, group))
    return _cached_geojson(request, etag, headers, partial(tile_body, request, tile, query, limit))


def unlocated_activities(request):
    """The activities matching the filters that have no place on the map (mostly online ones),
    soonest first, kept to the map's group like the GeoJSON: the list beside the map."""
    query = narrowed(
        request,
        parse_query(request, default_limit=50, legacy_language=True).but(
            kinds=("activity",), located=False, facets=False, sort="date", near=None, within_km=None
        ),
        requested_group(request),
    )
    results = request.find_service(ISearchService).search(query)
    url_of = document_urls(request)
    return {
        "total": results.total,
        "total_exact": results.total_exact,
        "items": [
            {
                **hit_json(hit, url_of),
                "when": format_datetime(request, hit.document.starts_at)
                if hit.document.starts_at
                else None,
            }
            for hit in results.hits
        ],
        "facets": {},
        **correction_json(request, results),
        "next": None,
    }


POINT_SCHEMA = {
    "type": "object",
    "description": "An activity at its place; properties: title, url, category, online, "
    "starts_at (ISO 8601), when (for people: the city's time zone, the page's language), city "
    "(on the global site) and cover, the activity's picture as an <img> draws it (src, srcset, "
    "sizes, width, height), absent when it has none.",
}

GEOJSON_SCHEMA = {
    "type": "object",
    "required": ["type", "features", "truncated", "limit"],
    "description": "An RFC 7946 FeatureCollection of Point features ([longitude, latitude]).",
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": POINT_SCHEMA},
        "truncated": {"type": "boolean", "description": "More matched than `limit`."},
        "limit": {"type": "integer"},
        "next": {"type": ["string", "null"], "description": "The next page when truncated."},
    },
}


TILE_SCHEMA = {
    "type": "object",
    "required": ["type", "features", "tile", "aggregated", "total", "limit"],
    "description": "An RFC 7946 FeatureCollection of Point features: activities, or clusters "
    "(properties.cluster, count, bounds [w, s, e, n]) when `aggregated`.",
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {"type": "object"}},
        "tile": {"type": "object", "description": "z, x, y and its bbox [w, s, e, n]."},
        "aggregated": {"type": "boolean"},
        "total": {
            "type": "integer",
            "description": "Activities answered (all of the tile's unless `truncated`).",
        },
        "truncated": {"type": "boolean"},
        "limit": {"type": "integer"},
    },
}


def includeme(config):
    config.add_api_view(
        activities_geojson,
        "/activities.geojson",
        permission="view",
        tags=["map"],
        summary="Activities in a viewport as GeoJSON (filters as in /search; bbox=w,s,e,n)",
        parameters=[*API_PARAMETERS, OPENAPI_PARAMETER],
        responses={
            200: {
                "description": "A FeatureCollection, capped at map.geojson_limit",
                "content": {"application/geo+json": {"schema": GEOJSON_SCHEMA}},
            },
            304: {"description": "Unchanged since the ETag you sent"},
        },
    )
    config.add_api_view(
        activities_tile,
        "/map/tiles/{z}/{x}/{y}.geojson",
        name="api.get.map.tile",
        permission="view",
        tags=["map"],
        summary="The activities of one Web-Mercator tile (z/x/y) as GeoJSON, filters as in "
        "/search: their points, or clusters (count, place, bounds) where there are more than "
        "map.tile_limit",
        parameters=[
            *(
                {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}
                for name in ("z", "x", "y")
            ),
            *API_PARAMETERS,
            OPENAPI_PARAMETER,
        ],
        responses={
            200: {
                "description": "A FeatureCollection of points, or of clusters when `aggregated`",
                "content": {"application/geo+json": {"schema": TILE_SCHEMA}},
            },
            304: {"description": "Unchanged since the ETag you sent"},
        },
    )
    config.add_api_view(
        unlocated_activities,
        "/activities.unlocated",
        permission="view",
        tags=["map"],
        summary="Activities without a place on the map (online ones), with the map's filters",
        parameters=[*API_PARAMETERS, OPENAPI_PARAMETER],
        responses={
            200: {
                "description": "At most `limit` (50) of them, soonest first; `total` "
                "counts them all (up to 100, see total_exact)",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}}
                },
            }
        },
    )
