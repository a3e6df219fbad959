"""``?group=<kind>:<id>``: the map, its list and its feeds show one group's activities.

A plugin resolves the group through the ``col_map_group`` hook (the playlists plugin answers
``playlist:<id>``), so the map never names who owns a group.  An unknown group, or one the
person may not see, is a 404 rather than an empty map, in the page and in the API alike.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory

from col_core.activities.search.query import QueryError
from col_core.api import ApiError
from plugins.map.hookspecs import MapGroup

_ = TranslationStringFactory("col_map")
PARAMETER = "group"
MAX_LENGTH = 100  # "<kind>:<id>"; anything longer is no group's name

OPENAPI_PARAMETER = {
    "name": PARAMETER,
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "Only the activities of one group, as kind:id (playlist:12); "
    "404 when there is no such group the caller may see.",
}


def requested_group(request) -> MapGroup | None:
    """The request's group, None when it asks for none; raises HTTPNotFound when unknown."""
    name = request.GET.get(PARAMETER, "").strip()
    if not name:
        return None
    group = (
        request.hooks.col_map_group(request=request, group=name)
        if len(name) <= MAX_LENGTH
        else None
    )
    if group is None:
        raise HTTPNotFound(
            request.localizer.translate(_("There is no such group of activities in this city."))
        )
    return group


def narrowed(request, query, group: MapGroup | None):
    """``query`` kept to the group's activities (unchanged without a group)."""
    if group is None:
        return query
    try:
        return query.but(keys=tuple(str(key) for key in group.activity_ids))
    except QueryError as error:
        raise ApiError(
            request.localizer.translate(_("This group has too many activities to show.")),
            fields={
                name: request.localizer.translate(message) for name, message in error.fields.items()
            },
        ) from None


def cache_key(group: MapGroup | None) -> str:
    """What a cached answer for the group depends on besides the search index: its members."""
    return "" if group is None else ",".join(group.activity_ids)
