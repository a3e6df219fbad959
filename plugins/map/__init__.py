"""The map plugin: discovery on a map and in a list, filters, serendipity, open-data feeds."""

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster


def includeme(config):
    config.add_translation_domain(__name__, "col_map", "plugins.map:locale")
    # Leaflet and its clustering come from their PyPI packages (XStatic), never copied here.
    config.add_static_assets("leaflet", xstatic.pkg.leaflet.BASE_DIR)
    config.add_static_assets("markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR)
    config.add_static_assets("assets", "plugins.map:static")
    config.add_route("map", "/")
    config.add_route("map.surprise", "/surprise")
    config.add_route("map.ics", "/activities.ics")
    # GETs of the map and its feeds may read from a PostgreSQL replica (docs/deployment.md).
    config.add_replica_routes(
        "map",
        "map.ics",
        "api.get.activities.geojson",
        "api.get.activities.unlocated",
        "api.get.map.tile",
    )
    config.include("plugins.map.api")
    config.scan("plugins.map.views")
