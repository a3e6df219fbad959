"""The map plugin's hooks: its navigation entry, home page sections and setting defaults."""

from __future__ import annotations

from markupsafe import Markup
from pyramid.i18n import TranslationStringFactory
from pyramid.renderers import render

from col_core.hookspecs import NavItem, Section, hookimpl
from col_core.web.public import DEFAULT_ATTRIBUTION, DEFAULT_TILE_URL
from plugins.map import serendipity

_ = TranslationStringFactory("col_map")


@hookimpl
def col_settings_defaults():
    return {
        "map.tile_url": DEFAULT_TILE_URL,
        "map.attribution": DEFAULT_ATTRIBUTION,
        # The most features one GeoJSON answer carries; more sets "truncated" and a next link.
        "map.geojson_limit": "2000",
        # The most points one tile answers; a tile with more answers clusters (tiles.py).
        "map.tile_limit": "300",
    }


@hookimpl
def col_navigation(request):
    return [
        NavItem(
            title=request.localizer.translate(_("Map")),
            url=request.route_url("map"),
            order=10,
            icon="map",
            search=True,
        )
    ]


@hookimpl
def col_home_sections(request):
    if request.tenant.is_global:
        return []
    picks = serendipity.home_picks(request)
    html = render("plugins.map:templates/home_section.jinja2", {"picks": picks}, request=request)
    return [
        Section(
            title=request.localizer.translate(_("Happening soon")),
            html=Markup(html),
            order=20,
            id="happening-soon",
        )
    ]
