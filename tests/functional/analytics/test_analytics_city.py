"""The city dashboard: exact figures of the seeded city, exports, periods and who may see it."""

from __future__ import annotations

import csv
import io
import json

from col_core.analytics.testing import seed_city, table
from col_core.db.meta import utcnow


def rows_by_first(payload, key):
    found = table(payload, key)
    first = next(iter(found["rows"][0])) if found["rows"] else None
    return {row[first]: row for row in found["rows"]}


def test_city_dashboard_json_has_the_hand_counted_figures(seeded, people, openapi):
    admin = people.client(seeded.city, seeded.admin)
    payload = openapi(admin.get("/api/v1/analytics/city")).json
    assert payload["min_group_size"] == 2
    headline = {row["figure"]: row["period"] for row in table(payload, "headline")["rows"]}
    assert headline == {
        "Activities offered": 3,
        "Joins": 9,
        "Active learners": 7,
        "New learners": 7,
        "Completions": 3,
        "Attendances": 4,
        "Activity page views": 0,
        "Registered organisers": 2,
        "Badges issued": 2,
        "Feedback responses": {"fewer_than": 2},
    }
    month = utcnow().strftime("%Y-%m")
    assert rows_by_first(payload, "months")[month] == {
        "month": month,
        "month_label": utcnow().strftime("%B %Y"),
        "joins": 9,
        "active": 7,
        "completions": 3,
        "badges": 2,
    }
    assert rows_by_first(payload, "categories") == {
        "arts": {
            "category": "arts",
            "category_label": "Arts",
            "activities": 1,
            "joins": 2,
            "completions": {"fewer_than": 2},
            "rating": {"fewer_than": 2},
        },
        "science": {
            "category": "science",
            "category_label": "Science",
            "activities": 2,
            "joins": 7,
            "completions": 3,
            "rating": {"fewer_than": 2},
        },
    }
    ages = {row["age"]: row["joins"] for row in table(payload, "ages")["rows"]}
    assert ages == {
        "Under 15": {"fewer_than": 2},
        "15 to 19": 7,
        "20 to 24": 2,
        "25 to 29": {"fewer_than": 2},
        "30 and over": {"fewer_than": 2},
    }
    languages = {row["language"]: row["joins"] for row in table(payload, "languages")["rows"]}
    assert languages == {"Lithuanian": 6, "English": 3}
    cells = [
        (round(r["latitude"], 3), round(r["longitude"], 3), r["joins"])
        for r in table(payload, "map")["rows"]
    ]
    assert cells == [(54.685, 25.275, 7), (54.705, 25.305, 2)]
    assert table(payload, "skills")["rows"] == [{"skill": "teamwork", "joins": 6}]


def test_previous_period_is_compared_beside_the_current_one(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    payload = admin.get("/api/v1/analytics/city").json
    previous = {row["figure"]: row["previous"] for row in table(payload, "headline")["rows"]}
    assert previous["Joins"] == {"fewer_than": 2}
    assert previous["Activities offered"] == 0
    assert previous["Registered organisers"] == 0


def test_a_period_before_any_activity_has_no_joins(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    payload = admin.get(
        "/api/v1/analytics/city", params={"from": "2020-01-01", "to": "2020-03-31"}
    ).json
    assert payload["period"] == {"start": "2020-01-01", "end": "2020-04-01"}
    assert [row["month"] for row in table(payload, "months")["rows"]] == [
        "2020-01",
        "2020-02",
        "2020-03",
    ]
    headline = {row["figure"]: row["period"] for row in table(payload, "headline")["rows"]}
    assert headline["Joins"] == {"fewer_than": 2}


def test_a_bad_period_is_refused_with_field_messages(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    response = admin.get("/api/v1/analytics/city", params={"from": "yesterday"}, status=400)
    assert "YYYY-MM-DD" in response.json["fields"]["from"]
    response = admin.get(
        "/api/v1/analytics/city", params={"from": "2026-05-01", "to": "2026-04-01"}, status=400
    )
    assert "before the start date" in response.json["fields"]["to"]
    page = admin.get("/analytics", params={"to": "31/12/2026"}, status=400)
    assert 'aria-invalid="true"' in page.text and 'value="31/12/2026"' in page.text
    assert admin.get("/analytics/headline.csv", params={"from": "x"}, status=400)


def test_city_dashboard_page_shows_charts_with_data_tables(seeded, people):
    page = people.client(seeded.city, seeded.admin).get("/analytics")
    html = page.text
    assert html.count("<svg") >= 4 and 'role="img"' in html
    assert 'id="data-categories"' in html and '<th scope="row">Science</th>' in html
    assert 'id="analytics-map"' in html and "leaflet.js" in html
    assert "headline.csv" in html


def test_csv_export_has_translated_headers_and_the_same_figures(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    response = admin.get("/analytics/categories.csv")
    assert response.content_type == "text/csv"
    assert 'filename="vilnius-categories.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [
        ["Category", "Category (code)", "Activities", "Joins", "Completions", "Average rating"],
        ["Arts", "arts", "1", "2", "fewer than 2", "fewer than 2"],
        ["Science", "science", "2", "7", "3", "fewer than 2"],
    ]
    admin.get("/analytics/nothing.csv", status=404)


def test_rebuild_recomputes_what_the_hooks_counted(seeded, people, run_col):
    admin = people.client(seeded.city, seeded.admin)
    before = admin.get("/api/v1/analytics/city").json
    result = run_col("analytics", "rebuild", "--tenant", "vilnius")
    assert result.exit_code == 0, result.output
    assert "Rebuilt analytics of 1 city." in result.output
    assert admin.get("/api/v1/analytics/city").json == before


def test_rebuild_in_the_background_is_a_job_of_the_city(seeded, people, run_col):
    admin = people.client(seeded.city, seeded.admin)
    before = admin.get("/api/v1/analytics/city").json
    result = run_col("analytics", "rebuild", "--tenant", "vilnius", "--background")
    assert result.exit_code == 0, result.output
    assert "vilnius: queued as job" in result.output
    [job] = json.loads(run_col("jobs", "list", "--kind", "analytics.rebuild", "--json").output)
    assert (job["tenant"], job["status"]) == ("vilnius", "done")  # this suite runs jobs at once
    assert admin.get("/api/v1/analytics/city").json == before


def test_rebuild_of_an_unknown_city_says_so(seeded, run_col):
    result = run_col("analytics", "rebuild", "--tenant", "atlantis")
    assert result.exit_code != 0 and "There is no city 'atlantis'" in result.output


def test_only_city_admins_see_the_city_dashboard(seeded, people, factories, as_request):
    other = seed_city(people, factories, as_request, slug="kaunas")
    anonymous = people.client(seeded.city)
    assert anonymous.get("/analytics", expect_errors=True).status_int in (302, 303, 401, 403)
    anonymous.get("/api/v1/analytics/city", status=(401, 403))
    learner = people.client(seeded.city, seeded.learners[0])
    learner.get("/analytics", status=403)
    learner.get("/analytics/headline.csv", status=403)
    people.client(seeded.city, seeded.organiser_a).get("/api/v1/analytics/city", status=403)
    # Kaunas's admin is nobody in Vilnius; in Kaunas they see Kaunas's own figures.
    people.client(seeded.city, other.admin).get("/api/v1/analytics/city", status=403)
    kaunas = people.client(other.city, other.admin).get("/api/v1/analytics/city").json
    assert {r["figure"]: r["period"] for r in table(kaunas, "headline")["rows"]}["Joins"] == 9


def test_demo_history_fills_the_dashboard_of_a_city(seeded_k5, people, as_request):
    from col_core.analytics.demo import seed_history

    with as_request(seeded_k5.city) as request:
        lines = seed_history(request, seeded_k5.city)
    assert lines and "/analytics" in lines[0]
    payload = people.client(seeded_k5.city, seeded_k5.admin).get("/api/v1/analytics/city").json
    months = table(payload, "months")["rows"]
    assert sum(isinstance(row["joins"], int) for row in months) >= 6
    assert any(isinstance(row["joins"], int) for row in table(payload, "map")["rows"])


def test_categories_are_named_in_the_readers_language(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    page = admin.get("/analytics", headers={"Accept-Language": "lt"}).text
    assert '<th scope="row">Mokslas</th>' in page and '<th scope="row">Menai</th>' in page
    rows = list(csv.reader(io.StringIO(admin.get("/analytics/categories.csv?lang=lt").text)))
    assert rows[0][:2] == ["Kategorija", "Kategorija (kodas)"]
    assert ["Menai", "arts"] == rows[1][:2]
