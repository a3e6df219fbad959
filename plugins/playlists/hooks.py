"""The playlists plugin's hook implementations."""

from __future__ import annotations

from pathlib import Path

from col_core.hookspecs import hookimpl


@hookimpl
def col_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")
