"""Small-group suppression (k = 5 by default): on pages, in CSV and JSON, on the impact pages."""

from __future__ import annotations

import csv
import io

import pytest

from col_core.analytics.testing import seed_city, set_city_total, table
from col_core.hookspecs import Metric, hookimpl


def test_small_groups_are_suppressed_in_json(seeded_k5, people):
    payload = people.client(seeded_k5.city, seeded_k5.admin).get("/api/v1/analytics/city").json
    assert payload["min_group_size"] == 5
    categories = {row["category"]: row for row in table(payload, "categories")["rows"]}
    assert categories["arts"]["joins"] == {"fewer_than": 5}
    assert categories["science"]["joins"] == 7
    assert categories["science"]["completions"] == {"fewer_than": 5}
    # The map square of Drawing (2 joins) is left out entirely, not shown as a number.
    assert [row["joins"] for row in table(payload, "map")["rows"]] == [7]
    assert table(payload, "skills")["rows"] == [{"skill": "teamwork", "joins": 6}]


def test_small_groups_are_suppressed_on_the_page_and_in_csv(seeded_k5, people):
    admin = people.client(seeded_k5.city, seeded_k5.admin)
    html = admin.get("/analytics").text
    arts = html[html.index('<th scope="row">Arts</th>') :]
    arts = arts[: arts.index("</tr>")]
    assert arts.count("fewer than 5") == 3 and ">2<" not in arts
    rows = list(csv.reader(io.StringIO(admin.get("/analytics/categories.csv").text)))
    assert rows[1] == ["Arts", "arts", "1", "fewer than 5", "fewer than 5", "fewer than 5"]
    ages = list(csv.reader(io.StringIO(admin.get("/analytics/ages.csv").text)))
    assert ["20 to 24", "fewer than 5"] in ages


def test_city_impact_page_formats_figures_and_hides_small_ones(seeded_k5, people, openapi):
    visitor = people.client(seeded_k5.city)
    html = visitor.get("/impact").text
    assert "<strong>3</strong> activities" in html
    assert "<strong>9</strong> joins" in html
    assert "<strong>2</strong> organisers" in html
    assert "<strong>fewer than 5</strong> badges" in html
    assert "teamwork" in html
    payload = openapi(visitor.get("/api/v1/analytics/impact")).json
    assert {k: payload["figures"][k] for k in ("activities", "joins", "organisers", "badges")} == {
        "activities": 3,
        "joins": 9,
        "organisers": 2,
        "badges": {"fewer_than": 5},
    }
    assert payload["skills"] == [{"skill": "teamwork", "joins": 6}]


def test_numbers_are_formatted_for_the_locale(seeded_k5, people, factories):
    set_city_total(factories, seeded_k5.city, "joins", 5000)
    visitor = people.client(seeded_k5.city)
    assert "<strong>5,000</strong> joins" in visitor.get("/impact").text
    lithuanian = visitor.get("/impact", headers={"Accept-Language": "lt"}).text
    assert "5\xa0000" in lithuanian


def test_network_impact_adds_up_every_city(people, factories, as_request):
    seed_city(people, factories, as_request, slug="vilnius")
    seed_city(people, factories, as_request, slug="kaunas")
    factories.global_site()
    payload = people.testapp.get("/api/v1/analytics/impact").json
    assert payload["cities"] == 2
    assert {k: payload["figures"][k] for k in ("activities", "joins", "organisers", "badges")} == {
        "activities": 6,
        "joins": 18,
        "organisers": 4,
        "badges": {"fewer_than": 5},
    }
    html = people.testapp.get("/impact").text
    assert "Across 2 cities" in html and "<strong>18</strong> joins" in html


class MetricsPlugin:
    """An outside plugin contributing two figures through ``col_metrics``."""

    def __init__(self):
        self.scopes = []

    @hookimpl
    def col_metrics(self, request, scope, period):
        self.scopes.append(type(scope).__name__)
        return [
            Metric("test.places", "Places to sit", 42, people=False, public=True),
            Metric("test.helpers", "Helpers", 3),
            Metric("test.internal", "Complaints", 7, people=False),
        ]


@pytest.fixture
def metrics_plugin(registry):
    plugin = MetricsPlugin()
    manager = registry["col.plugins"].manager
    manager.register(plugin, name="test-metrics")
    yield plugin
    manager.unregister(name="test-metrics")


def test_plugins_add_figures_through_the_metrics_hook(seeded_k5, people, metrics_plugin):
    admin = people.client(seeded_k5.city, seeded_k5.admin)
    headline = {
        row["figure"]: row["period"]
        for row in table(admin.get("/api/v1/analytics/city").json, "headline")["rows"]
    }
    assert headline["Places to sit"] == 42
    assert headline["Helpers"] == {"fewer_than": 5}
    rows = list(csv.reader(io.StringIO(admin.get("/analytics/headline.csv").text)))
    assert ["Places to sit", "42", "42"] in rows and [
        "Helpers",
        "fewer than 5",
        "fewer than 5",
    ] in rows
    staff = people.client(seeded_k5.city, seeded_k5.organiser_a)
    more = table(staff.get(f"/api/v1/analytics/organisations/{seeded_k5.org_a.slug}").json, "more")[
        "rows"
    ]
    assert {"figure": "Places to sit", "value": 42} in more
    assert "Places to sit" not in people.client(seeded_k5.city).get("/impact").text
    assert {"Tenant", "Organisation"} <= set(metrics_plugin.scopes)


class SkillGroupsPlugin:
    """Groups the seeded skill the way the ESCO plugin groups skills by their hierarchy."""

    @hookimpl
    def col_skill_groups(self, request, uris):
        return {uri: "Communication and teamwork" for uri in uris if uri.endswith("/teamwork")}


def test_skills_are_grouped_by_plugins_that_know_them(seeded, people, registry):
    admin = people.client(seeded.city, seeded.admin)
    assert "skill_groups" not in [
        t["key"] for t in admin.get("/api/v1/analytics/city").json["tables"]
    ]
    manager = registry["col.plugins"].manager
    manager.register(SkillGroupsPlugin(), name="test-skill-groups")
    try:
        payload = admin.get("/api/v1/analytics/city").json
    finally:
        manager.unregister(name="test-skill-groups")
    assert table(payload, "skill_groups")["rows"] == [
        {"group": "Communication and teamwork", "joins": 6}
    ]


def test_the_impact_page_shows_only_what_the_city_publishes(
    seeded_k5, people, factories, metrics_plugin
):
    visitor = people.client(seeded_k5.city)
    shown = lambda: visitor.get("/api/v1/analytics/impact").json["figures"]  # noqa: E731
    # By default: the core's four counts; plugins' figures only when the city lists them.
    assert set(shown()) == {"activities", "joins", "organisers", "badges"}
    city = seeded_k5.city
    city.settings = {
        **city.settings,
        "analytics.impact_metrics": ["joins", "test.places", "test.internal"],
    }
    factories.save(city)
    # An internal figure stays internal even when listed.
    assert shown() == {"joins": 9, "test.places": 42}
    html = visitor.get("/impact").text
    assert "<strong>42</strong> Places to sit" in html and "Complaints" not in html
    assert "organisers" not in html
