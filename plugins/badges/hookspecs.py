"""The hooks the badges plugin adds: other plugins react to badges being issued and revoked.

Declared only where the badges plugin is installed (``col_core.plugins`` adds every plugin's
``hookspecs`` module); docs/badges.md documents them.
"""

from __future__ import annotations

from col_core.hookspecs import hookspec


@hookspec
def col_badge_awarded(request, assertion) -> None:
    """A badge assertion was issued to a learner (playlists count it, analytics records it)."""


@hookspec
def col_badge_revoked(request, assertion) -> None:
    """A badge assertion was revoked: withdraw what it gave the learner (the esco plugin takes
    its skills off their profile, unless another source still shows them).  Same transaction.
    """
