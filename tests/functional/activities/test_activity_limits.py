"""The repeat-rule attack (finding 4) and bad numbers, dates and text in activities (finding 10)."""

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from col_core.testing.servers import Gunicorn

from .activities_testing import in_days, local, publishable

ATTACK = "FREQ=MINUTELY;COUNT=2;BYMONTH=2;BYMONTHDAY=30"
# Daily is allowed, and 30 February never comes: before the fix, 11 s of dateutil's search.
NEVER = "FREQ=DAILY;COUNT=2;BYMONTH=2;BYMONTHDAY=30"
# Each refusal takes milliseconds; before the fix each took 11 to 22 seconds.  Generous, since
# the machine is shared: what this guards against is seconds of work per request.
QUICK = 3.0


def recurring(rule):
    start = in_days(3)
    return {
        "schedule_kind": "recurring",
        "schedule": {"start": local(start), "end": local(start.replace(hour=18)), "rrule": rule},
    }


@pytest.mark.parametrize(
    "rule, message", [(ATTACK, "at most once a day"), (NEVER, "0 of its 2 sessions within 2 years")]
)
def test_a_rule_that_never_matches_is_refused_at_once_wherever_it_is_saved(
    staff, org, rule, message, openapi
):
    started = time.monotonic()
    created = openapi(
        staff.post_json(
            "/api/v1/activities", {"organisation_id": org.id, **recurring(rule)}, status=422
        )
    )
    assert message in created.json["fields"]["schedule"]
    draft = staff.post_json("/api/v1/activities", {"organisation_id": org.id, "title": "Lab"}).json
    activity_id = draft["activity"]["id"]
    saved = openapi(
        staff.put_json(f"/api/v1/activities/{activity_id}/draft", recurring(rule), status=422)
    )
    assert message in saved.json["fields"]["schedule"]
    patched = staff.patch_json(f"/api/v1/activities/{activity_id}", recurring(rule), status=422)
    assert message in patched.json["fields"]["schedule"]
    page = staff.get(f"/activities/{activity_id}/edit")
    form = page.forms["activity-form"]
    form["schedule_kind"] = "recurring"
    form["session_start_0"], form["session_end_0"] = (
        recurring(rule)["schedule"]["start"],
        recurring(rule)["schedule"]["end"],
    )
    form["repeat_every"] = "custom"  # the rule as text: the repeat builder's advanced option
    form["rrule"] = rule
    assert message in form.submit(status=422).text
    assert time.monotonic() - started < 4 * QUICK
    # Nothing of the rule was kept.
    assert staff.get(f"/api/v1/activities/{activity_id}").json["sessions"] == []


def test_a_rule_stored_before_the_limits_is_refused_quickly_when_published(make_activity, staff):
    activity = make_activity(status="draft", **recurring(NEVER))
    started = time.monotonic()
    response = staff.post(f"/api/v1/activities/{activity.id}/publish", status=422)
    assert time.monotonic() - started < QUICK
    assert "within 2 years" in response.json["fields"]["schedule"]
    # Copying it makes a draft without sessions, quickly too.
    started = time.monotonic()
    staff.post(f"/api/v1/activities/{activity.id}/duplicate", status=201)
    assert time.monotonic() - started < QUICK


@pytest.mark.parametrize(
    "start", ["0001-01-01T10:00", "1900-12-31T10:00", "2100-01-01T10:00", "9999-12-31T22:00"]
)
def test_schedules_across_years_1_to_9999_are_refused_with_a_message(staff, org, start):
    body = publishable(schedule={"sessions": [{"start": start, "end": start[:11] + "23:00"}]})
    draft = staff.post_json("/api/v1/activities", {"organisation_id": org.id, **body}).json
    response = staff.post(f"/api/v1/activities/{draft['activity']['id']}/publish", status=422)
    assert response.json["fields"]["schedule"] == "Give a date from 1901 to 2099."


def test_superscript_digits_in_the_activity_form_are_not_numbers(staff, org):
    draft = staff.post_json("/api/v1/activities", {"organisation_id": org.id, "title": "Lab"}).json
    page = staff.get(f"/activities/{draft['activity']['id']}/edit")
    fields = [
        (name, value)
        for name, value in page.forms["activity-form"].submit_fields()
        if name not in ("capacity", "price")
    ]
    body = urlencode(
        fields
        + [
            ("capacity", "²"),
            ("price", "²"),
            ("session_start_²", "2027-01-01T10:00"),
            ("resource_kind_²", "step"),
            ("action", "save"),
        ]
    )
    response = staff.post(page.request.url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_int == 200
    assert "Enter a whole number." in response.text


def test_numbers_that_are_not_finite_are_refused(staff, org):
    for value in ("nan", "inf", "-infinity", "1e400"):
        response = staff.post_json(
            "/api/v1/activities", {"organisation_id": org.id, "latitude": value}
        ).json
        assert response["fields"]["latitude"] == "Enter a number such as 54.6872."


def test_text_is_one_line_where_it_should_be_and_never_holds_control_characters(staff, org):
    draft = staff.post_json(
        "/api/v1/activities",
        {
            "organisation_id": org.id,
            "title": "Two\nlines",
            "description": "<p>Two</p>\n<p>lines</p>",
            "resources": [{"kind": "step", "title": "Knead", "text": "Knead.\nRest.\tBake."}],
        },
    ).json
    assert draft["fields"] == {"title": "Write this on a single line."}
    assert draft["activity"]["resources"][0]["text"] == "Knead.\nRest.\tBake."
    # A NUL byte (PostgreSQL refuses it) or a lone surrogate never reaches a field parser.
    response = staff.post(
        "/api/v1/activities",
        f'{{"organisation_id": {org.id}, "title": "a\\u0000b"}}',
        content_type="application/json",
        status=400,
    )
    assert response.json == {
        "error": "Some fields need your attention.",
        "fields": {"title": "Remove the invisible character U+0000 from this text."},
    }
    response = staff.post(
        "/api/v1/activities",
        f'{{"organisation_id": {org.id}, "title": "\\ud800"}}',
        content_type="application/json",
        status=400,
    )
    assert response.json["error"].startswith("The body is not valid JSON")


def test_a_burst_of_the_attack_leaves_the_server_answering(
    app_settings, people, city, org, organiser, tmp_path
):
    """Eight attack requests at once through gunicorn's workers, as the outside attack did
    (then: every worker held, /healthz included, for 77 s): each is refused at once, and
    /healthz answers all along."""
    people.consented(city, organiser)
    secret = people.token(organiser)
    body = json.dumps({"organisation_id": org.id, **recurring(ATTACK)}).encode()

    def attack(base, rule_body):
        request = urllib.request.Request(
            f"{base}/t/vilnius/api/v1/activities",
            data=rule_body,
            method="POST",
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            return error.code
        return 201

    never = json.dumps({"organisation_id": org.id, **recurring(NEVER)}).encode()
    server = Gunicorn(app_settings, tmp_path, workers=3, own_origin=True)
    base = server.origin
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            attacks = [pool.submit(attack, base, body if n % 2 else never) for n in range(8)]
            health = []
            while not all(future.done() for future in attacks):
                asked = time.monotonic()
                with urllib.request.urlopen(f"{base}/t/vilnius/healthz", timeout=30) as response:
                    health.append((response.status, time.monotonic() - asked))
            codes = [future.result() for future in attacks]
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert codes == [422] * 8
    assert health and all(status == 200 for status, _ in health)
    assert max(seconds for _, seconds in health) < 4 * QUICK
    assert elapsed < 8 * QUICK  # before the fix: 77 s
