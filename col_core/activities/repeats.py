"""The activity form's repeat builder: "every week on Monday and Wednesday, six times" as an
RFC 5545 rule, and back.

Organisers choose how often (every day, every week on chosen days, every month) and when it ends
(after a number of times, or on a date); the server writes the rule with icalendar. A rule the
builder cannot show (an interval, a day of the month...) stays editable as text, the advanced
option ``repeat_every = "custom"``.
"""

from __future__ import annotations

import datetime as dt

from icalendar import vRecur
from pyramid.i18n import TranslationStringFactory

from col_core.activities.schedule import MAX_SESSIONS
from col_core.security.validation import whole_number

_ = TranslationStringFactory("col")

# Form value -> RFC 5545 frequency.
FREQUENCIES = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}
EVERY = (*FREQUENCIES, "custom")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ENDS = ("count", "until")


def build_rule(post) -> tuple[str, dict]:
    """(the rule, field errors in words) from the builder's fields of a form POST."""
    # A POST without the builder (a script, an older page) means its rule as text.
    every = post.get("repeat_every", "custom")
    if every == "custom":
        return post.get("rrule", "").strip(), {}
    if every not in FREQUENCIES:
        return "", {"repeat_every": _("Choose how often the activity repeats.")}
    errors = {}
    parts: dict[str, list] = {"FREQ": [FREQUENCIES[every]]}
    if every == "week":
        days = [day for day in WEEKDAYS if day in post.getall("repeat_days")]
        if not days:
            errors["repeat_days"] = _("Choose at least one day of the week.")
        parts["BYDAY"] = days
    if post.get("repeat_ends", "count") == "until":
        try:
            parts["UNTIL"] = [dt.date.fromisoformat(post.get("repeat_until", "").strip())]
        except ValueError:
            errors["repeat_until"] = _("Give the last date, such as 2027-06-30.")
    else:
        count = whole_number(post.get("repeat_count", "").strip(), 1, MAX_SESSIONS)
        if count is None:
            errors["repeat_count"] = _(
                "Give how many times it takes place: a number from 1 to ${max}.",
                mapping={"max": MAX_SESSIONS},
            )
        parts["COUNT"] = [count]
    if errors:
        return "", errors
    return vRecur(parts).to_ical().decode(), {}


def builder_values(rule: str) -> dict:
    """The builder's fields for a stored rule; a rule it cannot show is "custom" (the text)."""
    blank = {"repeat_every": "week", "repeat_ends": "count", "repeat_days": []}
    if not rule:
        return blank
    try:
        parts = vRecur.from_ical(rule.removeprefix("RRULE:"))
    except ValueError:
        return {**blank, "repeat_every": "custom"}
    every = {rfc: name for name, rfc in FREQUENCIES.items()}.get(parts.get("FREQ", [""])[0])
    days = [str(day) for day in parts.get("BYDAY", [])]
    shown = set(parts) <= {"FREQ", "BYDAY", "COUNT", "UNTIL"} and ("COUNT" in parts) != (
        "UNTIL" in parts
    )
    if (
        every is None
        or not shown
        or (days and every != "week")
        or not set(days) <= set(WEEKDAYS)
        or (every == "week" and not days)
    ):
        return {**blank, "repeat_every": "custom"}
    values = {"repeat_every": every, "repeat_days": days, "repeat_ends": "count"}
    if "COUNT" in parts:
        values["repeat_count"] = str(parts["COUNT"][0])
    else:
        until = parts["UNTIL"][0]
        values["repeat_ends"] = "until"
        values["repeat_until"] = (
            until.date() if isinstance(until, dt.datetime) else until
        ).isoformat()
    return values
