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
    config: dict[str, Any] = {"slug": tenant.slug, "kind": tenant.kind, "name": tenant.name}
    if tenant.country:
        config["country"] = tenant.country
    config.update(
        timezone=tenant.timezone, locales=list(tenant.locales), default_locale=tenant.default_locale
    )
    if tenant.hostnames:
        config["hostnames"] = tenant.hostnames
    if tenant.plugins is not None:
        config["enabled_plugins"] = list(tenant.plugins)
    files: dict[Path, bytes] = {}
    config["branding"] = {}
    for key in ASSET_KEYS:
        if key in branding:
            extension = branding[key].rpartition(".")[2]
            relative = (branding.get("files") or {}).get(key) or f"branding/{key}.{extension}"
            config["branding"][key] = relative
            files[Path(relative)] = storage.get(branding[key])
    if branding.get("colours"):
        config["branding"]["colours"] = branding["colours"]
    config["map"] = dict(tenant.map or {})
    extra = {key: value for key, value in settings.items() if key not in RESERVED_SETTINGS}
    if extra:
        config["settings"] = extra
    if settings.get("plugins"):
        config["plugins"] = settings["plugins"]
    files[Path(CONFIG_FILE)] = tomlkit.dumps(config).encode()
    texts = {code: dict(values) for code, values in (branding.get("texts") or {}).items()}
    for code, title in (tenant.names or {}).items():
        texts.setdefault(code, {})["site_title"] = title
    for code, values in texts.items():
        files[Path("texts") / f"{code}.toml"] = tomlkit.dumps(values).encode()
    if settings.get("categories"):
        categories = [
            {"slug": entry["slug"], **entry.get("names", {})} for entry in settings["categories"]
        ]
        files[Path(CATEGORIES_FILE)] = tomlkit.dumps({"category": categories}).encode()
    for code, pages in (settings.get("legal") or {}).items():
        for page, text in pages.items():
            files[Path("legal") / code / f"{page}.md"] = text.encode()
    written = []
    for relative, content in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(target)
    return written
