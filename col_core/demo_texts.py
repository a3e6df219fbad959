"""The texts of ``col demo`` in each city's language, read from data files.

A demo module keeps its texts in a TOML file beside it: one table per language code (``[en]``,
``[lt]``, ...), each with the same keys.  A city gets its default language's texts; a key or a
language missing from the file falls back to English, so adding a language is adding a table.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any


@functools.cache
def _tables(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _merged(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``own``'s entries over it, table by table."""
    merged = dict(base)
    for key, value in own.items():
        fallback = base.get(key)
        if isinstance(value, dict) and isinstance(fallback, dict):
            value = _merged(fallback, value)
        merged[key] = value
    return merged


def demo_texts(path: Path, tenant) -> dict[str, Any]:
    """The texts in ``path`` for ``tenant``'s default language, English where it has none."""
    tables = _tables(path)
    return _merged(tables["en"], tables.get(tenant.default_locale or "en", {}))
