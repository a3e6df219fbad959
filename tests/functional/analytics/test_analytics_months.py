"""Months are named in the request's language on pages, charts and CSV, and stay ISO for
machines (JSON ``month``, a CSV column of their own)."""

from __future__ import annotations

import csv
import io

from col_core.analytics.testing import table

PERIOD = {"from": "2026-10-01", "to": "2026-11-30"}


def test_json_keeps_iso_months_beside_their_names_in_the_language_asked(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    for lang, names in (
        ("en", ["October 2026", "November 2026"]),
        ("lt", ["2026 m. spalis", "2026 m. lapkritis"]),
    ):
        rows = table(
            admin.get("/api/v1/analytics/city", params={**PERIOD, "lang": lang}).json, "months"
        )["rows"]
        assert [(row["month"], row["month_label"]) for row in rows] == list(
            zip(["2026-10", "2026-11"], names, strict=False)
        )


def test_pages_and_charts_name_the_months(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    english = admin.get("/analytics", params={**PERIOD, "lang": "en"}).text
    assert '<th scope="row">November 2026</th>' in english
    assert english.count("November 2026") >= 2  # the table's row and the chart's axis
    lithuanian = admin.get("/analytics", params={**PERIOD, "lang": "lt"}).text
    assert '<th scope="row">2026 m. lapkritis</th>' in lithuanian
    assert "2026-11<" not in lithuanian


def test_csv_has_the_month_name_and_the_iso_month_in_its_own_column(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    english = list(
        csv.reader(
            io.StringIO(admin.get("/analytics/months.csv", params={**PERIOD, "lang": "en"}).text)
        )
    )
    assert english[0][:2] == ["Month", "Month (ISO)"]
    assert [row[:2] for row in english[1:]] == [
        ["October 2026", "2026-10"],
        ["November 2026", "2026-11"],
    ]
    lithuanian = list(
        csv.reader(
            io.StringIO(admin.get("/analytics/months.csv", params={**PERIOD, "lang": "lt"}).text)
        )
    )
    assert lithuanian[0][:2] == ["Mėnuo", "Mėnuo (ISO formatu)"]
    assert lithuanian[2][:2] == ["2026 m. lapkritis", "2026-11"]


def test_the_organisers_trend_names_its_months(seeded, people):
    staff = people.client(seeded.city, seeded.organiser_a)
    page = staff.get(
        f"/organisations/{seeded.org_a.slug}/analytics", params={**PERIOD, "lang": "lt"}
    ).text
    assert '<th scope="row">2026 m. spalis</th>' in page
    rows = list(
        csv.reader(
            io.StringIO(
                staff.get(
                    f"/organisations/{seeded.org_a.slug}/analytics/trend.csv",
                    params={**PERIOD, "lang": "en"},
                ).text
            )
        )
    )
    assert rows[1][:2] == ["October 2026", "2026-10"]


def test_csv_links_keep_the_language_the_page_is_read_in(seeded, people):
    """A reader who chose Lithuanian with ?lang= (no cookie) downloads Lithuanian headers."""
    admin = people.client(seeded.city, seeded.admin)
    page = admin.get("/analytics", params={"lang": "lt"})
    link = page.html.find(id="t-categories").parent.find("a", download=True)["href"]
    rows = list(csv.reader(io.StringIO(admin.get(link).text)))
    assert rows[0][0] == "Kategorija"
    english = admin.get("/analytics").html.find(id="t-categories").parent
    assert "lang=en" in english.find("a", download=True)["href"]
