"""Moments, times and intervals: the city's time zone, no seconds, one format per language."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from col_core.i18n.formatting import format_datetime, format_interval, format_time

START = dt.datetime(2030, 12, 8, 15, 0, tzinfo=dt.UTC)


def request(locale: str, timezone: str = "America/New_York"):
    return SimpleNamespace(
        localizer=SimpleNamespace(locale_name=locale), tenant=SimpleNamespace(timezone=timezone)
    )


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
    assert format_datetime(request(locale), START) == expected


def test_a_naive_time_is_taken_as_utc():
    assert format_time(request("de"), START.replace(tzinfo=None)) == "10:00"
    assert format_time(request("de", "Europe/Vilnius"), START) == "17:00"


def test_a_session_within_a_day_writes_its_date_once():
    end = START + dt.timedelta(hours=2)
    assert format_interval(request("en"), START, end) == (
        "Sun, Dec 8, 2030, 10:00\u202fAM\u2009\u2013\u200912:00\u202fPM"
    )
    assert format_interval(request("nl"), START, end) == "zo 8 dec 2030, 10:00\u201312:00"


def test_a_session_over_midnight_in_the_city_writes_both_ends_in_full():
    # 15:00 UTC to 06:00 UTC the next day: 10:00 to 01:00 in New York, the next day there too.
    end = START + dt.timedelta(hours=15)
    assert format_interval(request("de"), START, end) == (
        "So., 8. Dez. 2030, 10:00\u2009\u2013\u2009Mo., 9. Dez. 2030, 01:00"
    )


def test_a_session_without_an_end_is_its_start():
    assert format_interval(request("de"), START, None) == "So., 8. Dez. 2030, 10:00"
