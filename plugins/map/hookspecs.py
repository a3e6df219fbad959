"""The hooks the map plugin adds: other plugins offer groups of activities to show on the map,
and suggestions for a learner's home page ("For you").

Declared only where the map plugin is installed (``col_core.plugins`` adds every plugin's
``hookspecs`` module); docs/map.md documents it.
"""

from __future__ import annotations

from dataclasses import dataclass

from col_core.hookspecs import hookspec


@dataclass(frozen=True)
class MapGroup:
    """A named set of activities shown together on the map (see ``col_map_group``)."""

    title: str  # the group's own name ("Summer of code"), for the banner's link back
    activity_ids: tuple[str, ...]  # the activities' search keys (their ids, as strings)
    url: str  # where the banner's link leads back to (the group's own page)
    heading: str  # the banner, translated: "Activities of the playlist “Summer of code”"


@hookspec(firstresult=True)
def col_map_group(request, group: str) -> MapGroup | None:
    """Resolve ``group`` (``"<kind>:<id>"``, e.g. ``"playlist:12"``) into a ``MapGroup``.

    Discovery pages (the map, its list and its feeds) call it for their ``group`` parameter and
    show only the group's activities.  Answer only for your own kind and only when the person
    asking may see the group in this city; otherwise return None, which the caller turns into
    a 404.  The first answer wins.
    """


@dataclass(frozen=True)
class Suggestion:
    """An activity to suggest to one learner, and why (see ``col_map_suggestions``)."""

    activity_id: int
    reason: str  # translated, in words the learner recognises: "Next in your playlist “Bikes”"


@hookspec
def col_map_suggestions(request, user) -> list[Suggestion]:
    """Activities of this city to suggest to ``user`` on the home page's "For you", each with
    the reason in words.

    Suggest from what your plugin knows about the learner (their playlists in progress, the
    skills of their badges, ...), best first, a few at most.  The map plugin drops what the
    learner cannot see, has joined already, or has ended, and shows each activity once, with the
    first reason offered for it.
    """
