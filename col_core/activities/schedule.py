"""Turning a schedule entered in the city's local time into UTC sessions.

A schedule is a small JSON document (see :class:`~col_core.activities.models.Activity`):

* ``single`` and ``multi_session``: ``{"sessions": [{"start": "2026-12-01T18:00", "end": ...}]}``
* ``recurring``: ``{"start": ..., "end": ..., "rrule": "FREQ=WEEKLY;COUNT=6"}`` (RFC 5545 rule)
* ``always_open``: ``{}`` (no sessions; the activity never expires by date)

Local times are wall-clock times in the city's timezone, so a weekly 18:00 class stays at 18:00
across daylight-saving changes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
import zoneinfo
from typing import overload

from dateutil.rrule import rrulestr
from icalendar import vRecur
from pyramid.i18n import TranslationStringFactory

from col_core.security.validation import EARLIEST_DATE, LATEST_DATE, within_dates

_ = TranslationStringFactory("col")

MAX_SESSIONS = 200
MAX_SESSION_LENGTH = dt.timedelta(days=31)
# Every session of a repeating activity falls within this many years of the first.
HORIZON_YEARS = 2
HORIZON = dt.timedelta(days=365 * HORIZON_YEARS + 1)
# Activities repeat at most daily, on days: rules that name hours, minutes or seconds would make
# sessions by the thousand (and cost dateutil a step for each).
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
RULE_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
_RULE_TEXT = re.compile(r"[A-Za-z0-9=;,+-]{1,500}")
# dateutil's calendar ends with this year, and so does its search for a rule's next date.
_LAST_YEAR = 9999


class ScheduleError(ValueError):
    """The schedule cannot be understood; ``str(error)`` says how to fix it."""


class ScheduleRefused(ScheduleError):
    """The schedule goes beyond what the platform expands (more often than daily, or further than
    :data:`HORIZON_YEARS`): refused when saved, not only when published."""


@overload
def as_utc(moment: dt.datetime) -> dt.datetime: ...


@overload
def as_utc(moment: None) -> None: ...


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands datetimes back naive; every stored time is UTC by construction."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def parse_local(value, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive ISO local time ("2026-12-01T18:00") in ``tz``, as an aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(_("Give a date and time such as 2026-12-01T18:00."))
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ScheduleError(
            _("${value} is not a date and time such as 2026-12-01T18:00.", mapping={"value": value})
        ) from None
    if not within_dates(moment):
        raise ScheduleError(
            _(
                "Give a date from ${first} to ${last}.",
                mapping={"first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
            )
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC)


def _pair(start, end, tz) -> tuple[dt.datetime, dt.datetime]:
    starts_at, ends_at = parse_local(start, tz), parse_local(end, tz)
    if ends_at <= starts_at:
        raise ScheduleError(_("Each session must end after it starts."))
    if ends_at - starts_at > MAX_SESSION_LENGTH:
        raise ScheduleError(_("A session may last at most 31 days; use several sessions instead."))
    return starts_at, ends_at


def _rule_parts(rule) -> vRecur:
    """The parts of an RFC 5545 repeat rule, each checked against the platform's limits."""
    if not isinstance(rule, str) or not rule.strip():
        raise ScheduleError(_("Give a repeat rule such as FREQ=WEEKLY;COUNT=6."))
    rule = rule.strip().removeprefix("RRULE:")
    try:
        if not _RULE_TEXT.fullmatch(rule):
            raise ValueError(rule)
        parts = vRecur.from_ical(rule)
    except ValueError:
        raise ScheduleError(
            _("The repeat rule is not valid: ${error}.", mapping={"error": rule})
        ) from None
    unknown = sorted(set(parts) - RULE_PARTS - {"BYHOUR", "BYMINUTE", "BYSECOND"})
    several = sorted(
        name
        for name in ("FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST")
        if len(parts.get(name, ())) > 1
    )
    if unknown or several or "FREQ" not in parts:
        raise ScheduleError(
            _(
                "The repeat rule is not valid: ${error}.",
                mapping={"error": ", ".join(unknown + several) or "FREQ"},
            )
        )
    if parts["FREQ"][0] not in FREQUENCIES or set(parts) - RULE_PARTS:
        raise ScheduleRefused(
            _(
                "An activity repeats at most once a day: use FREQ=DAILY, WEEKLY, "
                "MONTHLY or YEARLY, without hours, minutes or seconds."
            )
        )
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise ScheduleError(_("The repeat rule must end: add COUNT=... or UNTIL=..."))
    if "COUNT" in parts and parts["COUNT"][0] < 1:
        raise ScheduleError(
            _("The repeat rule is not valid: ${error}.", mapping={"error": "COUNT"})
        )
    if "COUNT" in parts and parts["COUNT"][0] > MAX_SESSIONS:
        raise ScheduleError(
            _("The repeat rule makes more than ${max} sessions.", mapping={"max": MAX_SESSIONS})
        )
    return parts


def _local_until(until, tz) -> dt.datetime:
    """A rule's UNTIL as a naive local time: a date means its whole day, UTC is converted."""
    if not isinstance(until, dt.datetime):
        return dt.datetime.combine(until, dt.time.max)
    return until.astimezone(tz).replace(tzinfo=None) if until.tzinfo else until


def _twin_year(year: int) -> int:
    """The last year before dateutil's calendar ends whose calendar matches ``year``'s around it.

    dateutil looks for a rule's next date until the end of its calendar, so a rule that never
    matches (BYMONTH=2;BYMONTHDAY=30) runs for seconds.  Expanded in a twin year near that end,
    where the year before, this year and the years up to the horizon start on the same weekdays
    and have the same leap days, the same rule gives the same dates, and the search ends within
    three decades.  (Accepted dates never reach a century year without a leap day, so a twin is
    always found among the last 28 years.)
    """
    offsets = [
        offset
        for offset in range(-1, HORIZON_YEARS + 1)
        if EARLIEST_DATE.year <= year + offset <= LATEST_DATE.year
    ]

    def shape(candidate):
        return (
            dt.date(candidate, 1, 1).weekday(),
            *(calendar.isleap(candidate + offset) for offset in offsets),
        )

    wanted = shape(year)
    latest = _LAST_YEAR - HORIZON_YEARS - 1
    return next((twin for twin in range(latest, year, -1) if shape(twin) == wanted), year)


def _recurring(schedule: dict, tz) -> list[tuple[dt.datetime, dt.datetime]]:
    first_start, first_end = _pair(schedule.get("start"), schedule.get("end"), tz)
    parts = _rule_parts(schedule.get("rrule"))
    local_start = first_start.astimezone(tz).replace(tzinfo=None)
    horizon = local_start + HORIZON
    if "UNTIL" in parts and _local_until(parts["UNTIL"][0], tz) > horizon:
        raise ScheduleRefused(
            _(
                "The repeat rule must end within ${years} years of the first session.",
                mapping={"years": HORIZON_YEARS},
            )
        )
    until = min(
        _local_until(parts["UNTIL"][0], tz) if "UNTIL" in parts else horizon,
        dt.datetime.combine(LATEST_DATE, dt.time.max),
    )
    shift = _twin_year(local_start.year) - local_start.year
    bounded = vRecur({name: values for name, values in parts.items() if name != "COUNT"})
    bounded["UNTIL"] = [until.replace(year=until.year + shift)]
    try:
        rule = rrulestr(
            bounded.to_ical().decode(), dtstart=local_start.replace(year=local_start.year + shift)
        )
    except (ValueError, TypeError) as error:
        raise ScheduleError(
            _("The repeat rule is not valid: ${error}.", mapping={"error": str(error)})
        ) from error
    wanted = parts["COUNT"][0] if "COUNT" in parts else MAX_SESSIONS + 1
    occurrences = [
        moment.replace(year=moment.year - shift) for moment in itertools.islice(rule, wanted)
    ]
    if "COUNT" in parts and len(occurrences) < wanted:
        raise ScheduleRefused(
            _(
                "The repeat rule makes ${made} of its ${count} sessions within "
                "${years} years of the first; make it end sooner or check the "
                "days and months it names.",
                mapping={"made": len(occurrences), "count": wanted, "years": HORIZON_YEARS},
            )
        )
    if len(occurrences) > MAX_SESSIONS:
        raise ScheduleError(
            _("The repeat rule makes more than ${max} sessions.", mapping={"max": MAX_SESSIONS})
        )
    length = first_end - first_start
    starts = (moment.replace(tzinfo=tz).astimezone(dt.UTC) for moment in occurrences)
    return [(start, start + length) for start in starts]


def compute_sessions(
    kind: str, schedule: dict, timezone: str
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The (start, end) UTC pairs of a schedule, sorted; raises :class:`ScheduleError`."""
    tz = zoneinfo.ZoneInfo(timezone)
    schedule = schedule if isinstance(schedule, dict) else {}
    if kind == "always_open":
        return []
    if kind == "recurring":
        sessions = _recurring(schedule, tz)
    elif kind in ("single", "multi_session"):
        entries = schedule.get("sessions")
        if not isinstance(entries, list) or not entries:
            raise ScheduleError(_("Add at least one session with a start and an end."))
        if kind == "single" and len(entries) != 1:
            raise ScheduleError(
                _(
                    "A single-date activity has exactly one session; "
                    "choose several sessions instead."
                )
            )
        if len(entries) > MAX_SESSIONS:
            raise ScheduleError(
                _("An activity may have at most ${max} sessions.", mapping={"max": MAX_SESSIONS})
            )
        sessions = [
            _pair(entry.get("start"), entry.get("end"), tz)
            if isinstance(entry, dict)
            else _pair(None, None, tz)
            for entry in entries
        ]
    else:
        raise ScheduleError(
            _("Choose one of: single date, several sessions, recurring, always open.")
        )
    if not sessions:
        raise ScheduleError(_("The repeat rule produces no sessions."))
    return sorted(sessions)
