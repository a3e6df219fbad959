"""What a search asks for and what it answers, independent of the backend.

``SearchQuery.from_params`` reads the public query string (the search page, the JSON API, the map
and its GeoJSON feed share it), so a shareable URL means the same search everywhere.  ``matches``
states each filter's meaning once in plain Python; the database backend says the same in SQL and
the conformance suite checks that both agree.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from col_core.i18n import _
from col_core.security.validation import (
    EARLIEST_DATE,
    LATEST_DATE,
    decimal_number,
    whole_number,
    within_dates,
)

SORTS = ("relevance", "date", "distance")
MODES = ("online", "in_person")
MAX_LIMIT = 100
# Matches are counted exactly up to this many (or up to the end of the page asked for): a common
# word matches tens of thousands of documents in a large city, and counting them all cost more
# than finding the page.  Facet counts (facets=1) stay exact.
COUNT_LIMIT = 100
# The most document keys one query may be restricted to: a map group (a playlist) names tens of
# activities; thousands would make a huge IN list for no discovery page's benefit.
MAX_KEYS = 500
KM_PER_DEGREE = 111.32


class QueryError(ValueError):
    """Bad search parameters: ``fields`` maps each parameter to a message a person can act on."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()  # any of them
    date_from: dt.datetime | None = None
    date_to: dt.datetime | None = None
    near: tuple[float, float] | None = None  # (lat, lon)
    within_km: float | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    mode: str | None = None  # "online" or "in_person"
    free: bool = False
    max_price: int | None = None  # cents
    age: int | None = None
    language: str | None = None
    accessibility: tuple[str, ...] = ()  # all of them
    # The global site's network search: only these cities (slugs); a city's own search
    # is its own city whatever this says.
    cities: tuple[str, ...] = ()
    # True: only documents with a place on the map; False: only those without one (mostly
    # online activities, which the map page lists beside the map); None: both.
    located: bool | None = None
    # Only documents with these keys (of the kinds asked for); None: no restriction, while an
    # empty tuple matches nothing, so an empty group never widens into the whole city.
    keys: tuple[str, ...] | None = None
    include_past: bool = False
    # True: search the words as typed; False: a search that finds nothing is tried again with
    # its misspelt words corrected (``spelling``).
    exact: bool = False
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0
    facets: bool = True
    count_limit: int | None = COUNT_LIMIT  # None: count every match
    now: dt.datetime | None = None  # "now" for leaving out ended activities; tests pin it

    def __post_init__(self):
        if self.keys is not None and len(self.keys) > MAX_KEYS:
            raise QueryError(
                {
                    "keys": _(
                        "A search can be restricted to at most ${limit} documents.",
                        mapping={"limit": MAX_KEYS},
                    )
                }
            )

    @property
    def current_time(self) -> dt.datetime:
        return self.now or dt.datetime.now(dt.UTC)

    def but(self, **changes) -> SearchQuery:
        return replace(self, **changes)

    @classmethod
    def from_params(
        cls,
        params,
        *,
        default_limit: int = 20,
        max_limit: int = MAX_LIMIT,
        legacy_language: bool = False,
    ) -> SearchQuery:
        """Read a query string (a webob MultiDict or a plain dict); raise QueryError when bad.

        The activities' language is ``language=``; ``lang=`` chooses the interface's language
        on every page.  ``legacy_language`` also reads ``lang=`` as the activities' language
        (when ``language=`` is absent), as the JSON API did before: its old clients keep working.
        """
        return _Parser(params, legacy_language).query(default_limit, max_limit)


@dataclass
class Document:
    """A stored search document: the plugin's SearchDocument with its filter fields unpacked."""

    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""
    category: str = ""
    skills: tuple[str, ...] = ()
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    online: bool = False
    in_person: bool = True
    price: int | None = None  # cents; 0 is free
    age_min: int | None = None
    age_max: int | None = None
    languages: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # The labels of its skills, (language, label), each analysed in its own language and
    # ranked below the title and the body; "" as the language: in the city's languages.
    skill_labels: tuple[tuple[str, str], ...] = ()

    FILTER_FIELDS = (
        "category",
        "skills",
        "starts_at",
        "ends_at",
        "lat",
        "lon",
        "online",
        "in_person",
        "price",
        "age_min",
        "age_max",
        "languages",
        "accessibility",
    )

    @classmethod
    def from_search_document(cls, document) -> Document:
        extra = dict(document.extra or {})
        values = {name: extra.pop(name) for name in cls.FILTER_FIELDS if name in extra}
        for name in ("skills", "languages", "accessibility"):
            values[name] = tuple(values.get(name) or ())
        labels = tuple((language, text) for language, text in extra.pop("skill_labels", ()))
        return cls(
            kind=document.kind,
            key=str(document.key),
            title=document.title,
            body=document.body or "",
            url=document.url or "",
            extra=extra,
            skill_labels=labels,
            **values,
        )


class Located(NamedTuple):
    """A point for the map, in the order of the database backend's rows."""

    kind: str
    key: str
    title: str
    url: str
    category: str
    lat: float
    lon: float
    starts_at: dt.datetime | None
    online: bool
    cover: str | None = None  # the key of its picture (IPictures)
    city: str = ""  # the network search's: the city's name


class GridCell(NamedTuple):
    """How many located documents fall in one cell of a box cut into columns x rows (the map's
    clusters at low zoom): ``column`` from the west, ``row`` from the north, their mean place
    and the bounds of the points themselves (south, west, north, east)."""

    column: int
    row: int
    size: int  # how many
    lat: float
    lon: float
    south: float
    west: float
    north: float
    east: float


def cell_of(box: tuple, columns: int, rows: int, lat: float, lon: float) -> tuple[int, int]:
    """(column, row) of a point in ``box`` (west, south, east, north) cut into equal cells;
    points on the east or south edge belong to the last cell."""
    west, south, east, north = box
    column = int((lon - west) * columns / (east - west))
    row = int((north - lat) * rows / (north - south))
    return min(max(column, 0), columns - 1), min(max(row, 0), rows - 1)


def merged_cells(cells) -> list[GridCell]:
    """``cells`` with those of the same (column, row) added up (their means weighted)."""
    merged: dict[tuple[int, int], GridCell] = {}
    for cell in cells:
        seen = merged.get((cell.column, cell.row))
        if seen is None:
            merged[(cell.column, cell.row)] = cell
            continue
        n = seen.size + cell.size
        merged[(cell.column, cell.row)] = GridCell(
            cell.column,
            cell.row,
            n,
            (seen.lat * seen.size + cell.lat * cell.size) / n,
            (seen.lon * seen.size + cell.lon * cell.size) / n,
            min(seen.south, cell.south),
            min(seen.west, cell.west),
            max(seen.north, cell.north),
            max(seen.east, cell.east),
        )
    return sorted(merged.values())


def grid_of(points, box: tuple, columns: int, rows: int) -> list[GridCell]:
    """The cells of ``points`` ((lat, lon) pairs): what the database backend's GROUP BY says."""
    return merged_cells(
        GridCell(*cell_of(box, columns, rows, lat, lon), 1, lat, lon, lat, lon, lat, lon)
        for lat, lon in points
    )


@dataclass
class Hit:
    document: Document
    score: float = 0.0
    distance_km: float | None = None


@dataclass
class SearchResults:
    total: int  # with total_exact False, there are more matches than this
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # The words searched instead of the query's own, which found nothing (``spelling``).
    corrected: str | None = None
    total_exact: bool = True


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance: exact enough within a city, and expressible in plain SQL."""
    dx = (lon2 - lon1) * math.cos(math.radians(lat1))
    dy = lat2 - lat1
    return math.hypot(dx, dy) * KM_PER_DEGREE


def matches(document: Document, query: SearchQuery) -> bool:
    """Whether ``document`` passes every filter of ``query`` (the text aside)."""
    return (
        _matches_what(document, query)
        and _matches_when(document, query)
        and _matches_where(document, query)
        and _matches_how(document, query)
    )


def _matches_what(document: Document, query: SearchQuery) -> bool:
    """The kinds, keys, categories and skills filters."""
    if query.kinds and document.kind not in query.kinds:
        return False
    if query.keys is not None and document.key not in query.keys:
        return False
    if query.categories and document.category not in query.categories:
        return False
    if query.skills and not set(query.skills) & set(document.skills):
        return False
    return True


def _matches_when(document: Document, query: SearchQuery) -> bool:
    """Past activities are left out unless asked for; the dates overlap the period asked."""
    starts, ends = document.starts_at, document.ends_at
    if not query.include_past and ends is not None and ends < query.current_time:
        return False
    if query.date_from and ends is not None and ends < query.date_from:
        return False
    if query.date_to and starts is not None and starts > query.date_to:
        return False
    return True


def _matches_where(document: Document, query: SearchQuery) -> bool:
    """The area, the distance from a point, and whether the document has a place at all."""
    lat, lon = document.lat, document.lon
    if query.bbox:
        west, south, east, north = query.bbox
        if lat is None or lon is None:
            return False
        if not (south <= lat <= north and west <= lon <= east):
            return False
    if query.near and query.within_km is not None:
        if lat is None or lon is None:
            return False
        if distance_km(*query.near, lat, lon) > query.within_km:
            return False
    if query.located is not None and (lat is not None) != query.located:
        return False
    return True


def _matches_how(document: Document, query: SearchQuery) -> bool:
    """The mode, price, age, language and accessibility filters."""
    if query.mode == "online" and not document.online:
        return False
    if query.mode == "in_person" and not document.in_person:
        return False
    if query.free and document.price != 0:
        return False
    if query.max_price is not None:
        if document.price is None or document.price > query.max_price:
            return False
    if query.age is not None and not _suits_age(document, query.age):
        return False
    if query.language and query.language not in document.languages:
        return False
    return set(query.accessibility) <= set(document.accessibility)


def _suits_age(document: Document, age: int) -> bool:
    too_young = document.age_min is not None and age < document.age_min
    too_old = document.age_max is not None and age > document.age_max
    return not (too_young or too_old)


FACETS = ("category", "mode", "price", "language", "accessibility")


def count_facets(documents) -> dict[str, dict[str, int]]:
    """Facet counts over matching documents: category, mode, price, language, accessibility."""
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}

    def bump(name, value, by=1):
        facets[name][value] = facets[name].get(value, 0) + by

    for d in documents:
        if d.category:
            bump("category", d.category)
        for mode in MODES:
            if getattr(d, mode):
                bump("mode", mode)
        if d.price is not None:
            bump("price", "free" if d.price == 0 else "paid")
        for language in d.languages:
            bump("language", language)
        for feature in d.accessibility:
            bump("accessibility", feature)
    return facets


# The filters each facet is "about".  A facet's counts leave out its own filter (and keep every
# other): after choosing one category the list still offers the others, each with the number it
# would show instead.  Accessibility features are combined with AND, so choosing one narrows the
# others: its counts keep every filter, its own included.
FACET_FILTERS: dict[str, dict[str, Any]] = {
    "category": {"categories": ()},
    "mode": {"mode": None},
    "price": {"free": False, "max_price": None},
    "language": {"language": None},
}


def facet_queries(query: SearchQuery) -> dict[str, SearchQuery]:
    """``facet -> query`` without that facet's own filter, for each facet whose filter is set;
    the other facets are counted over the query's own matches."""
    own = {}
    for facet, cleared in FACET_FILTERS.items():
        if any(getattr(query, name) != value for name, value in cleared.items()):
            own[facet] = query.but(**cleared)
    return own


def order_key(query: SearchQuery):
    """Sort key for hits of one backend that sorts in Python (the database sorts in SQL)."""
    far = float("inf")
    never = dt.datetime.max.replace(tzinfo=dt.UTC)
    if query.sort == "date":
        return lambda hit: (hit.document.starts_at or never, hit.document.kind, hit.document.key)
    if query.sort == "distance":
        return lambda hit: (
            hit.distance_km if hit.distance_km is not None else far,
            hit.document.kind,
            hit.document.key,
        )
    return lambda hit: (
        -round(hit.score, 6),
        hit.document.starts_at or never,
        hit.document.kind,
        hit.document.key,
    )


class _Parser:
    def __init__(self, params, legacy_language: bool = False):
        self.params = params
        self.legacy_language = legacy_language
        self.errors: dict[str, str] = {}

    def _all(self, name) -> tuple[str, ...]:
        getall = getattr(self.params, "getall", None)
        values = getall(name) if getall else [self.params[name]] if name in self.params else []
        return tuple(v.strip() for value in values for v in str(value).split(",") if v.strip())

    def _one(self, name) -> str:
        return str(self.params.get(name, "") or "").strip()

    def _number(self, name, kind=float, low=None, high=None):
        raw = self._one(name)
        if not raw:
            return None
        value = decimal_number(raw) if kind is float else whole_number(raw)
        if value is None:
            self.errors[name] = (
                _("Enter a number.") if kind is float else _("Enter a whole number.")
            )
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.errors[name] = _(
                "Enter a number between ${low} and ${high}.", mapping={"low": low, "high": high}
            )
            return None
        return value

    def _date(self, name, end=False):
        raw = self._one(name)
        if not raw:
            return None
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("Enter a date as YYYY-MM-DD.")
            return None
        if not within_dates(value):
            self.errors[name] = _(
                "Give a date from ${first} to ${last}.",
                mapping={"first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
            )
            return None
        if len(raw) <= 10 and end:
            value += dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    def _floats(self, name, count, message):
        raw = self._one(name)
        if not raw:
            return None
        values = tuple(decimal_number(part) for part in raw.split(","))
        if len(values) != count or None in values:
            self.errors[name] = message
            return None
        return values

    def _flag(self, name) -> bool:
        return self._one(name) in ("1", "true", "yes", "on")

    def _near(self):
        near = self._floats("near", 2, _("Give the point as latitude,longitude."))
        if not near:
            return near
        latitude, longitude = near
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            self.errors["near"] = _("Latitude must be within ±90 and longitude within ±180.")
        return near

    def _bbox(self):
        bbox = self._floats("bbox", 4, _("Give the area as west,south,east,north."))
        if not bbox:
            return bbox
        west, south, east, north = bbox
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            self.errors["bbox"] = _(
                "The area must have west ≤ east and south ≤ north, within ±180 and ±90 degrees."
            )
        return bbox

    def _mode(self):
        mode = self._one("mode") or None
        if mode and mode not in MODES:
            self.errors["mode"] = _("Choose online or in_person.")
        return mode

    def _sort(self):
        sort = self._one("sort") or "relevance"
        if sort not in SORTS:
            self.errors["sort"] = _("Sort by relevance, date or distance.")
        return sort

    def _located(self):
        located = self._one("located")
        if located and located not in ("0", "1"):
            self.errors["located"] = _("Choose 1 (with a place on the map) or 0 (without).")
        return {"1": True, "0": False}.get(located)

    def _language(self):
        language = self._one("language")
        if not language and self.legacy_language:
            language = self._one("lang")
        return language or None

    def _check_together(self, query: SearchQuery) -> None:
        """Errors of parameters that make sense only with others."""
        if query.date_from and query.date_to and query.date_from > query.date_to:
            self.errors["to"] = _("The end date must not be before the start date.")
        if query.sort == "distance" and not query.near:
            self.errors["sort"] = _(
                "Sorting by distance needs a point: add near=latitude,longitude."
            )
        if query.within_km is not None and not query.near:
            self.errors["km"] = _("A distance needs a point: add near=latitude,longitude.")

    def query(self, default_limit: int, max_limit: int) -> SearchQuery:
        near = self._near()
        bbox = self._bbox()
        mode = self._mode()
        sort = self._sort()
        within = self._number("km", float, 0, 20000)
        max_price = self._number("max_price", float, 0, 1_000_000)
        located = self._located()
        query = SearchQuery(
            text=self._one("q")[:200],
            kinds=self._all("kind"),
            categories=self._all("category"),
            skills=self._all("skill"),
            date_from=self._date("from"),
            date_to=self._date("to", end=True),
            near=near if "near" not in self.errors else None,
            within_km=within,
            bbox=bbox if "bbox" not in self.errors else None,
            mode=mode,
            free=self._flag("free"),
            max_price=None if max_price is None else round(max_price * 100),
            age=self._number("age", int, 0, 120),
            language=self._language(),
            accessibility=self._all("access"),
            cities=self._all("city"),
            located=located,
            include_past=self._flag("past"),
            sort=sort,
            limit=self._number("limit", int, 1, max_limit) or default_limit,
            offset=self._number("offset", int, 0, 100_000) or 0,
            facets=self._flag("facets"),
            exact=self._flag("exact"),
        )
        self._check_together(query)
        if self.errors:
            raise QueryError(self.errors)
        return query
