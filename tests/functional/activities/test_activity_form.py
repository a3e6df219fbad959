"""The organisers' activity form as people fill it in: the repeat builder, the rich-text
description, languages by name, and the place picker's address search (IGeocoder)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from col_core.activities.models import Activity
from col_core.tenancy.scoping import get_city_row

from .activities_testing import fill, in_days, local, new_draft

START = in_days(8)


def _draft_form(staff, org):
    return new_draft(staff, org, "Weekly robotics").forms["activity-form"]


COMPLETE = {
    "description": "<p>Build and program robots.</p>",
    "category": "science",
    "address": "Pilies g. 4",
    "latitude": "54.6850",
    "longitude": "25.2880",
    "contact_email": "robots@example.org",
    "session_start_0": local(START),
    "session_end_0": local(START.replace(hour=18)),
}


def _stored(factories, city, page):
    """The activity the page is about, as stored, with its session count."""
    activity_id = int(page.headers["Location"].rstrip("/").split("/")[-1])
    with factories.within(city):
        activity = get_city_row(factories.session, Activity, activity_id)
        activity.session_count = len(activity.sessions)
        return activity


def _weekdays(form, *days):
    for field in form.fields["repeat_days"]:
        field.checked = field._value in days


def test_the_repeat_builder_writes_the_rule_and_makes_the_sessions(staff, org, factories, city):
    form = fill(_draft_form(staff, org), schedule_kind="recurring", **COMPLETE)
    form["repeat_every"] = "week"
    _weekdays(form, "MO", "WE")
    form["repeat_ends"] = "count"
    form["repeat_count"] = "4"
    page = form.submit("action", value="publish", status=303)
    activity = _stored(factories, city, page)
    assert activity.status == "published"
    assert activity.schedule["rrule"] == "FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE"
    assert activity.session_count == 4
    # Opened again, the form shows the rule as the builder's choices, not as text.
    again = staff.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    assert again["repeat_every"].value == "week"
    assert again["repeat_count"].value == "4"
    assert [f._value for f in again.fields["repeat_days"] if f.checked] == ["MO", "WE"]


def test_the_repeat_builder_ends_on_a_date(staff, org, factories, city):
    form = fill(_draft_form(staff, org), schedule_kind="recurring", **COMPLETE)
    form["repeat_every"] = "day"
    form["repeat_ends"] = "until"
    form["repeat_until"] = (START.date() + (in_days(10) - in_days(8))).isoformat()
    page = form.submit("action", value="publish", status=303)
    activity = _stored(factories, city, page)
    assert activity.schedule["rrule"].startswith("FREQ=DAILY;UNTIL=")
    assert activity.session_count == 3


@pytest.mark.parametrize(
    ("choices", "field", "message"),
    [
        ({"repeat_every": "week", "repeat_count": "3"}, "repeat_days", "Choose at least one day"),
        ({"repeat_every": "day", "repeat_count": "0"}, "repeat_count", "a number from 1 to 200"),
        ({"repeat_every": "day", "repeat_count": "many"}, "repeat_count", "how many times"),
        (
            {"repeat_every": "month", "repeat_ends": "until", "repeat_until": "next spring"},
            "repeat_until",
            "Give the last date",
        ),
        ({"repeat_every": "hourly"}, "repeat_every", "Choose how often"),
    ],
)
def test_the_repeat_builder_explains_what_to_fix(staff, org, choices, field, message):
    form = fill(_draft_form(staff, org), schedule_kind="recurring", **COMPLETE)
    _weekdays(form)
    fields = [(name, value) for name, value in form.submit_fields() if name not in choices]
    fields += [*choices.items(), ("action", "publish")]
    page = staff.post(form.response.request.url, fields, status=422)
    assert f'id="e-{field}"' in page.text
    assert message in page.text


def test_a_rule_the_builder_cannot_show_stays_an_advanced_text(staff, org, factories, city):
    form = fill(_draft_form(staff, org), schedule_kind="recurring", **COMPLETE)
    form["repeat_every"] = "custom"
    form["rrule"] = "FREQ=WEEKLY;INTERVAL=2;COUNT=3"
    page = form.submit("action", value="publish", status=303)
    activity = _stored(factories, city, page)
    assert activity.session_count == 3
    again = staff.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    assert again["repeat_every"].value == "custom"
    assert again["rrule"].value == "FREQ=WEEKLY;INTERVAL=2;COUNT=3"


def test_a_custom_rule_that_never_matches_is_refused_in_words(staff, org):
    form = fill(_draft_form(staff, org), schedule_kind="recurring", **COMPLETE)
    form["repeat_every"] = "custom"
    form["rrule"] = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2"
    page = form.submit("action", value="publish", status=422)
    assert "makes 0 of its 2 sessions" in page.text


def test_the_description_is_stored_sanitised(staff, org, factories, city):
    form = fill(_draft_form(staff, org), **COMPLETE)
    form["description"] = (
        "<p>Bring <b>gloves</b></p><ul><li>one</li></ul><script>alert(1)</script>"
        '<a href="javascript:alert(1)">bad</a> <a href="https://example.org">good</a>'
        '<img src="x" onerror="alert(1)">'
    )
    page = form.submit("action", value="publish", status=303)
    stored = _stored(factories, city, page).description
    assert "<b>gloves</b>" in stored and "<li>one</li>" in stored
    assert "script" not in stored and "javascript:" not in stored and "<img" not in stored
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">good</a>' in stored


def test_a_refused_form_shows_the_description_sanitised(staff, org):
    form = _draft_form(staff, org)
    form["description"] = '<p>Hi</p><script>alert("kept?")</script>'
    form["contact_email"] = "not-an-email"
    page = form.submit("action", value="publish", status=422)
    assert page.forms["activity-form"]["description"].value == "<p>Hi</p>"


def test_languages_are_chosen_by_name(staff, org, factories, city):
    form = fill(_draft_form(staff, org), **COMPLETE)
    options = dict((value, text) for value, _selected, text in form["languages"].options)
    assert options["lt"] == "Lithuanian" and options["uk"] == "Ukrainian"
    form["languages"] = ["lt", "uk"]
    page = form.submit("action", value="publish", status=303)
    assert _stored(factories, city, page).languages == ["lt", "uk"]
    # In the reader's language: the Lithuanian form names Ukrainian "ukrainiečių".
    lithuanian = staff.get(page.headers["Location"] + "/edit", headers={"Accept-Language": "lt"})
    assert '<option value="uk" selected>Ukrainiečių</option>' in lithuanian.text


def test_an_unknown_language_code_is_refused(staff, org):
    form = _draft_form(staff, org)
    fields = [(n, v) for n, v in form.submit_fields() if n != "languages"]
    page = staff.post(
        form.response.request.url, [*fields, ("languages", "zz-nope"), ("action", "save")]
    )
    assert "zz-nope is not a language code" in page.text


def test_the_form_shows_each_kind_of_date_its_fields(staff, org):
    page = _draft_form(staff, org).response
    # Marked for the page's script, which hides what the chosen kind does not need.
    assert 'data-for-kinds="recurring"' in page.text
    assert 'data-for-kinds="always_open"' in page.text
    assert 'data-for-repeats="custom"' in page.text


def test_one_date_with_two_sessions_is_refused(staff, org):
    form = fill(_draft_form(staff, org), schedule_kind="single", **COMPLETE)
    form["session_start_1"] = local(in_days(9))
    form["session_end_1"] = local(in_days(9, hour=18))
    page = form.submit("action", value="publish", status=422)
    assert "exactly one session" in page.text


# The place picker's address search.


@pytest.fixture
def places_city(factories, city):
    city.map = {
        "center": [54.6872, 25.2797],
        "places": [
            {
                "name": "Martynas Mažvydas National Library",
                "address": "Gedimino pr. 51, Vilnius",
                "latitude": 54.6903,
                "longitude": 25.2638,
            },
            {"name": "Broken", "latitude": "north", "longitude": 1},
        ],
    }
    factories.save(city)
    return city


def _places(client, activity, query, status=200):
    return client.get(f"/api/v1/activities/{activity.id}/places", {"q": query}, status=status).json


def test_search_finds_the_city_s_listed_places_without_accents(staff, make_activity, places_city):
    activity = make_activity(status="draft")
    found = _places(staff, activity, "mazvydas")["items"]
    assert found == [
        {
            "name": "Martynas Mažvydas National Library",
            "address": "Gedimino pr. 51, Vilnius",
            "latitude": 54.6903,
            "longitude": 25.2638,
            "source": "city",
        }
    ]


def test_search_finds_public_venues_other_activities_use(
    staff, make_activity, places_city, factories, people
):
    make_activity(address="Vokiečių g. 2, Vilnius", latitude=54.68, longitude=25.28)
    make_activity(status="draft", address="Vokiečių g. 99 (secret)", latitude=1.0, longitude=2.0)
    make_activity(visibility="private", address="Vokiečių g. 98 (a home)")
    elsewhere = factories.tenant("riga")
    make_activity(
        tenant=elsewhere,
        organisation=people.organisation(elsewhere),
        address="Vokiečių iela 7, Riga",
    )
    mine = make_activity(status="draft")
    found = _places(staff, mine, "vokieciu")["items"]
    assert [place["address"] for place in found] == ["Vokiečių g. 2, Vilnius"]


@pytest.mark.parametrize("query", ["", "a", "x" * 201])
def test_search_refuses_a_query_it_cannot_use(staff, make_activity, query):
    answer = _places(staff, make_activity(status="draft"), query, status=400)
    assert "from 2 to 200 characters" in answer["error"]
    assert "from 2 to 200 characters" in answer["fields"]["q"]


def test_search_is_for_the_activity_s_organisers(make_activity, people, city):
    activity = make_activity(status="draft")
    people.client(city, people.user()).get(
        f"/api/v1/activities/{activity.id}/places?q=ab", status=403
    )


def test_search_is_described_in_the_openapi_document(staff):
    document = staff.get("/api/openapi.json").json
    operation = document["paths"]["/api/v1/activities/{id}/places"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["id", "q"]
    assert {"200", "400", "403", "404"} <= set(operation["responses"])


class _Nominatim:
    """A Nominatim-compatible search service on 127.0.0.1 that records what it was asked."""

    def __init__(self):
        self.asked: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                service.asked.append(self.path)
                body = json.dumps(
                    [
                        {
                            "lat": "54.6771",
                            "lon": "25.2860",
                            "name": "Rotušė",
                            "display_name": "Rotušė, Didžioji g. 31, Vilnius",
                        },
                        {"lat": "not a number", "lon": "1", "display_name": "Broken"},
                    ]
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/search"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def nominatim():
    service = _Nominatim()
    yield service
    service.server.shutdown()


def _signed_in(app, people, city, organiser):
    client = app.for_tenant(city)
    name, value, csrf = people.session_cookie(organiser)
    client.set_cookie(name, value)
    return client


NOMINATIM = "col_core.activities.services.geocoding.NominatimGeocoder"


def test_a_nominatim_service_adds_its_answers_after_the_city_s(
    make_testapp, nominatim, people, city, organiser, make_activity, places_city
):
    app = make_testapp(
        **{
            "col.geocoder": NOMINATIM,
            "col.geocoder_url": nominatim.url,
            "col.geocoder_allow_private": "true",
        }
    )
    make_activity(address="Didžioji g. 5, Vilnius")
    client = _signed_in(app, people, city, organiser)
    found = _places(client, make_activity(status="draft"), "didzioji")["items"]
    assert [(p["address"], p["source"]) for p in found] == [
        ("Didžioji g. 5, Vilnius", "city"),
        ("Rotušė, Didžioji g. 31, Vilnius", "geocoder"),
    ]
    assert "q=didzioji" in nominatim.asked[0] and "countrycodes=lt" in nominatim.asked[0]


def test_a_nominatim_service_on_a_private_address_is_not_called(
    make_testapp, nominatim, people, city, organiser, make_activity
):
    app = make_testapp(**{"col.geocoder": NOMINATIM, "col.geocoder_url": nominatim.url})
    client = _signed_in(app, people, city, organiser)
    assert _places(client, make_activity(status="draft"), "didzioji")["items"] == []
    assert nominatim.asked == []


def test_a_post_without_the_builder_keeps_its_rule_text(staff, org, factories, city):
    form = fill(_draft_form(staff, org), schedule_kind="recurring", **COMPLETE)
    fields = [(n, v) for n, v in form.submit_fields() if not n.startswith(("repeat_", "rrule"))]
    fields += [("rrule", "FREQ=DAILY;COUNT=2"), ("action", "publish")]
    page = staff.post(form.response.request.url, fields, status=303)
    assert _stored(factories, city, page).session_count == 2
