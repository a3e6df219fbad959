"""Launching a tenant from its folder (``tenants/<slug>/tenant.toml`` and its assets).

:func:`read_folder` validates everything first and reports every problem with the file, the
field and what is expected; :func:`apply` then creates or updates the tenant idempotently.
Nothing is written when validation fails.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import select

from col_core.tenancy.models import KINDS, Tenant, TenantHost
from col_core.web.branding import contrast_problems

CONFIG_FILE = "tenant.toml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ASSET_KEYS = ("logo", "favicon", "cover")
TOP_LEVEL = {"slug", "kind", "name", "names", "country", "timezone", "default_locale", "locales",
             "hostnames", "enabled_plugins", "branding", "map", "settings", "plugins",
             "categories", "texts", "legal"}


class LaunchError(ValueError):
    """The tenant folder is not valid; ``problems`` lists each as 'file: field: expected'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class TenantSpec:
    folder: Path
    data: dict[str, Any]
    assets: dict[str, bytes] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.data["slug"]


def _valid_locale(code: str) -> bool:
    try:
        Locale.parse(code)
        return True
    except (UnknownLocaleError, ValueError, TypeError):
        return False


def read_folder(folder: str | Path, installed_plugins: set[str]) -> TenantSpec:
    folder = Path(folder)
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise LaunchError([f"{path}: missing: expected a {CONFIG_FILE} file in {folder}"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise LaunchError([f"{path}: not valid TOML: {error}"])
    problems: list[str] = []

    def problem(name: str, expected: str) -> None:
        problems.append(f"{path}: {name}: {expected}")

    for key in sorted(set(data) - TOP_LEVEL):
        problem(key, "unknown field; expected one of " + ", ".join(sorted(TOP_LEVEL)))
    slug = data.get("slug", folder.name)
    data["slug"] = slug
    if not isinstance(slug, str) or not SLUG.match(slug):
        problem("slug", "lower-case letters, digits and hyphens, starting with a letter or digit")
    if data.setdefault("kind", "city") not in KINDS:
        problem("kind", "one of " + ", ".join(KINDS))
    if not isinstance(data.get("name"), str) or not data.get("name", "").strip():
        problem("name", "the tenant's name, e.g. name = \"Vilnius\"")
    if data.get("country") and not (isinstance(data["country"], str)
                                    and re.fullmatch(r"[A-Z]{2}", data["country"])):
        problem("country", "an ISO 3166 two-letter country code such as \"LT\"")
    try:
        zoneinfo.ZoneInfo(data.setdefault("timezone", "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        problem("timezone", "an IANA time zone such as \"Europe/Vilnius\"")
    locales = data.setdefault("locales", ["en"])
    if not isinstance(locales, list) or not locales or not all(
            isinstance(code, str) and _valid_locale(code) for code in locales):
        problem("locales", "a list of language codes such as [\"lt\", \"en\"]")
    default_locale = data.setdefault("default_locale", locales[0] if locales else "en")
    if isinstance(locales, list) and default_locale not in locales:
        problem("default_locale", f"one of the listed locales {locales}")
    hostnames = data.setdefault("hostnames", [])
    for hostname in hostnames if isinstance(hostnames, list) else [hostnames]:
        if not isinstance(hostname, str) or not HOSTNAME.match(hostname):
            problem("hostnames", f"{hostname!r} is not a host name such as \"learn.vilnius.lt\"")
    plugins = data.get("enabled_plugins")
    if plugins is not None:
        unknown = sorted(set(plugins) - installed_plugins) if isinstance(plugins, list) else None
        if unknown is None or unknown:
            problem("enabled_plugins", "a list of installed plugins: "
                    + ", ".join(sorted(installed_plugins))
                    + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
    _check_map(data.setdefault("map", {}), problem)
    branding = data.setdefault("branding", {})
    for message in contrast_problems(branding.get("colours", {})):
        problems.append(f"{path}: branding.{message}")
    assets = {}
    for key in ASSET_KEYS:
        if key in branding:
            asset = folder / branding[key]
            if not asset.is_file():
                problem(f"branding.{key}", f"a file inside {folder}; {asset} does not exist")
            else:
                assets[key] = asset.read_bytes()
    if problems:
        raise LaunchError(problems)
    return TenantSpec(folder=folder, data=data, assets=assets)


def _check_map(map_config: dict, problem) -> None:
    center = map_config.get("center")
    if center is not None:
        if not (isinstance(center, list) and len(center) == 2
                and all(isinstance(v, (int, float)) for v in center)
                and -90 <= center[0] <= 90 and -180 <= center[1] <= 180):
            problem("map.center", "[latitude, longitude], e.g. [54.687, 25.279]")
    zoom = map_config.get("zoom")
    if zoom is not None and not (isinstance(zoom, int) and 1 <= zoom <= 19):
        problem("map.zoom", "a whole number from 1 to 19")
    tiles = map_config.get("tile_url")
    if tiles is not None and not (isinstance(tiles, str) and tiles.startswith(("https://", "http://"))
                                  and "{z}" in tiles):
        problem("map.tile_url", "a tile URL template with {z}, {x} and {y}")


def apply(request, spec: TenantSpec, storage) -> tuple[Tenant, bool]:
    """Create or update the tenant from ``spec``; returns (tenant, created)."""
    session = request.dbsession
    data = spec.data
    tenant = session.scalar(select(Tenant).where(Tenant.slug == spec.slug))
    created = tenant is None
    if created:
        tenant = Tenant(slug=spec.slug)
        session.add(tenant)
    branding = dict(data.get("branding", {}))
    for key, content in spec.assets.items():
        branding[key] = storage.put(content, allowed={"image", "svg"})
    tenant.kind = data["kind"]
    tenant.name = data["name"]
    tenant.names = data.get("names", {})
    tenant.country = data.get("country", "")
    tenant.timezone = data["timezone"]
    tenant.locales = data["locales"]
    tenant.default_locale = data["default_locale"]
    tenant.branding = {**branding, "texts": data.get("texts", {})}
    tenant.map = data.get("map", {})
    tenant.plugins = data.get("enabled_plugins")
    tenant.settings = {**data.get("settings", {}), "categories": data.get("categories", []),
                       "legal": data.get("legal", {})}
    wanted = set(data.get("hostnames", []))
    taken = session.scalars(select(TenantHost).where(
        TenantHost.hostname.in_(wanted), TenantHost.tenant_id != tenant.id)).all() if wanted else []
    if taken:
        raise LaunchError([f"{spec.folder / CONFIG_FILE}: hostnames: {host.hostname} already "
                           f"serves tenant {host.tenant.slug}" for host in taken])
    tenant.hosts = [host for host in tenant.hosts if host.hostname in wanted] + [
        TenantHost(hostname=name) for name in sorted(wanted - {h.hostname for h in tenant.hosts})
    ]
    session.flush()
    return tenant, created
