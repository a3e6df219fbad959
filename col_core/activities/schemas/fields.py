"""Reading activity fields from a form or a JSON body, and the rules for publishing.

:func:`parse_fields` checks each given field on its own (types, lengths, choices, URLs) and
returns the clean values and an error per bad field; drafts are saved with whatever is valid.
:func:`publish_errors` checks the whole activity as it would be published (required fields,
dates in the future, a place or a join link).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency
from pyramid.i18n import TranslationStringFactory

from col_core.activities.content import embed_url, plain_text, sanitise_html
from col_core.activities.models import (
    ACCESSIBILITY,
    ACTIVITY_TYPES,
    COMPLETIONS,
    SCHEDULE_KINDS,
    VISIBILITIES,
)
from col_core.activities.schedule import ScheduleError, compute_sessions
from col_core.db.meta import utcnow
from col_core.security.validation import (
    FieldError,
    clean_text,
    decimal_number,
    record_id,
    whole_number,
)
from col_core.skills import SkillsRefused

_ = TranslationStringFactory("col")

EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
URL = re.compile(r"^https?://[^\s<>\"']+\.[^\s<>\"']+$", re.IGNORECASE)
RESOURCE_KINDS = ("step", "link", "file", "video")
MAX_RESOURCES = 30
MAX_LIST = 12


def category_slugs(tenant) -> list[str]:
    """The city's interest categories (strings, or tables with a ``slug``) from its settings."""
    slugs = []
    for entry in tenant.setting("categories", []) or []:
        slug = entry.get("slug") or entry.get("id") if isinstance(entry, dict) else entry
        if isinstance(slug, str) and slug:
            slugs.append(slug)
    return slugs


def category_names(tenant, locale: str) -> dict[str, str]:
    """slug -> the category's name in ``locale`` (else the city's default language, else slug)."""
    names = {}
    for entry in tenant.setting("categories", []) or []:
        if isinstance(entry, dict) and entry.get("slug"):
            translated = entry.get("names") or {}
            names[entry["slug"]] = (
                translated.get(locale) or translated.get(tenant.default_locale) or entry["slug"]
            )
        elif isinstance(entry, str):
            names[entry] = entry
    return names


def _text(limit: int, multiline: bool = False) -> Callable:
    def parse(value, ctx):
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise FieldError(_("Enter text."))
        value = value.strip()
        if len(value) > limit:
            raise FieldError(_("Use at most ${limit} characters.", mapping={"limit": limit}))
        return clean_text(value, multiline)

    return parse


def _choice(choices) -> Callable:
    def parse(value, ctx):
        if value not in choices:
            raise FieldError(
                _("Choose one of: ${choices}.", mapping={"choices": ", ".join(choices)})
            )
        return value

    return parse


def _integer(low: int, high: int, optional: bool = True) -> Callable:
    def parse(value, ctx):
        if value in (None, "") and optional:
            return None
        number = whole_number(value)
        if number is None:
            raise FieldError(_("Enter a whole number."))
        if not low <= number <= high:
            raise FieldError(
                _("Enter a number from ${low} to ${high}.", mapping={"low": low, "high": high})
            )
        return number

    return parse


def _coordinate(limit: float) -> Callable:
    def parse(value, ctx):
        if value in (None, ""):
            return None
        number = decimal_number(value)
        if number is None:
            raise FieldError(_("Enter a number such as 54.6872."))
        if not -limit <= number <= limit:
            raise FieldError(
                _("Enter a number from -${limit} to ${limit}.", mapping={"limit": int(limit)})
            )
        return number

    return parse


def _url(value, ctx) -> str:
    value = _text(500)(value, ctx)
    if value and not URL.match(value):
        raise FieldError(_("Enter a full web address starting with https://."))
    return value


def _email(value, ctx) -> str:
    value = _text(254)(value, ctx)
    if value and not EMAIL.match(value):
        raise FieldError(_("Enter an email address such as name@example.org."))
    return value


def _boolean(value, ctx) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", "0", "false", "off", "no"):
        return False
    if value in ("1", "true", "on", "yes"):
        return True
    raise FieldError(_("Answer yes or no."))


def _string_list(value, ctx) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        pieces = [piece.strip() for piece in value.split(",")]
        value = [piece for piece in pieces if piece]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FieldError(_("Give a list of values."))
    if len(value) > MAX_LIST:
        too_many = _("Give at most ${max} values.", mapping={"max": MAX_LIST})
        raise FieldError(too_many)
    without_repeats = dict.fromkeys(value)
    return list(without_repeats)


def _description(value, ctx) -> str:
    return sanitise_html(_text(20000, multiline=True)(value, ctx))


def _category(value, ctx) -> str:
    value = _text(64)(value, ctx)
    allowed = category_slugs(ctx.tenant)
    if value and allowed and value not in allowed:
        raise FieldError(
            _(
                "Choose one of this city's categories: ${choices}.",
                mapping={"choices": ", ".join(allowed)},
            )
        )
    return value


def _cover(value, ctx) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not ctx.file_exists(value):
        raise FieldError(_("Upload the cover image again; this file is unknown."))
    return value


def _schedule(value, ctx) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or len(repr(value)) > 20000:
        raise FieldError(_("Give the dates as sessions with a start and an end."))
    return value


def _languages(value, ctx) -> list[str]:
    codes = _string_list(value, ctx)
    for code in codes:
        try:
            Locale.parse(code.replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            raise FieldError(
                _("${code} is not a language code such as en or lt.", mapping={"code": code})
            ) from None
    return codes


def _accessibility(value, ctx) -> list[str]:
    features = _string_list(value, ctx)
    unknown = [f for f in features if f not in ACCESSIBILITY]
    if unknown:
        raise FieldError(
            _("Choose among: ${choices}.", mapping={"choices": ", ".join(ACCESSIBILITY)})
        )
    return features


def _currency(value, ctx) -> str:
    value = _text(3)(value, ctx).upper()
    if not is_currency(value):
        raise FieldError(_("Enter a currency code such as EUR."))
    return value


def _resource(entry, ctx) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise FieldError(_("Each resource needs a kind and a title."))
    kind = _choice(RESOURCE_KINDS)(entry.get("kind"), ctx)
    resource = {
        "kind": kind,
        "title": _text(200)(entry.get("title"), ctx),
        "text": _text(2000, multiline=True)(entry.get("text"), ctx),
    }
    if kind == "link":
        resource["url"] = _url(entry.get("url"), ctx)
        if not resource["url"]:
            raise FieldError(_("Give the link's web address."))
    elif kind == "video":
        resource["url"] = embed_url(entry.get("url") or "", ctx.peertube_hosts)
        if not resource["url"]:
            raise FieldError(
                _(
                    "Videos can come from YouTube, Vimeo or a known PeerTube site; "
                    "paste the video's page address."
                )
            )
    elif kind == "file":
        resource["key"] = _cover(entry.get("key"), ctx)
        if not resource["key"]:
            raise FieldError(_("Upload the file again; this file is unknown."))
    elif not resource["title"] and not resource["text"]:
        raise FieldError(_("Describe the step."))
    return resource


def _resources(value, ctx) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_RESOURCES:
        too_many = _("Give at most ${max} resources.", mapping={"max": MAX_RESOURCES})
        raise FieldError(too_many)
    return [_resource(entry, ctx) for entry in value]


def _co_organisers(value, ctx) -> list[int]:
    given = [
        record_id(i)
        for i in _string_list([str(v) for v in value] if isinstance(value, list) else value, ctx)
    ]
    ids = [i for i in given if i is not None]
    if len(ids) < len(given) or not ctx.organisations_exist(ids):
        raise FieldError(_("Choose organisations of this city."))
    return ids


def _skills(value, ctx) -> list[dict]:
    """Skills of the city's catalogue, by URI; their labels and versions are the catalogue's."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 50:
        raise FieldError(_("Give at most 50 skills."))
    uris = []
    for entry in value:
        entry = {"uri": entry} if isinstance(entry, str) else entry
        if not isinstance(entry, dict) or not URL.match(str(entry.get("uri", ""))):
            raise FieldError(_("Each skill needs the concept's URI."))
        uris.append(entry["uri"])
    try:
        return ctx.skills(uris)
    except SkillsRefused as refused:
        raise FieldError(refused.message) from None


PARSERS: dict[str, Callable] = {
    "type": _choice(ACTIVITY_TYPES),
    "title": _text(200),
    "description": _description,
    "cover": _cover,
    "cover_alt": _text(300),
    "category": _category,
    "visibility": _choice(VISIBILITIES),
    "schedule_kind": _choice(SCHEDULE_KINDS),
    "schedule": _schedule,
    "duration_minutes": _integer(1, 60 * 24 * 366),
    "address": _text(300),
    "latitude": _coordinate(90),
    "longitude": _coordinate(180),
    "online": _boolean,
    "join_url": _url,
    "age_min": _integer(0, 120),
    "age_max": _integer(0, 120),
    "price_cents": _integer(0, 100_000_000, optional=False),
    "currency": _currency,
    "languages": _languages,
    "capacity": _integer(1, 1_000_000),
    "completion": _choice(COMPLETIONS),
    "accessibility": _accessibility,
    "contact_email": _email,
    "booking_url": _url,
    "resources": _resources,
    "co_organisers": _co_organisers,
    "skills": _skills,
}


def parse_fields(data: dict, ctx, parsers: dict | None = None) -> tuple[dict, dict]:
    """(clean values, errors) for the known fields present in ``data``; unknown keys are ignored.

    ``parsers`` (field name -> parse(value, ctx), raising FieldError) defaults to an activity's;
    plugins pass their own table, built from these parsers and theirs.
    """
    values, errors = {}, {}
    for name, parse in (PARSERS if parsers is None else parsers).items():
        if name in data:
            try:
                values[name] = parse(data[name], ctx)
            except FieldError as error:
                errors[name] = error.args[0]
    return values, errors


def publish_errors(values: dict, ctx) -> dict:
    """What stops an activity with these (complete, parsed) values from being published."""
    errors = {}
    for name, message in (
        ("title", _("Give the activity a title.")),
        ("description", _("Describe what learners will do.")),
        ("contact_email", _("Give an email address learners can write to.")),
    ):
        if not values.get(name):
            errors[name] = message
    if not plain_text(values.get("description", "")) and "description" not in errors:
        errors["description"] = _("Describe what learners will do.")
    if category_slugs(ctx.tenant) and not values.get("category"):
        errors["category"] = _("Choose a category.")
    if (
        values.get("age_min") is not None
        and values.get("age_max") is not None
        and values["age_min"] > values["age_max"]
    ):
        errors["age_max"] = _("The maximum age must not be below the minimum age.")
    try:
        sessions = compute_sessions(
            values["schedule_kind"], values.get("schedule") or {}, ctx.tenant.timezone
        )
    except ScheduleError as error:
        errors["schedule"] = error.args[0]
    else:
        if sessions and max(end for _start, end in sessions) < utcnow():
            errors["schedule"] = _("Every session is in the past; add a future date.")
    if values.get("online"):
        if not values.get("join_url"):
            errors["join_url"] = _("Give the link learners use to join online.")
    else:
        if not values.get("address"):
            errors["address"] = _("Give the address, or mark the activity as online.")
        if values.get("latitude") is None or values.get("longitude") is None:
            errors["latitude"] = _(
                "Place the activity on the map (search for its address or click the map), "
                "or give its latitude and longitude."
            )
    return errors
