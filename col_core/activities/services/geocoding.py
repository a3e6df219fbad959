"""Geocoders for the activity form's place picker (see :class:`IGeocoder`)."""

from __future__ import annotations

import json
import logging
import unicodedata
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from pyramid.path import DottedNameResolver
from pyramid.settings import asbool
from sqlalchemy import select
from zope.interface import implementer

from col_core.activities.interfaces import IGeocoder
from col_core.activities.models import Activity
from col_core.outbound import OutboundRefused, check_url

log = logging.getLogger(__name__)

# Enough of a city's venues to search in memory; the oldest beyond it are not offered.
MAX_VENUES = 5000
MAX_ANSWER = 256 * 1024


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    latitude: float
    longitude: float
    source: str  # "city" (the city's own) or "geocoder" (the outside service)

    def as_json(self) -> dict:
        return asdict(self)


def _folded(text: str) -> str:
    """Lower case without accents, so "vilniaus" finds "Vilniaus" and "gedimino" "Gedimino"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _coordinate(value, limit: float) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -limit <= number <= limit else None


def _has_words(place: Place, words: list[str]) -> bool:
    """Whether every (folded) word is in the place's name or address."""
    text = _folded(f"{place.name} {place.address}")
    return all(word in text for word in words)


def _folded_name(place: Place) -> str:
    return _folded(place.name)


@implementer(IGeocoder)
class CityPlacesGeocoder:
    """The city's own places: listed in its StarterKit file, then its activities' venues."""

    def __init__(self, request):
        self.request = request

    def listed_places(self) -> list[Place]:
        city_map = self.request.tenant.map or {}
        places = []
        for entry in city_map.get("places") or []:
            if not isinstance(entry, dict):
                continue
            latitude = _coordinate(entry.get("latitude"), 90)
            longitude = _coordinate(entry.get("longitude"), 180)
            if latitude is None or longitude is None:
                continue
            name = str(entry.get("name") or "")
            address = str(entry.get("address") or name)
            places.append(Place(name or address, address, latitude, longitude, "city"))
        return places

    def venues(self) -> list[Place]:
        """Addresses of the city's public activities, published or past: never a draft's, nor
        a private or unlisted one's (an invitation-only meeting may be at someone's home)."""
        rows = self.request.dbsession.execute(
            select(Activity.address, Activity.latitude, Activity.longitude)
            .where(
                Activity.status != "draft",
                Activity.visibility == "public",
                Activity.address != "",
                Activity.latitude.is_not(None),
                Activity.longitude.is_not(None),
            )
            .group_by(Activity.address, Activity.latitude, Activity.longitude)
            .limit(MAX_VENUES)
        )
        return [
            Place(row.address, row.address, row.latitude, row.longitude, "city") for row in rows
        ]

    def search(self, query: str, limit: int = 8) -> list[Place]:
        words = _folded(query).split()
        places = [*self.listed_places(), *self.venues()]
        matching = [place for place in places if _has_words(place, words)]
        # One place per address: a place the city listed wins over a venue.
        by_address: dict[str, Place] = {}
        for place in matching:
            by_address.setdefault(_folded(place.address), place)
        by_name = sorted(by_address.values(), key=_folded_name)
        return by_name[:limit]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead anywhere, past the address check: the service's URL is set exactly.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@implementer(IGeocoder)
class NominatimGeocoder(CityPlacesGeocoder):
    """The city's own places, then a Nominatim-compatible service's answers near the city.

    Settings: ``col.geocoder_url`` (its search endpoint, e.g.
    ``https://nominatim.openstreetmap.org/search``; respect its usage policy),
    ``col.geocoder_timeout`` (seconds) and ``col.geocoder_allow_private`` (only for a service
    on the deployment's own network, checked as outbound requests are in ``col_core.outbound``).
    """

    def search(self, query: str, limit: int = 8) -> list[Place]:
        own = super().search(query, limit)
        return own + self.remote(query, limit - len(own)) if len(own) < limit else own

    def remote(self, query: str, limit: int) -> list[Place]:
        settings = self.request.registry.settings
        base = settings.get("col.geocoder_url", "")
        params = {"q": query, "format": "jsonv2", "limit": str(limit)}
        tenant = self.request.tenant
        center = (tenant.map or {}).get("center")
        if center:
            # Prefer (not restrict to) a box of about 50 km around the city's centre.
            north, east = float(center[0]), float(center[1])
            params["viewbox"] = f"{east - 0.5},{north + 0.3},{east + 0.5},{north - 0.3}"
        if tenant.country:
            params["countrycodes"] = tenant.country.lower()
        url = f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"
        try:
            check_url(url, asbool(settings.get("col.geocoder_allow_private", "false")))
            request = urllib.request.Request(
                url,
                headers={
                    "User-Agent": "CitiesOfLearning-geocoder",
                    "Accept-Language": self.request.locale_name,
                },
            )
            opener = urllib.request.build_opener(_NoRedirects())
            timeout = float(settings.get("col.geocoder_timeout", "5"))
            with opener.open(request, timeout=timeout) as response:
                answer = json.loads(response.read(MAX_ANSWER))
        except (OutboundRefused, urllib.error.URLError, OSError, ValueError) as error:
            log.warning("geocoder %s did not answer: %s", base, error)
            return []
        places = []
        for entry in answer if isinstance(answer, list) else []:
            if not isinstance(entry, dict):
                continue
            latitude = _coordinate(entry.get("lat"), 90)
            longitude = _coordinate(entry.get("lon"), 180)
            label = str(entry.get("display_name") or "")[:300]
            if latitude is not None and longitude is not None and label:
                name = str(entry.get("name") or label)[:300]
                places.append(Place(name, label, latitude, longitude, "geocoder"))
        return places[:limit]


def geocoder_factory(settings):
    """The service factory of the geocoder class the ``col.geocoder`` setting names."""
    cls = DottedNameResolver().maybe_resolve(settings["col.geocoder"])
    return lambda context, request: cls(request)
