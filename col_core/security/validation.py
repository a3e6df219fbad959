"""Field rules shared by the HTML forms and the JSON endpoints, and the platform's input limits.

``validate(data, rules)`` returns ``(cleaned, errors)``; ``errors`` maps a field to a
translatable message.  Forms re-render with it (input kept); the API answers
``{"error": ..., "fields": errors}`` with 422.

The limits every input meets, wherever it comes from, are stated once here and applied by the
request guard (``col_core.security.limits``), the field parsers of activities and plugins, and
the search parameters: which characters text may hold, how numbers and ids are read, and which
dates are accepted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import nh3

from col_core.i18n import _

EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# What no text may hold: control characters other than tab and line breaks (a NUL byte is refused
# by PostgreSQL, others break feeds and e-mail headers), and lone surrogates, which no encoding
# can store.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\r\n]")
# Ids and counts fit PostgreSQL's integer; SQLite's is wider, so this is the stricter of the two.
MAX_INTEGER = 2**31 - 1
# ASCII digits only: str.isdigit() and int() also take "²" or "٣", which nobody means as a number.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,10}")
# Dates anyone may give (birth dates, sessions, search filters): far from the ends of Python's
# calendar, so time-zone conversions and date arithmetic never overflow, and between two century
# years without a leap day, which keeps repeat rules cheap to expand (activities.schedule).
EARLIEST_DATE = dt.date(1901, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
# A route pattern's placeholder, "{name}" or "{name:regex}" (a regex may hold "{m,n}").
_PLACEHOLDER = re.compile(r"\{(\w+)(?::([^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}")
# Rich text allowed in descriptions: formatting and links, nothing that runs or embeds.
RICH_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}


class FieldError(ValueError):
    """One field's value is not acceptable; ``message`` tells the person what to enter."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


Rule = Callable[[str], Any]


def validate(data: Mapping, rules: dict[str, Rule]) -> tuple[dict, dict]:
    cleaned, errors = {}, {}
    for name, rule in rules.items():
        raw = data.get(name)
        if raw is None or raw is False:
            raw = ""
        elif raw is True:
            raw = "on"
        elif not isinstance(raw, str):
            errors[name] = _("Expected text.")
            continue
        try:
            cleaned[name] = rule(clean_text(raw, multiline=True).strip())
        except FieldError as error:
            errors[name] = error.message
    return cleaned, errors


def forbidden_character(value: str) -> str | None:
    """The first character of ``value`` that no text may hold, written as U+XXXX, or None."""
    found = _FORBIDDEN.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def readable(value: str) -> str:
    """``value`` with each character no text may hold replaced by U+FFFD, to show or log it."""
    return _FORBIDDEN.sub("\ufffd", value)


def clean_text(value: str, multiline: bool = False) -> str:
    """``value`` if it is acceptable text: no control characters or lone surrogates, and no line
    breaks unless ``multiline``; raises :class:`FieldError` otherwise."""
    character = forbidden_character(value)
    if character:
        raise FieldError(
            _(
                "Remove the invisible character ${character} from this text.",
                mapping={"character": character},
            )
        )
    if not multiline and _LINE_BREAK.search(value):
        raise FieldError(_("Write this on a single line."))
    return value


def whole_number(value, low: int = -MAX_INTEGER - 1, high: int = MAX_INTEGER) -> int | None:
    """``value`` (an int, or text of ASCII digits) as an int from ``low`` to ``high``, else None."""
    if isinstance(value, str):
        if not _WHOLE_NUMBER.fullmatch(value.strip()):
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if not low <= value <= high:
        return None
    return value


def record_id(value) -> int | None:
    """``value`` as the id of a stored row (1 to :data:`MAX_INTEGER`), else None: an id out of
    that range names nothing and must never reach the database, which would fail on it."""
    return whole_number(value, 1, MAX_INTEGER)


def decimal_number(value) -> float | None:
    """``value`` (a number, or text such as "12.5" or "12,5") as a float, else None; NaN and the
    infinities are not numbers here, whatever float() says."""
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


@lru_cache(maxsize=1024)
def id_placeholders(pattern: str) -> frozenset[str]:
    """The placeholders of a route pattern that hold a row's id: those matching digits only,
    and those named ``id`` or ``..._id``."""
    return frozenset(
        name
        for name, regex in _PLACEHOLDER.findall(pattern)
        if regex in (r"\d+", "[0-9]+") or name == "id" or name.endswith("_id")
    )


def within_dates(moment: dt.date) -> bool:
    """Whether a date (or datetime) lies from :data:`EARLIEST_DATE` to :data:`LATEST_DATE`."""
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return EARLIEST_DATE <= day <= LATEST_DATE


def text(max_length: int, required: bool = True, multiline: bool = False) -> Rule:
    def rule(value: str) -> str:
        if required and not value:
            raise FieldError(_("Please fill in this field."))
        if len(value) > max_length:
            raise FieldError(_("Use at most ${count} characters.", mapping={"count": max_length}))
        return clean_text(value, multiline)

    return rule


def rich_text(max_length: int) -> Rule:
    def rule(value: str) -> str:
        if len(value) > max_length:
            raise FieldError(_("Use at most ${count} characters.", mapping={"count": max_length}))
        return nh3.clean(value, tags=RICH_TAGS, link_rel="noopener nofollow ugc")

    return rule


def email(required: bool = True) -> Rule:
    def rule(value: str) -> str:
        if not value and not required:
            return ""
        if not value:
            raise FieldError(_("Please enter your email address."))
        if len(value) > 254 or not EMAIL.match(value):
            raise FieldError(_("Enter an email address such as name@example.org."))
        local, _at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"

    return rule


def password(value: str) -> str:
    if not value:
        raise FieldError(_("Please enter your password."))
    return value


def choice(options, required: bool = True) -> Rule:
    def rule(value: str) -> str:
        if not value and not required:
            return ""
        if value not in options:
            raise FieldError(_("Choose one of the options."))
        return value

    return rule


def checkbox(value: str) -> bool:
    return value not in ("", "0", "false", "off")


def must_accept(value: str) -> bool:
    if not checkbox(value):
        raise FieldError(_("Please accept to continue."))
    return True


def date(required: bool = True) -> Rule:
    def rule(value: str) -> dt.date | None:
        if not value and not required:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise FieldError(_("Enter a date as YYYY-MM-DD.")) from None
        if not EARLIEST_DATE <= day <= dt.date.today():
            raise FieldError(_("Enter a date in the past."))
        return day

    return rule


def url(value: str) -> str:
    if value and (len(value) > 500 or not re.match(r"^https?://[^\s<>\"]+$", value)):
        raise FieldError(_("Enter a web address starting with https://"))
    return value


def translate_errors(request, errors: dict) -> dict[str, str]:
    return {name: request.localizer.translate(message) for name, message in errors.items()}
