"""Pure pieces of analytics: periods, breakdown keys, tables and their CSV."""

from __future__ import annotations

import datetime as dt

import pytest

from col_core.analytics.charts import render
from col_core.analytics.period import Period, PeriodError, parse_period
from col_core.analytics.rollup import age_band, cell_centre, grid_cell
from col_core.analytics.tables import Labelled, Suppressed, Table

TODAY = dt.date(2026, 11, 28)


def same(message, **_kw):
    return message


def test_default_period_is_the_last_six_months_including_today():
    period = parse_period({}, TODAY, same)
    assert period == Period(dt.date(2026, 5, 29), dt.date(2026, 11, 29))
    assert period.previous() == Period(
        dt.date(2026, 5, 29) - dt.timedelta(days=184), dt.date(2026, 5, 29)
    )


def test_period_from_and_to_are_both_included():
    period = parse_period({"from": "2026-01-01", "to": "2026-03-31"}, TODAY, same)
    assert (period.start, period.end, period.days) == (dt.date(2026, 1, 1), dt.date(2026, 4, 1), 90)
    assert period.months() == ["2026-01", "2026-02", "2026-03"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "01/02/2026"}, "from"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "to"),
        ({"from": "1990-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_bad_periods_name_the_field_to_fix(params, field):
    with pytest.raises(PeriodError) as raised:
        parse_period(params, TODAY, same)
    assert list(raised.value.fields) == [field]


@pytest.mark.parametrize(
    "born, year, band",
    [
        (2012, 2026, "under-15"),
        (2011, 2026, "15-19"),
        (2007, 2026, "15-19"),
        (2006, 2026, "20-24"),
        (1997, 2026, "25-29"),
        (1950, 2026, "30-plus"),
        (None, 2026, ""),
    ],
)
def test_age_bands_by_year_of_birth(born, year, band):
    assert age_band(born, year) == band


def test_grid_cells_are_about_a_kilometre_and_never_a_point():
    assert grid_cell(54.6872, 25.2797) == "5468,2527"
    assert grid_cell(54.6801, 25.2701) == grid_cell(54.6899, 25.2799)
    assert grid_cell(None, 25.0) == ""
    assert cell_centre("5468,2527") == pytest.approx((54.685, 25.275))
    assert cell_centre("-3,-5") == pytest.approx((-0.035, -0.055))


def test_csv_words_suppressed_figures_and_defuses_formulas():
    table = Table(
        "t",
        "T",
        [("name", "Name"), ("n", "Count")],
        [['=HYPERLINK("x")', 7], ["small", Suppressed(5)]],
    )
    assert table.as_csv(
        lambda k: f"fewer than {k}", lambda key, label: f"{label} code"
    ).splitlines() == [
        "Name,Count",
        '"\'=HYPERLINK(""x"")",7',
        "small,fewer than 5",
    ]
    assert table.as_json()["rows"][1] == {"name": "small", "n": {"fewer_than": 5}}


def test_labelled_cells_export_their_label_and_their_machine_value():
    table = Table(
        "m",
        "M",
        [("month", "Month"), ("n", "Joins")],
        [[Labelled("2026-11", "November 2026"), 7]],
        chart="line",
    )
    assert table.as_csv(
        lambda k: f"fewer than {k}", lambda key, label: f"{label} (ISO)"
    ).splitlines() == [
        "Month,Month (ISO),Joins",
        "November 2026,2026-11,7",
    ]
    assert table.as_json()["rows"] == [{"month": "2026-11", "month_label": "November 2026", "n": 7}]
    assert "November 2026" in render(table, "Chart", nonce="n0nce")


def test_charts_are_svg_images_with_a_text_alternative_and_leave_out_suppressed_bars():
    table = Table(
        "t",
        "Joins",
        [("c", "Category"), ("n", "Joins")],
        [["science", 7], ["arts", Suppressed(5)]],
        chart="bar",
    )
    svg = render(table, "Chart; the same figures are in the table below.", nonce="n0nce")
    assert svg.startswith('<svg role="img" aria-label="Chart; the same figures')
    assert "<script" not in svg
    # Under the Content-Security-Policy: no style attribute, the stylesheet with the nonce.
    assert " style=" not in svg and '<style nonce="n0nce"' in svg
    # One bar, for science: the suppressed figure is a gap, not a bar labelled with a number.
    assert svg.count('<desc class="value">') == 1 and '<desc class="value">7<' in svg
    assert render(Table("m", "Map", [("a", "A")], [[1]], chart="map"), "x", nonce="n") == ""


def test_city_settings_read_dotted_keys_and_tables():
    from col_core.analytics.services import city_setting
    from col_core.tenancy.models import Tenant

    assert city_setting(Tenant(settings={"analytics.min_group_size": 10}), "min_group_size") == 10
    assert (
        city_setting(Tenant(settings={"analytics": {"min_group_size": 3}}), "min_group_size") == 3
    )
    assert city_setting(Tenant(settings={}), "min_group_size", 5) == 5
    assert city_setting(None, "min_group_size", 5) == 5
