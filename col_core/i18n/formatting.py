"""Dates, times, numbers and plurals formatted by Babel for the locale and the city's timezone."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from jinja2 import pass_context


def _locale_and_zone(request):
    locale = request.localizer.locale_name if request is not None else "en"
    tenant = getattr(request, "tenant", None)
    zone = ZoneInfo(tenant.timezone) if tenant is not None and tenant.timezone else dt.UTC
    return locale, zone


# One way to write a moment per language: the date by this CLDR skeleton (weekday, day, short
# month, year), the time in the language's short form (no seconds), joined by the language's
# own pattern.  Start and end of a session use the same; a session within a day writes its date
# once ("Sun, Dec 6, 2026, 5:00 – 7:00 PM").
DATE_SKELETON = "yMMMEd"


def _aware(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(zone)


@functools.cache
def _joining(locale: str) -> str:
    return Locale.parse(locale).datetime_formats["medium"]


def _joined(locale: str, date_text: str, time_text: str) -> str:
    return _joining(locale).replace("{1}", date_text).replace("{0}", time_text)


# Babel takes about half a millisecond to write a moment, and the map writes one per point (300
# a tile): the texts of a day and of a time of day are kept, which depend on nothing else.
@functools.lru_cache(maxsize=4096)
def _day_text(day: dt.date, locale: str) -> str:
    return dates.format_skeleton(DATE_SKELETON, day, locale=locale)


@functools.lru_cache(maxsize=4096)
def _clock_text(clock: dt.time, locale: str) -> str:
    return dates.format_time(clock, "short", locale=locale)


def moment(value: dt.datetime, locale: str, zone: dt.tzinfo) -> str:
    """``value`` in ``zone``: "Sun, Dec 6, 2026, 5:00 PM", "So., 6. Dez. 2026, 17:00"."""
    value = _aware(value, zone)
    clock = value.time().replace(second=0, microsecond=0)  # the short form has no seconds
    return _joined(locale, _day_text(value.date(), locale), _clock_text(clock, locale))


def format_datetime(request, value: dt.datetime) -> str:
    """A moment in the request's language and its city's time zone."""
    return moment(value, *_locale_and_zone(request))


def moment_writer(request):
    """format_datetime for the many moments of one answer (a map's points): the request's
    language and zone looked up once."""
    locale, zone = _locale_and_zone(request)
    return functools.partial(moment, locale=locale, zone=zone)


def format_time(request, value: dt.datetime) -> str:
    locale, zone = _locale_and_zone(request)
    return dates.format_time(_aware(value, zone), "short", locale=locale)


def format_interval(request, start: dt.datetime, end: dt.datetime | None) -> str:
    """From ``start`` to ``end``: "date, start–end" within one day (in the city), else both in
    full with the language's range pattern."""
    if end is None:
        return format_datetime(request, start)
    locale, zone = _locale_and_zone(request)
    start, end = _aware(start, zone), _aware(end, zone)
    if start.date() != end.date():
        pattern = Locale.parse(locale).interval_formats[None]
        return pattern.replace("{0}", format_datetime(request, start)).replace(
            "{1}", format_datetime(request, end)
        )
    twelve_hours = "a" in Locale.parse(locale).time_formats["short"].pattern
    hours = dates.format_interval(
        start.replace(tzinfo=None),
        end.replace(tzinfo=None),
        "hm" if twelve_hours else "Hm",
        locale=locale,
    )
    return _joined(locale, dates.format_skeleton(DATE_SKELETON, start, locale=locale), hours)


def format_date(request, value: dt.date | dt.datetime, format: str = "medium") -> str:
    locale, zone = _locale_and_zone(request)
    if isinstance(value, dt.datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(zone)
    return dates.format_date(value, format=format, locale=locale)


def format_month(request, value: dt.date) -> str:
    """A month as its name and year in the request's language ("November 2026", "novembre
    2026", "2026 m. lapkritis"), by Babel's skeleton for the locale."""
    locale, _ = _locale_and_zone(request)
    return dates.format_skeleton("yMMMM", value, locale=locale)


def format_number(request, value) -> str:
    locale, _ = _locale_and_zone(request)
    return numbers.format_decimal(value, locale=locale)


def format_currency(request, value, currency: str = "EUR") -> str:
    locale, _ = _locale_and_zone(request)
    return numbers.format_currency(value, currency, locale=locale)


def install_filters(environment) -> None:
    """Register ``|datetime``, ``|time``, ``|interval(end)``, ``|date``, ``|number`` and
    ``|currency`` for templates."""
    for name, function in {
        "datetime": format_datetime,
        "time": format_time,
        "interval": format_interval,
        "date": format_date,
        "number": format_number,
        "currency": format_currency,
    }.items():
        environment.filters[name] = _with_request(function)


def _with_request(function):
    @pass_context
    def filter_(context, value, *args, **kwargs):
        if value is None or value == "":
            return ""
        return function(context.get("request"), value, *args, **kwargs)

    return filter_
