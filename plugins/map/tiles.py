"""The map's tiles: Web-Mercator (XYZ) tiles, each answered on its own and cached on its own.

A map asks for the tiles covering its viewport (Leaflet's own tile numbering), so panning asks
only for the tiles it has not got yet and two people looking at the same place ask the same
questions (an ETag, a CDN).  A tile with few matches answers its points; a crowded one (more
than ``map.tile_limit``) answers one cluster per cell of a ``GRID`` x ``GRID`` grid over it
(count, mean place and the bounds of its points, which the map zooms to), counted by the
database in one grouped statement; from ``POINTS_ZOOM`` on, tiles always answer points.  From
``POINTS_FIRST_ZOOM`` on, most tiles hold fewer points than that: their points are asked for
first, and counted in cells only when there are too many.
"""

from __future__ import annotations

import mercantile

MAX_ZOOM = 22
POINTS_ZOOM = 17
POINTS_FIRST_ZOOM = 15
GRID = 8  # cells per side: 32 pixels each on a 256-pixel tile


def bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the tile, in degrees."""
    box = mercantile.bounds(x, y, z)
    return box.west, box.south, box.east, box.north


def exists(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def cluster_feature(tile: tuple[int, int, int], cell) -> dict:
    """A cell of a crowded tile as a GeoJSON point feature at its points' mean place."""
    z, x, y = tile
    return {
        "type": "Feature",
        "id": f"cell:{z}/{x}/{y}/{cell.column}/{cell.row}",
        "geometry": {"type": "Point", "coordinates": [cell.lon, cell.lat]},
        "properties": {
            "cluster": True,
            "count": cell.size,
            "bounds": [cell.west, cell.south, cell.east, cell.north],
        },
    }
