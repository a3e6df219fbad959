"""Gettext catalogs: compiled from ``.po`` at start-up when missing or stale, never committed."""

from __future__ import annotations

import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def compile_catalogs(directory: Path, domain: str) -> list[Path]:
    """Compile ``<dir>/<lang>/LC_MESSAGES/<domain>.po`` to ``.mo`` where it is newer."""
    compiled = []
    for po_path in sorted(directory.glob(f"*/LC_MESSAGES/{domain}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3], domain=domain)
        try:
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
        except OSError as error:  # a read-only installation keeps its build-time catalogs
            log.warning("Cannot compile %s: %s", po_path, error)
            continue
        compiled.append(mo_path)
    return compiled


def registered_domains(registry) -> dict[str, str]:
    """Package name -> translation domain, filled by ``config.add_translation_domain``."""
    return registry.setdefault("col.translation_domains", {})


def domain_for(registry, name: str) -> str:
    """The domain of a template name (``plugins.map:templates/x.jinja2``) or module name."""
    package, _colon, _path = name.partition(":")
    domains = registered_domains(registry)
    # The most specific registered package that is this one or holds it.
    holders = [prefix for prefix in domains if _within(package, prefix)]
    nearest = max(holders, key=len, default="")
    return domains.get(nearest, "col")


def _within(package: str, prefix: str) -> bool:
    return package == prefix or package.startswith(prefix + ".")
