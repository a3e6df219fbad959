"""The organisers' activity form: from an activity to form values, and from a POST to fields.

The form uses flat names (``session_start_0``, ``resource_title_2``...) so it works without
JavaScript; :func:`form_data` turns them into the same structure the JSON API accepts.
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale, UnknownLocaleError

from col_core.activities.content import sanitise_html
from col_core.activities.repeats import build_rule, builder_values
from col_core.activities.schemas.fields import RESOURCE_KINDS
from col_core.security.validation import decimal_number, whole_number
from col_core.skills.picker import has_picker, posted_uris

TEXT_FIELDS = (
    "type",
    "title",
    "description",
    "cover_alt",
    "category",
    "visibility",
    "schedule_kind",
    "duration_minutes",
    "address",
    "latitude",
    "longitude",
    "join_url",
    "age_min",
    "age_max",
    "currency",
    "capacity",
    "completion",
    "contact_email",
    "booking_url",
)
SPARE_ROWS = 2
MAX_ROWS = 200
# Languages offered by name besides the city's own: the EU's, its neighbours' and those of
# large communities of newcomers. An activity's other codes (set through the API) stay listed.
LANGUAGES = (
    "ar bg ca cs da de el en es et eu fa fi fr ga gl hr hu it lt lv mt nl no pl pt ro ru "
    "sk sl sq sr sv tr uk"
).split()


def language_choices(chosen, tenant_locales, locale_name: str) -> list[tuple[str, str]]:
    """(code, name in the reader's language) of every language the form offers, by name."""
    reader = Locale.parse(locale_name)
    codes = dict.fromkeys([*tenant_locales, *LANGUAGES, *chosen])
    choices = []
    for code in codes:
        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(reader) or code
        except (UnknownLocaleError, ValueError, TypeError):
            name = code
        choices.append((code, name[:1].upper() + name[1:]))
    return sorted(choices, key=lambda choice: choice[1].casefold())


def _text(value) -> str:
    return "" if value is None else str(value)


def _price_text(cents: int | None) -> str:
    if not cents:
        return ""
    euros = Decimal(cents) / 100
    return f"{euros:.2f}"


def _sessions(schedule: dict) -> list:
    """The schedule's sessions; an older schedule has one start and end of its own."""
    if schedule.get("sessions"):
        return schedule["sessions"]
    if "start" not in schedule:
        return []
    return [{"start": schedule.get("start"), "end": schedule.get("end")}]


def _session_values(sessions: list) -> dict[str, str]:
    """``session_start_<n>`` and ``session_end_<n>`` of each session."""
    values = {}
    for number, session in enumerate(sessions):
        if isinstance(session, dict):
            values[f"session_start_{number}"] = _text(session.get("start"))
            values[f"session_end_{number}"] = _text(session.get("end"))
    return values


def _resource_values(resources: list) -> dict[str, str]:
    """``resource_<field>_<n>`` of each resource."""
    values = {}
    for number, resource in enumerate(resources):
        for key in ("kind", "title", "url", "text"):
            values[f"resource_{key}_{number}"] = _text(resource.get(key))
    return values


def form_values(activity) -> dict:
    values: dict[str, object] = {}
    for name in TEXT_FIELDS:
        values[name] = _text(getattr(activity, name))
    values["online"] = activity.online
    values["price"] = _price_text(activity.price_cents)
    values["languages"] = list(activity.languages or [])
    values["accessibility"] = list(activity.accessibility or [])
    co_organisers = activity.co_organisers
    values["co_organisers"] = [str(link.organisation_id) for link in co_organisers]
    values["skills"] = [skill.concept_uri for skill in activity.skills]
    schedule = activity.schedule or {}
    sessions = _sessions(schedule)
    values.update(_session_values(sessions))
    rule = _text(schedule.get("rrule"))
    values["rrule"] = rule
    values.update(builder_values(rule))
    resources = activity.resources or []
    values.update(_resource_values(resources))
    values["session_rows"] = len(sessions) + SPARE_ROWS
    values["resource_rows"] = len(resources) + SPARE_ROWS
    return values


def kept_values(post) -> dict:
    """What the person submitted, shaped like :func:`form_values`, to show it again."""
    values: dict[str, object] = {}
    for name, value in post.items():
        if isinstance(value, str):
            values[name] = value
    values["online"] = post.get("online") in ("1", "on", "true")
    for name in ("accessibility", "co_organisers", "languages", "repeat_days"):
        values[name] = post.getall(name)
    if has_picker(post):
        values["skills"] = posted_uris(post)
    # Shown again in the editor, which renders it: only what would be stored.
    values["description"] = sanitise_html(post.get("description", ""))
    session_rows = _rows(post, "session_start_")
    values["session_rows"] = session_rows + SPARE_ROWS
    resource_rows = _rows(post, "resource_kind_")
    values["resource_rows"] = resource_rows + SPARE_ROWS
    return values


def _rows(post, prefix: str) -> int:
    numbers = [
        whole_number(name[len(prefix) :], 0, MAX_ROWS)
        for name in post
        if name.startswith(prefix) and post.get(name)
    ]
    return min(max((n for n in numbers if n is not None), default=-1) + 1, MAX_ROWS)


def _price_cents(text: str):
    """Euros and cents as typed ("12,50") to whole cents; anything else is passed on as is,
    so the field parser reports it."""
    if not text.strip():
        return 0
    euros = decimal_number(text)
    return text if euros is None else round(euros * 100)


def form_data(post) -> tuple[dict, dict]:
    """(the fields as the JSON API takes them, errors of the repeat builder in the form's names).

    A repeat the builder cannot write leaves the schedule out, so a draft keeps its last one."""
    data = {name: post.get(name, "") for name in TEXT_FIELDS if name in post}
    data["online"] = post.get("online", "")
    data["price_cents"] = _price_cents(post.get("price", ""))
    # One value per chosen language; a value of several codes ("lt, en") is still understood.
    codes = (code.strip() for value in post.getall("languages") for code in value.split(","))
    data["languages"] = [code for code in codes if code]
    data["accessibility"] = post.getall("accessibility")
    data["co_organisers"] = post.getall("co_organisers")
    pairs = [
        {
            "start": post.get(f"session_start_{n}", "").strip(),
            "end": post.get(f"session_end_{n}", "").strip(),
        }
        for n in range(_rows(post, "session_start_"))
    ]
    pairs = [pair for pair in pairs if pair["start"] or pair["end"]]
    errors: dict = {}
    if post.get("schedule_kind") == "recurring":
        first = pairs[0] if pairs else {}
        rule, errors = build_rule(post)
        if not errors:
            data["schedule"] = {
                "start": first.get("start", ""),
                "end": first.get("end", ""),
                "rrule": rule,
            }
    elif post.get("schedule_kind") == "always_open":
        data["schedule"] = {}
    else:
        data["schedule"] = {"sessions": pairs}
    resources = []
    for n in range(_rows(post, "resource_kind_")):
        kind = post.get(f"resource_kind_{n}", "")
        if kind in RESOURCE_KINDS:
            resources.append(
                {
                    key: post.get(f"resource_{key}_{n}", "")
                    for key in ("kind", "title", "url", "text")
                }
            )
    data["resources"] = resources
    return data, errors


def form_errors(errors: dict) -> dict:
    """Field errors keyed by the form's names (the form asks for a price, not cents)."""
    errors = dict(errors)
    if "price_cents" in errors:
        errors["price"] = errors.pop("price_cents")
    return errors
