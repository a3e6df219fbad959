"""Dates, times, numbers and plurals follow the page's language and the city's time zone."""

import datetime as dt
from types import SimpleNamespace

from pyramid.i18n import make_localizer

from col_core.i18n import LOCALES_DIR
from col_core.i18n.catalogs import compile_catalogs
from col_core.i18n.formatting import format_date, format_datetime, format_number

NOON_UTC = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def request(locale, timezone="Europe/Vilnius"):
    return SimpleNamespace(
        localizer=SimpleNamespace(locale_name=locale), tenant=SimpleNamespace(timezone=timezone)
    )


def test_time_is_shown_in_the_city_time_zone():
    assert "15:00" in format_datetime(request("lt"), NOON_UTC, "short")  # Vilnius is UTC+3
    assert "14:00" in format_datetime(request("de", "Europe/Berlin"), NOON_UTC, "short")


def test_dates_use_the_language():
    assert format_date(request("de"), NOON_UTC, "long") == "1. Juni 2026"
    assert format_date(request("es"), NOON_UTC, "long") == "1 de junio de 2026"
    assert format_date(request("nl"), NOON_UTC, "long") == "1 juni 2026"
    assert format_date(request("fr"), NOON_UTC, "long") == "1 juin 2026"


def test_date_near_midnight_is_the_local_day():
    late = dt.datetime(2026, 6, 1, 22, 30, tzinfo=dt.UTC)
    assert format_date(request("en"), late, "short") == "6/2/26"


def test_numbers_use_the_language():
    assert format_number(request("de"), 1234.5) == "1.234,5"
    assert format_number(request("en"), 1234.5) == "1,234.5"
    assert format_number(request("lt"), 1234.5) == "1\xa0234,5"


def test_plurals_follow_each_language_rules():
    compile_catalogs(LOCALES_DIR, "col")

    def stars(locale, n):
        localizer = make_localizer(locale, [str(LOCALES_DIR)])
        return localizer.pluralize("%(num)s star", "%(num)s stars", n, domain="col") % {"num": n}

    assert [stars("lt", n) for n in (1, 3, 10, 21)] == [
        "1 žvaigždutė",
        "3 žvaigždutės",
        "10 žvaigždučių",
        "21 žvaigždutė",
    ]
    assert [stars("fr", n) for n in (0, 1, 2)] == ["0 étoile", "1 étoile", "2 étoiles"]
    assert [stars("de", n) for n in (1, 2)] == ["1 Stern", "2 Sterne"]
