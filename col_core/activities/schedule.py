"""Turning a schedule entered in the city's local time into UTC sessions.

A schedule is a small JSON document (see :class:`~col_core.activities.models.Activity`):

* ``single`` and ``multi_session``: ``{"sessions": [{"start": "2026-12-01T18:00", "end": ...}]}``
* ``recurring``: ``{"start": ..., "end": ..., "rrule": "FREQ=WEEKLY;COUNT=6"}`` (RFC 5545 rule)
* ``always_open``: ``{}`` (no sessions; the activity never expires by date)

Local times are wall-clock times in the city's timezone, so a weekly 18:00 class stays at 18:00
across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from dateutil.rrule import rrulestr
from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("col")

MAX_SESSIONS = 200
MAX_SESSION_LENGTH = dt.timedelta(days=31)


class ScheduleError(ValueError):
    """The schedule cannot be understood; ``str(error)`` says how to fix it."""


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands datetimes back naive; every stored time is UTC by construction."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment


def parse_local(value, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive ISO local time ("2026-12-01T18:00") in ``tz``, as an aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(_("Give a date and time such as 2026-12-01T18:00."))
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ScheduleError(_("${value} is not a date and time such as 2026-12-01T18:00.",
                                    mapping={"value": value}))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.timezone.utc)


def _pair(start, end, tz) -> tuple[dt.datetime, dt.datetime]:
    starts_at, ends_at = parse_local(start, tz), parse_local(end, tz)
    if ends_at <= starts_at:
        raise ScheduleError(_("Each session must end after it starts."))
    if ends_at - starts_at > MAX_SESSION_LENGTH:
        raise ScheduleError(_("A session may last at most 31 days; use several sessions instead."))
    return starts_at, ends_at


def _recurring(schedule: dict, tz) -> list[tuple[dt.datetime, dt.datetime]]:
    first_start, first_end = _pair(schedule.get("start"), schedule.get("end"), tz)
    rule = schedule.get("rrule")
    if not isinstance(rule, str) or not rule.strip():
        raise ScheduleError(_("Give a repeat rule such as FREQ=WEEKLY;COUNT=6."))
    rule = rule.strip().removeprefix("RRULE:")
    if "COUNT=" not in rule.upper() and "UNTIL=" not in rule.upper():
        raise ScheduleError(_("The repeat rule must end: add COUNT=... or UNTIL=..."))
    local_start = first_start.astimezone(tz).replace(tzinfo=None)
    try:
        rule_set = rrulestr(rule, dtstart=local_start, forceset=True)
    except (ValueError, TypeError) as error:
        raise ScheduleError(_("The repeat rule is not valid: ${error}.", mapping={"error": str(error)}))
    length = first_end - first_start
    sessions = []
    for occurrence in rule_set:
        if len(sessions) == MAX_SESSIONS:
            raise ScheduleError(_("The repeat rule makes more than ${max} sessions.",
                                   mapping={"max": MAX_SESSIONS}))
        start = occurrence.replace(tzinfo=tz).astimezone(dt.timezone.utc)
        sessions.append((start, start + length))
    return sessions


def compute_sessions(kind: str, schedule: dict, timezone: str) -> list[tuple[dt.datetime, dt.datetime]]:
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
            raise ScheduleError(_("A single-date activity has exactly one session; "
                                  "choose several sessions instead."))
        if len(entries) > MAX_SESSIONS:
            raise ScheduleError(_("An activity may have at most ${max} sessions.",
                                  mapping={"max": MAX_SESSIONS}))
        sessions = [_pair(entry.get("start"), entry.get("end"), tz) if isinstance(entry, dict)
                    else _pair(None, None, tz) for entry in entries]
    else:
        raise ScheduleError(_("Choose one of: single date, several sessions, recurring, "
                               "always open."))
    if not sessions:
        raise ScheduleError(_("The repeat rule produces no sessions."))
    return sorted(sessions)
