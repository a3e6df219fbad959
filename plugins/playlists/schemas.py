"""Reading a playlist's fields and item rows from a form or a JSON body.

Shared fields (title, description, cover, category, languages, skills) are parsed exactly as
for activities; the rest are the playlist's own.  Each parser raises ``FieldError`` with a
message the organiser can act on.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from pyramid.i18n import TranslationStringFactory

from col_core.activities.schedule import ScheduleError, parse_local
from col_core.activities.schemas.fields import PARSERS as ACTIVITY_PARSERS
from col_core.activities.schemas.fields import FieldError
from col_core.activities.schemas.fields import parse_fields as parse_activity_fields
from col_core.security.validation import record_id, whole_number
from plugins.playlists.models import VISIBILITIES

_ = TranslationStringFactory("col_playlists")

MAX_ITEMS = 40
GROUP_NAME_LIMIT = 40


def _integer(value, low: int, high: int) -> int:
    number = whole_number(value, low, high)
    if number is None:
        raise FieldError(
            _("Enter a whole number from ${low} to ${high}.", mapping={"low": low, "high": high})
        )
    return number


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1", 1, "yes"):
        return True
    if value in ("false", "off", "0", 0, "", None, "no"):
        return False
    raise FieldError(_("Answer yes or no."))


def _visibility(value, ctx) -> str:
    if value not in VISIBILITIES:
        raise FieldError(
            _("Choose one of: ${choices}.", mapping={"choices": ", ".join(VISIBILITIES)})
        )
    return value


def _group_name(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > GROUP_NAME_LIMIT:
        raise FieldError(
            _("Name a group in at most ${limit} characters.", mapping={"limit": GROUP_NAME_LIMIT})
        )
    return value.strip()


def _groups(value, ctx) -> dict[str, int]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or len(value) > MAX_ITEMS:
        raise FieldError(_("Give the groups as names with how many of their items are needed."))
    groups = {}
    for name, needed in value.items():
        name = _group_name(name)
        if not name:
            raise FieldError(_("Every group needs a name."))
        groups[name] = _integer(needed, 0, MAX_ITEMS)
    return groups


def _milestones(value, ctx) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 5:
        raise FieldError(_("Give at most five milestones, each a number of completed items."))
    numbers = {_integer(entry, 1, MAX_ITEMS) for entry in value}
    return sorted(numbers)


PARSERS = {
    **{
        name: ACTIVITY_PARSERS[name]
        for name in (
            "title",
            "description",
            "cover",
            "cover_alt",
            "category",
            "languages",
            "skills",
        )
    },
    "visibility": _visibility,
    "min_optional": lambda value, ctx: _integer(value, 0, MAX_ITEMS),
    "groups": _groups,
    "milestones": _milestones,
    "is_template": lambda value, ctx: _boolean(value),
}


def parse_fields(data: dict, ctx) -> tuple[dict, dict]:
    """(clean values, errors) for the known playlist fields present in ``data``."""
    return parse_activity_fields(data, ctx, PARSERS)


def _moment(value, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_local(value, tz)
    except ScheduleError as error:
        raise FieldError(error.args[0]) from error


def _activity_id(value) -> int:
    activity_id = record_id(value)
    if activity_id is None:
        raise FieldError(_("Choose an activity of this city."))
    return activity_id


def parse_items(rows, tz: zoneinfo.ZoneInfo) -> tuple[list[dict], dict]:
    """(clean rows, errors keyed ``items.<n>.<field>``) for the item rows of a playlist."""
    if not isinstance(rows, list):
        return [], {"items": _("Give the items as a list.")}
    if len(rows) > MAX_ITEMS:
        return [], {
            "items": _(
                "A playlist holds at most ${limit} activities.", mapping={"limit": MAX_ITEMS}
            )
        }
    clean, errors, seen = [], {}, set()
    for number, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"items.{number}"] = _("Describe each item with at least its activity.")
            continue
        parsed = {}
        for name, parse in (
            ("activity_id", _activity_id),
            ("mandatory", lambda v: _boolean(True if v is None else v)),
            ("group", _group_name),
            ("unlock_after", lambda v: None if v in (None, "") else _activity_id(v)),
            ("opens_at", lambda v: _moment(v, tz)),
            ("closes_at", lambda v: _moment(v, tz)),
            ("note", lambda v: ACTIVITY_PARSERS["title"](v, None)),
        ):
            try:
                parsed[name] = parse(row.get(name))
            except FieldError as error:
                errors[f"items.{number}.{name}"] = error.args[0]
        if parsed.get("activity_id") in seen:
            errors[f"items.{number}.activity_id"] = _("This activity is already in the playlist.")
        seen.add(parsed.get("activity_id"))
        clean.append(parsed)
    return clean, errors
