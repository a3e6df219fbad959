"""The core's own implementations of the plugin hooks (always enabled, in every tenant)."""

from __future__ import annotations

from pathlib import Path

from col_core.hookspecs import hookimpl


@hookimpl
def col_migrations() -> str:
    return str(Path(__file__).parent / "db" / "migrations" / "versions")
