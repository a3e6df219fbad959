"""Dates, times, numbers and plurals formatted by Babel for the locale and the city's timezone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel import dates, numbers
from jinja2 import pass_context


def _locale_and_zone(request):
    locale = request.localizer.locale_name if request is not None else "en"
    tenant = getattr(request, "tenant", None)
    zone = ZoneInfo(tenant.timezone) if tenant is not None and tenant.timezone else dt.UTC
    return locale, zone


def format_datetime(request, value: dt.datetime, format: str = "medium") -> str:
    locale, zone = _locale_and_zone(request)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return dates.format_datetime(value, format=format, tzinfo=zone, locale=locale)


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
    """Register ``|datetime``, ``|date``, ``|number`` and ``|currency`` for templates."""
    for name, function in {
        "datetime": format_datetime,
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
