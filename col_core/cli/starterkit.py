"""``col starterkit new``: start a new city's folder from the StarterKit template."""

from __future__ import annotations

import json
import re
import tempfile
import tomllib
import zoneinfo
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import click
import tomlkit
from babel.core import get_global

from col_core import settings as col_settings
from col_core.plugins import bundled_plugins, configured_registry
from col_core.tenancy.consent_ages import GDPR_DEFAULT, consent_age_of
from col_core.tenancy.launch import CATEGORIES_FILE, SLUG, LaunchError, read_folder, valid_locale

REPOSITORY = Path(__file__).resolve().parents[2]
TEMPLATE = REPOSITORY / "starterkit" / "template"
FALLBACK_LANGUAGE = "en"
MARKER = re.compile(r"\{\{ (\w+) \}\}")


@click.group()
def starterkit() -> None:
    """The StarterKit: the template a new city starts from (starterkit/README.md)."""


def _locales(value: str) -> list[str]:
    codes = list(dict.fromkeys(code.strip() for code in value.split(",") if code.strip()))
    bad = [code for code in codes if not valid_locale(code)]
    if not codes or bad:
        raise click.BadParameter(
            f"{', '.join(bad) or value!r}: give language codes separated by commas, such as lt,en",
            param_hint="--locales",
        )
    return codes


def _timezone(country: str, timezone: str | None) -> str:
    if timezone:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise click.BadParameter(
                f"{timezone!r} is not a time zone such as Europe/Vilnius", param_hint="--timezone"
            ) from None
        return timezone
    zones = get_global("territory_zones").get(country, [])
    if len(zones) != 1:
        raise click.BadParameter(
            f"{country} has several time zones ({', '.join(zones)}); choose one with --timezone"
            if zones
            else f"no time zone known for {country}; give one with --timezone",
            param_hint="--timezone",
        )
    return zones[0]


def _center(value: str | None) -> str:
    if value is None:
        return "# center = [latitude, longitude]   <- fill this in before launching"
    try:
        latitude, longitude = (float(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter(
            "give latitude,longitude such as 54.687,25.279", param_hint="--center"
        ) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise click.BadParameter(
            "latitude must be within ±90, longitude within ±180", param_hint="--center"
        )
    return f"center = [{latitude}, {longitude}]"


def _render(text: str, values: dict[str, str], suffix: str) -> str:
    # Values are escaped for the file they land in, so a city called "Sint-Niklaas & co" works.
    def value(match):
        raw = values[match.group(1)]
        if suffix == ".toml" and match.group(1) not in (
            "locales",
            "enabled_plugins",
            "center",
            "zoom",
            "digital_consent_age",
        ):
            return json.dumps(raw, ensure_ascii=False)[1:-1]
        return xml_escape(raw, {'"': "&quot;"}) if suffix == ".svg" else raw

    return MARKER.sub(value, text)


def _categories(template: Path, locales: list[str]) -> str:
    """The template's categories (and its opening notes) with names in the city's languages."""
    text = template.read_text(encoding="utf-8")
    categories = tomllib.loads(text)["category"]
    entries = [_category_toml(entry, locales) for entry in categories]
    return _opening_notes(text) + "\n".join(entries)


def _opening_notes(text: str) -> str:
    """What the template says before its first category."""
    header, *_categories = re.split(r"^\[\[category\]\]$", text, maxsplit=1, flags=re.M)
    return header


def _category_toml(entry: dict, locales: list[str]) -> str:
    """One category, named in each of the city's languages (in the fallback language where the
    template has no name in one)."""
    fallback = entry[FALLBACK_LANGUAGE]
    names = {code: entry.get(code, fallback) for code in locales}
    category = {"slug": entry["slug"], **names}
    return tomlkit.dumps({"category": [category]})


def write_folder(
    target: Path, values: dict[str, str], locales: list[str], template: Path = TEMPLATE
) -> list[str]:
    """Write a new tenant folder at ``target``; returns notes on what still needs translating."""
    notes = []
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        draft = Path(scratch) / target.name
        for source in sorted(template.rglob("*")):
            relative = source.relative_to(template)
            if source.is_dir() or relative.parts[0] in ("texts", "legal"):
                continue
            destination = draft / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text(encoding="utf-8")
            if relative.name == CATEGORIES_FILE:
                text = _categories(source, locales)
            destination.write_text(_render(text, values, source.suffix), encoding="utf-8")
        for language in locales:
            # A language the template lacks starts as English, for the city to translate.
            translated = (template / "texts" / f"{language}.toml").exists()
            source_language = language if translated else FALLBACK_LANGUAGE
            text_file = template / "texts" / f"{source_language}.toml"
            legal_dir = template / "legal" / source_language
            (draft / "texts").mkdir(parents=True, exist_ok=True)
            (draft / "texts" / f"{language}.toml").write_text(
                _render(text_file.read_text(encoding="utf-8"), values, ".toml"), encoding="utf-8"
            )
            for page in sorted(legal_dir.glob("*.md")):
                destination = draft / "legal" / language / page.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_text(
                    _render(page.read_text(encoding="utf-8"), values, ".md"), encoding="utf-8"
                )
            if not translated:
                notes.append(
                    f"texts/{language}.toml, legal/{language}/ and the category names "
                    f"in {language!r} are in English: translate them before launching."
                )
        draft.rename(target)
    return notes


@starterkit.command()
@click.argument("slug")
@click.option("--name", required=True, help='The city\'s name, e.g. "Vilnius Learning City".')
@click.option("--country", required=True, help="Two-letter country code, e.g. LT.")
@click.option("--locales", "locales", required=True, help="Languages, first is the default: lt,en")
@click.option("--timezone", help="IANA time zone (needed when the country has several).")
@click.option("--kind", type=click.Choice(["city", "region"]), default="city", show_default=True)
@click.option("--center", help="Where the map opens: latitude,longitude.")
@click.option("--zoom", type=click.IntRange(1, 19), default=12, show_default=True)
@click.option("--primary", default="#1d4ed8", show_default=True, help="Main brand colour.")
@click.option(
    "--into",
    "into",
    type=click.Path(file_okay=False),
    default="tenants",
    show_default=True,
    help="The folder holding every tenant's folder.",
)
def new(slug, name, country, locales, timezone, kind, center, zoom, primary, into) -> None:
    """Write INTO/SLUG/ from the StarterKit, ready to edit and launch."""
    if not SLUG.match(slug):
        raise click.BadParameter(
            "use lower-case letters, digits and hyphens, e.g. kaunas", param_hint="SLUG"
        )
    country = country.upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise click.BadParameter("a two-letter country code such as LT", param_hint="--country")
    codes = _locales(locales)
    target = Path(into) / slug
    if target.exists():
        raise click.ClickException(
            f"{target} already exists; nothing was changed. Choose another "
            "slug, or edit that folder and run `col tenant launch`."
        )
    if not Path(into).is_dir():
        raise click.ClickException(f"{into} is not a folder; create it or pass --into.")
    consent = consent_age_of(country)
    installed = set(configured_registry(col_settings.merge()).plugins)
    values = {
        "slug": slug,
        "name": name.strip(),
        "country": country,
        "kind": kind,
        "timezone": _timezone(country, timezone),
        "locales": json.dumps(codes),
        "default_locale": codes[0],
        "enabled_plugins": json.dumps(sorted(installed & bundled_plugins())),
        "installed_plugins": ", ".join(sorted(installed)),
        "center": _center(center),
        "zoom": str(zoom),
        "primary": primary,
        "digital_consent_age": str(consent.age if consent else GDPR_DEFAULT),
        "consent_law": f"{consent.age} ({consent.law})"
        if consent
        else f"{GDPR_DEFAULT}, the GDPR's own age (no EU or EEA country's age is known for it)",
    }
    notes = write_folder(target, values, codes)
    if consent is None:
        notes.append(
            f"settings.digital_consent_age is {GDPR_DEFAULT}, the GDPR's own age: "
            f"{country} is not an EU or EEA country we know. Ask your data protection "
            "officer which age applies and change it."
        )
    try:
        # The plugin list alone: checking a folder needs no database or running app.
        read_folder(target, installed)
    except LaunchError as error:
        notes += error.problems
    click.echo(
        f"Wrote {target}/. Next: edit it (see starterkit/README.md), then run\n"
        f"  col tenant launch {target}"
    )
    for note in notes:
        click.echo(f"  - {note}")
