"""Checking in by scanning a session's QR code: a signed, short-lived token URL."""

import pytest
from pyramid.scripting import prepare

from col_core.activities.interfaces import IParticipationService


@pytest.fixture
def mint(registry):
    """``mint(session, lifetime)``: the token the session's QR code carries."""

    def make(session, lifetime=900):
        env = prepare(registry=registry)
        try:
            return env["request"].find_service(IParticipationService).session_token(
                session, lifetime_seconds=lifetime)
        finally:
            env["closer"]()

    return make


def attended(staff, activity):
    items = staff.get(f"/api/v1/activities/{activity.id}/participants").json["items"]
    return {p["user"]["id"]: p["attended_session_ids"] for p in items}


def test_organiser_sees_a_qr_code_linking_to_a_check_in_url(make_activity, staff):
    activity = make_activity()
    page = staff.get(f"/activities/{activity.id}/sessions/{activity.sessions[0].id}/qr")
    assert "<svg" in page.text
    assert "http://vilnius.example.test/attend/" in page.text


def test_learners_cannot_see_the_qr_code(make_activity, people, city):
    activity = make_activity()
    people.client(city, people.user()).get(
        f"/activities/{activity.id}/sessions/{activity.sessions[0].id}/qr", status=403)


def test_scanning_while_signed_in_marks_attendance(make_activity, people, city, staff, mint):
    activity = make_activity()
    learner = people.user()
    client = people.client(city, learner)
    client.post(f"/api/v1/activities/{activity.id}/participation")
    page = client.get(f"/attend/{mint(activity.sessions[0])}")
    assert "checked in" in page.text
    assert attended(staff, activity) == {learner.id: [activity.sessions[0].id]}


def test_scanning_joins_a_learner_who_had_not_joined(make_activity, people, city, staff, mint):
    activity = make_activity(capacity=5)
    learner = people.user()
    people.client(city, learner).get(f"/attend/{mint(activity.sessions[0])}")
    assert attended(staff, activity) == {learner.id: [activity.sessions[0].id]}


def test_scanning_through_the_api(make_activity, people, city, mint, openapi):
    activity = make_activity()
    client = people.client(city, people.user())
    response = openapi(client.post_json("/api/v1/attendance",
                                        {"token": mint(activity.sessions[0])}))
    assert response.json["attended_session_ids"] == [activity.sessions[0].id]


def test_expired_code_is_refused(make_activity, people, city, staff, mint):
    activity = make_activity()
    page = people.client(city, people.user()).get(
        f"/attend/{mint(activity.sessions[0], lifetime=-1)}", status=422)
    assert "expired" in page.text
    assert attended(staff, activity) == {}


def test_another_citys_code_is_refused(make_activity, people, factories, city, mint):
    riga = factories.tenant("riga")
    foreign = make_activity(tenant=riga, organisation=people.organisation(riga))
    client = people.client(city, people.user())
    response = client.post_json("/api/v1/attendance", {"token": mint(foreign.sessions[0])},
                                status=422)
    assert "not valid" in response.json["error"]


@pytest.mark.parametrize("token", ["", "1.2.3", "x.y.z.w", "1.1.99999999999.forged"])
def test_forged_codes_are_refused(make_activity, people, city, token):
    make_activity()
    response = people.client(city, people.user()).post_json("/api/v1/attendance",
                                                            {"token": token}, status=422)
    assert "not valid" in response.json["error"]


def test_tampered_session_id_is_refused(make_activity, people, city, mint):
    first, second = make_activity(), make_activity()
    tenant_id, _session, expires, signature = mint(first.sessions[0]).split(".")
    forged = f"{tenant_id}.{second.sessions[0].id}.{expires}.{signature}"
    people.client(city, people.user()).post_json("/api/v1/attendance", {"token": forged},
                                                 status=422)


def test_scanning_needs_an_account(make_activity, people, city, mint):
    activity = make_activity()
    response = people.client(city).get(f"/attend/{mint(activity.sessions[0])}", status="*")
    assert response.status_int in (302, 303, 403)
