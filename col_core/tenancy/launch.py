"""Launching a tenant from its folder, and writing a live tenant back to one.

A tenant folder (``tenants/<slug>/``, made from ``starterkit/template``) holds::

    tenant.toml              identity, languages, map, colours, asset paths, settings
    categories.toml          [[category]] tables: slug, one name per language, an optional icon
    texts/<lang>.toml        site_title, welcome_title, welcome_text, footer
    legal/<lang>/<page>.md   terms.md and privacy.md, in Markdown
    branding/                the files tenant.toml points at (logo, favicon, cover)

:func:`read_folder` validates everything first and reports every problem with the file, the
field and what is expected; :func:`apply` then creates or updates the tenant idempotently.
Nothing is written when validation fails.  :mod:`col_core.tenancy.export` writes the live
tenant back in the same layout.
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

from col_core.activities.icons import icon_names
from col_core.storage import UploadRejected, sniff
from col_core.tenancy.consent_ages import consent_age_of
from col_core.tenancy.models import KINDS, Tenant, TenantHost
from col_core.tenancy.scoping import cross_tenant
from col_core.web.branding import DEFAULT_COLOURS, contrast_problems
from col_core.web.maps import tile_source

CONFIG_FILE = "tenant.toml"
CATEGORIES_FILE = "categories.toml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ASSET_KEYS = ("logo", "favicon", "cover")
TEXT_KEYS = ("site_title", "welcome_title", "welcome_text", "footer")
LEGAL_PAGES = ("terms", "privacy")
MAP_KEYS = ("center", "zoom", "tile_url", "attribution", "places")
MAX_PLACES = 500
TOP_LEVEL = {
    "slug",
    "kind",
    "name",
    "country",
    "timezone",
    "default_locale",
    "locales",
    "hostnames",
    "enabled_plugins",
    "branding",
    "map",
    "settings",
    "plugins",
}
# Keys the tenant keeps in ``settings`` for what lives in other files of the folder.
RESERVED_SETTINGS = ("categories", "legal", "plugins")
MOVED = {
    "names": "texts/<lang>.toml (site_title)",
    "texts": "texts/<lang>.toml",
    "categories": CATEGORIES_FILE,
    "legal": "legal/<lang>/<page>.md",
}
MAX_TEXT = 5000


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
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    categories: list[dict[str, Any]] = field(default_factory=list)
    legal: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.data["slug"]


def valid_locale(code: str) -> bool:
    try:
        Locale.parse(code)
        return True
    except (UnknownLocaleError, ValueError, TypeError):
        return False


class _Problems(list):
    def add(self, path: Path, name: str, expected: str) -> None:
        self.append(f"{path}: {name}: {expected}")


def _load_toml(path: Path, problems: _Problems) -> dict | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        problems.append(f"{path}: not valid TOML: {error}")
        return None


def read_folder(folder: str | Path, installed_plugins: set[str]) -> TenantSpec:
    folder = Path(folder)
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise LaunchError([f"{path}: missing: expected a {CONFIG_FILE} file in {folder}"])
    problems = _Problems()
    data = _load_toml(path, problems)
    if data is None:
        raise LaunchError(problems)
    spec = TenantSpec(folder=folder, data=data)
    _check_config(spec, installed_plugins, problems)
    locales = data["locales"] if isinstance(data["locales"], list) else []
    spec.texts = _read_texts(folder, locales, problems)
    spec.categories = _read_categories(folder, locales, problems)
    spec.legal = _read_legal(folder, locales, data["default_locale"], problems)
    if problems:
        raise LaunchError(problems)
    return spec


def _check_config(spec: TenantSpec, installed_plugins: set[str], problems: _Problems) -> None:
    data, path = spec.data, spec.folder / CONFIG_FILE

    def problem(name: str, expected: str) -> None:
        problems.add(path, name, expected)

    for key in sorted(set(data) - TOP_LEVEL):
        problem(
            key,
            f"moved to {MOVED[key]}"
            if key in MOVED
            else "unknown field; expected one of " + ", ".join(sorted(TOP_LEVEL)),
        )
    slug = data.setdefault("slug", spec.folder.name)
    if not isinstance(slug, str) or not SLUG.match(slug):
        problem("slug", "lower-case letters, digits and hyphens, starting with a letter or digit")
    if data.setdefault("kind", "city") not in KINDS:
        problem("kind", "one of " + ", ".join(KINDS))
    if not isinstance(data.get("name"), str) or not data.get("name", "").strip():
        problem("name", 'the tenant\'s name, e.g. name = "Vilnius"')
    if data.get("country") and not (
        isinstance(data["country"], str) and re.fullmatch(r"[A-Z]{2}", data["country"])
    ):
        problem("country", 'an ISO 3166 two-letter country code such as "LT"')
    try:
        zoneinfo.ZoneInfo(data.setdefault("timezone", "UTC"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        problem("timezone", 'an IANA time zone such as "Europe/Vilnius"')
    locales = data.setdefault("locales", ["en"])
    if (
        not isinstance(locales, list)
        or not locales
        or not all(isinstance(code, str) and valid_locale(code) for code in locales)
    ):
        problem("locales", 'a list of language codes such as ["lt", "en"]')
    default_locale = data.setdefault("default_locale", locales[0] if locales else "en")
    if isinstance(locales, list) and default_locale not in locales:
        problem("default_locale", f"one of the listed locales {locales}")
    hostnames = data.setdefault("hostnames", [])
    for hostname in hostnames if isinstance(hostnames, list) else [hostnames]:
        if not isinstance(hostname, str) or not HOSTNAME.match(hostname):
            problem("hostnames", f'{hostname!r} is not a host name such as "learn.vilnius.lt"')
    plugins = data.get("enabled_plugins")
    if plugins is not None:
        unknown = sorted(set(plugins) - installed_plugins) if isinstance(plugins, list) else None
        if unknown is None or unknown:
            problem(
                "enabled_plugins",
                "a list of installed plugins: "
                + ", ".join(sorted(installed_plugins))
                + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            )
    for key in ("map", "branding", "settings", "plugins"):
        if not isinstance(data.setdefault(key, {}), dict):
            problem(key, f"a table: [{key}]")
            data[key] = {}
    _check_map(data["map"], problem, required=data["kind"] != "global")
    reserved = sorted(set(data["settings"]) & set(RESERVED_SETTINGS))
    if reserved:
        problem("settings", f"{', '.join(reserved)} cannot be set here; use the folder's files")
    _check_settings(data["settings"], data.get("country"), problem)
    spec.assets = _check_branding(spec.folder, data["branding"], problem)


def _whole_number(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_settings(settings: dict, country, problem) -> None:
    """The core's own settings (plugins may keep others here): a wrong value would otherwise
    surface as a failed sign-up long after launch."""
    ages = {}
    for key, low, high, expected in (
        ("minimum_age", 0, 25, "a whole number of years from 0 to 25"),
        # GDPR Art. 8 lets each country choose from 13 to 16.
        ("digital_consent_age", 13, 16, "a whole number of years from 13 to 16 (GDPR Art. 8)"),
    ):
        if key in settings:
            if _whole_number(settings[key], low, high):
                ages[key] = settings[key]
            else:
                problem(f"settings.{key}", expected)
    if ages.get("minimum_age", 0) > ages.get("digital_consent_age", 16):
        problem("settings.minimum_age", "at most digital_consent_age")
    legal = consent_age_of(country if isinstance(country, str) else None)
    if legal is not None and ages.get("digital_consent_age", legal.age) < legal.age:
        # Older is allowed (a city may be stricter); younger would break the country's law.
        problem(
            "settings.digital_consent_age",
            f"at least {legal.age}, the age of digital consent in {country} ({legal.law})",
        )
    if "unverified_organisations_can_publish" in settings and not isinstance(
        settings["unverified_organisations_can_publish"], bool
    ):
        problem("settings.unverified_organisations_can_publish", "true or false")
    if "unverified_organisations_wait_hours" in settings and not _whole_number(
        settings["unverified_organisations_wait_hours"], 0, 24 * 90
    ):
        problem(
            "settings.unverified_organisations_wait_hours", "a whole number of hours from 0 to 2160"
        )
    if "check_in_opens_minutes_before" in settings and not _whole_number(
        settings["check_in_opens_minutes_before"], 0, 24 * 60
    ):
        problem(
            "settings.check_in_opens_minutes_before", "a whole number of minutes from 0 to 1440"
        )
    legal_version = settings.get("legal_version", "")
    if not isinstance(legal_version, str) or len(legal_version) > 64:
        problem("settings.legal_version", 'a short text such as "2026-11" (at most 64 characters)')
    hosts = settings.get("peertube_hosts", [])
    if not isinstance(hosts, list) or not all(
        isinstance(host, str) and HOSTNAME.match(host) for host in hosts
    ):
        problem("settings.peertube_hosts", 'a list of host names such as ["video.example.org"]')


def _check_branding(folder: Path, branding: dict, problem) -> dict[str, bytes]:
    for key in sorted(set(branding) - {"colours", *ASSET_KEYS}):
        problem(f"branding.{key}", "unknown; expected colours, " + ", ".join(ASSET_KEYS))
    colours = branding.get("colours", {})
    if not isinstance(colours, dict):
        problem("branding.colours", 'a table such as [branding.colours] primary = "#8a1538"')
        colours = {}
    for name in sorted(set(colours) - set(DEFAULT_COLOURS)):
        problem(f"branding.colours.{name}", "unknown; expected " + ", ".join(DEFAULT_COLOURS))
    for message in contrast_problems(colours):
        name, _, expected = message.partition(" ")
        problem(f"branding.{name}", expected)
    assets = {}
    for key in ASSET_KEYS:
        if key not in branding:
            continue
        relative = branding[key]
        asset = (folder / str(relative)).resolve()
        if not isinstance(relative, str) or not asset.is_relative_to(folder.resolve()):
            problem(f"branding.{key}", f'a path inside {folder}, such as "branding/{key}.svg"')
        elif not asset.is_file():
            problem(
                f"branding.{key}", f"a file inside {folder}; {folder / relative} does not exist"
            )
        else:
            content = asset.read_bytes()
            try:
                sniff(content, {"image", "svg"})
            except UploadRejected as error:
                problem(f"branding.{key}", f"{relative}: {error}")
            assets[key] = content
    return assets


def _check_map(map_config: dict, problem, required: bool) -> None:
    for key in sorted(set(map_config) - set(MAP_KEYS)):
        problem(f"map.{key}", "unknown; expected " + ", ".join(MAP_KEYS))
    center = map_config.get("center")
    if center is not None or required:
        if not (
            isinstance(center, list)
            and len(center) == 2
            and all(isinstance(v, (int, float)) for v in center)
            and -90 <= center[0] <= 90
            and -180 <= center[1] <= 180
        ):
            problem("map.center", "[latitude, longitude], e.g. [54.687, 25.279]")
    zoom = map_config.get("zoom")
    if zoom is not None and not (isinstance(zoom, int) and 1 <= zoom <= 19):
        problem("map.zoom", "a whole number from 1 to 19")
    tiles = map_config.get("tile_url")
    if tiles is not None and not (
        isinstance(tiles, str)
        and all(part in tiles for part in ("{z}", "{x}", "{y}"))
        and tile_source(tiles)
    ):
        # Pages allow images from the tile server by name (docs/security.md), so its host may
        # vary only in its first label.
        problem(
            "map.tile_url",
            "a tile URL template with {z}, {x} and {y} on an http(s) host, "
            "with {s} only as the host's first label",
        )
    if tiles is not None and not (
        isinstance(map_config.get("attribution"), str) and map_config["attribution"].strip()
    ):
        problem(
            "map.attribution",
            'the tile provider\'s required credit, e.g. "© OpenStreetMap contributors"',
        )
    _check_places(map_config.get("places"), problem)


def _check_places(places, problem) -> None:
    """The city's well-known places, offered by the activity form's address search."""
    if places is None:
        return
    if not isinstance(places, list) or len(places) > MAX_PLACES:
        problem("map.places", f"a list of at most {MAX_PLACES} [[map.places]] tables")
        return
    for number, place in enumerate(places, start=1):
        if not (
            isinstance(place, dict)
            and isinstance(place.get("name"), str)
            and place["name"].strip()
            and isinstance(place.get("address", ""), str)
            and all(
                isinstance(place.get(key), (int, float)) and not isinstance(place.get(key), bool)
                for key in ("latitude", "longitude")
            )
            and -90 <= place["latitude"] <= 90
            and -180 <= place["longitude"] <= 180
        ):
            problem(
                f"map.places[{number}]",
                'name = "...", address = "...", latitude = 54.68, longitude = 25.28',
            )


def _language_of(path: Path, locales: list[str], problems: _Problems) -> bool:
    language = path.stem if path.is_file() else path.name
    if language in locales:
        return True
    problems.add(
        path,
        "language",
        f"{language!r} is not one of this city's locales "
        f"{locales}; add it to locales in {CONFIG_FILE} or remove this file",
    )
    return False


def _read_texts(folder: Path, locales: list[str], problems: _Problems) -> dict:
    texts = {}
    for path in sorted((folder / "texts").glob("*.toml")):
        values = _load_toml(path, problems)
        if values is None or not _language_of(path, locales, problems):
            continue
        for key in sorted(set(values) - set(TEXT_KEYS)):
            problems.add(path, key, "unknown; expected " + ", ".join(TEXT_KEYS))
        for key in TEXT_KEYS:
            value = values.get(key)
            if value is not None and not (isinstance(value, str) and len(value) <= MAX_TEXT):
                problems.add(path, key, f"text of at most {MAX_TEXT} characters")
        texts[path.stem] = {
            key: values[key].strip()
            for key in TEXT_KEYS
            if isinstance(values.get(key), str) and values[key].strip()
        }
    return texts


def _read_categories(folder: Path, locales: list[str], problems: _Problems) -> list[dict]:
    path = folder / CATEGORIES_FILE
    if not path.is_file():
        return []
    values = _load_toml(path, problems)
    if values is None:
        return []
    entries = values.get("category", [])
    if set(values) - {"category"} or not isinstance(entries, list):
        problems.add(
            path, "category", "[[category]] tables, each with a slug and one name per language"
        )
        return []
    categories, seen = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"category {number}"
        slug = entry.get("slug")
        if not isinstance(slug, str) or not SLUG.match(slug) or slug in seen:
            problems.add(path, f"{where}.slug", 'a unique lower-case identifier such as "sport"')
        seen.add(slug)
        icon = _category_icon(entry, path, where, problems)
        names = {code: name for code, name in entry.items() if code not in ("slug", "icon")}
        for code in locales:
            if not isinstance(names.get(code), str) or not names[code].strip():
                problems.add(path, f"{where}.{code}", f"the category's name in {code!r}")
        for code in sorted(set(names) - set(locales)):
            problems.add(path, f"{where}.{code}", f"not one of this city's locales {locales}")
        categories.append({"slug": slug, "names": names, **icon})
    return categories


def _category_icon(entry: dict, path: Path, where: str, problems: _Problems) -> dict:
    """``{"icon": name}`` when the category names one of the icons, else nothing."""
    icon = entry.get("icon")
    if icon is None:
        return {}
    if icon not in icon_names():
        problems.add(path, f"{where}.icon", f"one of the icons {icon_names()}")
        return {}
    return {"icon": icon}


def _read_legal(folder: Path, locales: list[str], default_locale: str, problems: _Problems) -> dict:
    legal: dict[str, dict[str, str]] = {}
    for language_dir in sorted(p for p in (folder / "legal").glob("*") if p.is_dir()):
        if not _language_of(language_dir, locales, problems):
            continue
        for path in sorted(language_dir.iterdir()):
            if path.suffix != ".md" or path.stem not in LEGAL_PAGES:
                problems.add(
                    path, "page", "expected " + " or ".join(f"{p}.md" for p in LEGAL_PAGES)
                )
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                problems.add(path, "text", "a UTF-8 text file")
                continue
            if not text.strip():
                problems.add(path, "text", "the page's text in Markdown; the file is empty")
            legal.setdefault(language_dir.name, {})[path.stem] = text
    # Another language falls back to the default one, so that one needs every page there is.
    for page in sorted({page for pages in legal.values() for page in pages}):
        if page not in legal.get(default_locale, {}):
            problems.add(
                folder / "legal" / default_locale / f"{page}.md",
                "page",
                f"missing: the default language {default_locale!r} needs every legal page",
            )
    return legal


def apply(request, spec: TenantSpec, storage) -> tuple[Tenant, bool]:
    """Create or update the tenant from ``spec``; returns (tenant, created).

    An operator's work (``col tenant launch``, the demo) on the platform's own tables: cities
    and their hosts are changed, under row-level security, only across cities."""
    with cross_tenant(request.dbsession):
        return _apply(request, spec, storage)


def _apply(request, spec: TenantSpec, storage) -> tuple[Tenant, bool]:
    session = request.dbsession
    data = spec.data
    tenant = session.scalar(select(Tenant).where(Tenant.slug == spec.slug))
    created = tenant is None
    if created:
        tenant = Tenant(slug=spec.slug)
        session.add(tenant)
    branding = {"colours": dict(data["branding"].get("colours", {}))}
    for key, content in spec.assets.items():
        branding[key] = storage.put(content, allowed={"image", "svg"})
    # The folder's file names, so that an export writes each file back where it came from.
    branding["files"] = {key: data["branding"][key] for key in spec.assets}
    # The site title lives in ``names`` (Tenant.display_name); the other texts in branding.
    branding["texts"] = {
        code: {key: text for key, text in texts.items() if key != "site_title"}
        for code, texts in spec.texts.items()
    }
    tenant.kind = data["kind"]
    tenant.name = data["name"]
    tenant.names = {
        code: texts["site_title"] for code, texts in spec.texts.items() if "site_title" in texts
    }
    tenant.country = data.get("country", "")
    tenant.timezone = data["timezone"]
    tenant.locales = data["locales"]
    tenant.default_locale = data["default_locale"]
    tenant.branding = branding
    tenant.map = data["map"]
    tenant.plugins = data.get("enabled_plugins")
    tenant.settings = {
        **data["settings"],
        "categories": spec.categories,
        "legal": spec.legal,
        "plugins": data["plugins"],
    }
    wanted = set(data.get("hostnames", []))
    taken = (
        session.scalars(
            select(TenantHost).where(
                TenantHost.hostname.in_(wanted), TenantHost.tenant_id != tenant.id
            )
        ).all()
        if wanted
        else []
    )
    if taken:
        raise LaunchError(
            [
                f"{spec.folder / CONFIG_FILE}: hostnames: {host.hostname} already "
                f"serves tenant {host.tenant.slug}"
                for host in taken
            ]
        )
    tenant.hosts = [host for host in tenant.hosts if host.hostname in wanted] + [
        TenantHost(hostname=name) for name in sorted(wanted - {h.hostname for h in tenant.hosts})
    ]
    session.flush()
    return tenant, created
