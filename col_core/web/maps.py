"""The city's map tiles: one tile server per city, shared by every page that draws a map."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = "© OpenStreetMap contributors"


def city_tiles(request) -> tuple[str, str]:
    """``(tile URL template, attribution)`` of the request's city: its ``[map]`` table, else
    the ``map.tile_url`` and ``map.attribution`` settings, else OpenStreetMap."""
    settings = request.registry.settings
    own = (request.tenant.map if request.tenant is not None else None) or {}
    return (
        own.get("tile_url") or settings.get("map.tile_url") or DEFAULT_TILE_URL,
        own.get("attribution") or settings.get("map.attribution") or DEFAULT_ATTRIBUTION,
    )


def tile_source(template: str) -> str | None:
    """The Content-Security-Policy source that allows the tiles of ``template``:
    ``https://tile.example.org``, or ``https://*.tile.example.org`` for ``{s}.tile.example.org``.
    None when the host cannot be expressed as a source (launch refuses such templates)."""
    parts = urlsplit(template)
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]
    if (
        parts.scheme not in ("http", "https")
        or not host
        or "{" in host
        or "}" in host
        or "@" in host
    ):
        return None
    return f"{parts.scheme}://{host}"
