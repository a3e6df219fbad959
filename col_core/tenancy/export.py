"""Writing a live tenant back as a tenant folder (the layout :mod:`col_core.tenancy.launch`
reads), so that launching the export gives the same tenant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit

from col_core.tenancy.launch import ASSET_KEYS, CATEGORIES_FILE, CONFIG_FILE, RESERVED_SETTINGS
from col_core.tenancy.models import Tenant


def export(tenant: Tenant, folder: Path, storage) -> list[Path]:
    """Write ``tenant``'s live configuration as a tenant folder; returns the files written."""
    branding = dict(tenant.branding or {})
    settings = dict(tenant.settings or {})
    files: dict[Path, bytes] = {}
    config = _config(tenant, settings)
    config["branding"] = _branding(branding, storage, files)
    config["map"] = dict(tenant.map or {})
    config.update(_settings(settings))
    files[Path(CONFIG_FILE)] = _toml(config)
    files.update(_text_files(tenant, branding))
    if settings.get("categories"):
        files[Path(CATEGORIES_FILE)] = _categories(settings["categories"])
    files.update(_legal_files(settings))
    return _write(folder, files)


def _toml(values: dict) -> bytes:
    return tomlkit.dumps(values).encode()


def _config(tenant: Tenant, settings: dict) -> dict[str, Any]:
    """The tenant's own fields, in the order the tenant file lists them."""
    config: dict[str, Any] = {"slug": tenant.slug, "kind": tenant.kind, "name": tenant.name}
    if tenant.country:
        config["country"] = tenant.country
    config["timezone"] = tenant.timezone
    config["locales"] = list(tenant.locales)
    config["default_locale"] = tenant.default_locale
    if tenant.hostnames:
        config["hostnames"] = tenant.hostnames
    if tenant.plugins is not None:
        config["enabled_plugins"] = list(tenant.plugins)
    return config


def _branding(branding: dict, storage, files: dict[Path, bytes]) -> dict:
    """The branding table of the tenant file; each asset's content is added to ``files``."""
    exported = {}
    named_files = branding.get("files") or {}
    for key in ASSET_KEYS:
        if key not in branding:
            continue
        stored = branding[key]
        extension = stored.rpartition(".")[2]
        relative = named_files.get(key) or f"branding/{key}.{extension}"
        exported[key] = relative
        files[Path(relative)] = storage.get(stored)
    if branding.get("colours"):
        exported["colours"] = branding["colours"]
    return exported


def _settings(settings: dict) -> dict[str, Any]:
    """The tenant file's ``settings`` (those it has no table of its own for) and ``plugins``."""
    entries: dict[str, Any] = {}
    extra = {key: value for key, value in settings.items() if key not in RESERVED_SETTINGS}
    if extra:
        entries["settings"] = extra
    if settings.get("plugins"):
        entries["plugins"] = settings["plugins"]
    return entries


def _legal_files(settings: dict) -> dict[Path, bytes]:
    files = {}
    for code, pages in (settings.get("legal") or {}).items():
        for page, text in pages.items():
            path = Path("legal") / code / f"{page}.md"
            files[path] = text.encode()
    return files


def _text_files(tenant: Tenant, branding: dict) -> dict[Path, bytes]:
    """Each language's texts, the site's title in that language among them."""
    texts = {code: dict(values) for code, values in (branding.get("texts") or {}).items()}
    for code, title in (tenant.names or {}).items():
        texts.setdefault(code, {})["site_title"] = title
    return {Path("texts") / f"{code}.toml": _toml(values) for code, values in texts.items()}


def _icon(entry: dict) -> dict:
    return {"icon": entry["icon"]} if entry.get("icon") else {}


def _categories(categories: list[dict]) -> bytes:
    listed = [
        {"slug": entry["slug"], **_icon(entry), **entry.get("names", {})} for entry in categories
    ]
    return _toml({"category": listed})


def _write(folder: Path, files: dict[Path, bytes]) -> list[Path]:
    written = []
    for relative, content in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    return written
