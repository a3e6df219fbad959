"""Dates, times, numbers and plurals follow the page's language and the city's time zone."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from pyramid.i18n import make_localizer

from col_core.i18n import LOCALES_DIR
from col_core.i18n.catalogs import compile_catalogs
from col_core.i18n.formatting import (
    format_date,
    format_datetime,
    format_interval,
    format_number,
    format_time,
)

NOON_UTC = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def request(locale, timezone="Europe/Vilnius"):
    return SimpleNamespace(
        localizer=SimpleNamespace(locale_name=locale), tenant=SimpleNamespace(timezone=timezone)
    )


def test_time_is_shown_in_the_city_time_zone():
    assert "15:00" in format_datetime(request("lt"), NOON_UTC)  # Vilnius is UTC+3
    assert "14:00" in format_datetime(request("de", "Europe/Berlin"), NOON_UTC)


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


# Moments, times and intervals: no seconds, one format per language.
NEW_YORK = "America/New_York"
START = dt.datetime(2030, 12, 8, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Sun, Dec 8, 2030, 10:00\u202fAM"),
        ("de", "So., 8. Dez. 2030, 10:00"),
        ("fr", "dim. 8 déc. 2030, 10:00"),
        ("lt", "2030-12-08, sk 10:00"),
    ],
)
def test_a_moment_is_in_the_citys_zone_without_seconds(locale, expected):
    assert format_datetime(request(locale, NEW_YORK), START) == expected


def test_a_naive_time_is_taken_as_utc():
    assert format_time(request("de", NEW_YORK), START.replace(tzinfo=None)) == "10:00"
    assert format_time(request("de", "Europe/Vilnius"), START) == "17:00"


def test_a_session_within_a_day_writes_its_date_once():
    end = START + dt.timedelta(hours=2)
    assert format_interval(request("en", NEW_YORK), START, end) == (
        "Sun, Dec 8, 2030, 10:00\u202fAM\u2009\u2013\u200912:00\u202fPM"
    )
    assert format_interval(request("nl", NEW_YORK), START, end) == "zo 8 dec 2030, 10:00\u201312:00"


def test_a_session_over_midnight_in_the_city_writes_both_ends_in_full():
    # 15:00 UTC to 06:00 UTC the next day: 10:00 to 01:00 in New York, the next day there too.
    end = START + dt.timedelta(hours=15)
    assert format_interval(request("de", NEW_YORK), START, end) == (
        "So., 8. Dez. 2030, 10:00\u2009\u2013\u2009Mo., 9. Dez. 2030, 01:00"
    )


def test_a_session_without_an_end_is_its_start():
    assert format_interval(request("de", NEW_YORK), START, None) == "So., 8. Dez. 2030, 10:00"


def test_kept_texts_write_each_moment_as_babel_does():
    # The texts of days and times of day are kept (formatting._day_text, _clock_text): the same
    # instant in two zones, and the hours around a change of summer time, still read apart.
    from babel import Locale, dates

    from col_core.i18n.formatting import DATE_SKELETON, moment

    start = dt.datetime(2026, 10, 24, 22, 0, 30, tzinfo=dt.UTC)  # Vilnius leaves summer time
    for locale in ("en", "lt", "de"):
        for zone_name in ("Europe/Vilnius", "America/New_York"):
            zone = ZoneInfo(zone_name)
            for hours in range(8):
                value = (start + dt.timedelta(hours=hours)).astimezone(zone)
                day = dates.format_skeleton(DATE_SKELETON, value, locale=locale)
                clock = dates.format_time(value, "short", locale=locale)
                joined = Locale.parse(locale).datetime_formats["medium"]
                expected = joined.replace("{1}", day).replace("{0}", clock)
                assert moment(value, locale, zone) == expected
