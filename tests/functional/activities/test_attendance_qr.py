"""Checking in by scanning a session's QR code: a signed, short-lived token URL whose page asks
before it checks in (a GET changes nothing), and private activities check in only their people."""

import datetime as dt

import pytest
from sqlalchemy import select

from col_core.activities.interfaces import IParticipationService
from col_core.activities.models import Participation
from col_core.db.meta import utcnow
from col_core.security.passwords import hash_password


@pytest.fixture
def make_activity(make_activity):
    """Activities whose session is under way (check-in is open), unless told otherwise."""

    def make(starts=None, **fields):
        return make_activity(starts=starts or utcnow() - dt.timedelta(minutes=10), **fields)

    return make


@pytest.fixture
def mint(tenant_request):
    """``mint(session, lifetime)``: the token the session's QR code carries."""

    def make(session, lifetime=900):
        with tenant_request() as request:
            service = request.find_service(IParticipationService)
            return service.session_token(session, lifetime_seconds=lifetime)

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
        f"/activities/{activity.id}/sessions/{activity.sessions[0].id}/qr", status=403
    )


PASSWORD = "correct horse battery"


@pytest.fixture
def browser(people, city):
    """``browser(user)``: a webtest client signed in through the sign-in page (a cookie session,
    so unsafe requests need the CSRF token), having accepted the city's terms."""

    def sign_in(user):
        people.consented(city, user)
        app = people.client(city)
        page = app.get("/signin")
        form = next(f for f in page.forms.values() if "password" in f.fields)
        form["email"], form["password"] = user.email, PASSWORD
        form.submit(status=303)
        return app

    return sign_in


def learner(people):
    return people.user(password_hash=hash_password(PASSWORD))


def check_in(app, token, status=200):
    """Open the scanned link, then press its button."""
    page = app.get(f"/attend/{token}")
    form = next(f for f in page.forms.values() if "csrf_token" in f.fields and f.action == "")
    return form.submit(status=status)


def participations(factories, activity):
    with factories.within(activity.tenant_id):
        return factories.session.scalars(
            select(Participation).where(Participation.activity_id == activity.id)
        ).all()


def test_scanning_while_signed_in_marks_attendance(
    make_activity, people, city, staff, mint, browser
):
    activity = make_activity()
    user = learner(people)
    people.client(city, user).post(f"/api/v1/activities/{activity.id}/participation")
    page = check_in(browser(user), mint(activity.sessions[0]))
    assert "checked in" in page.text
    assert attended(staff, activity) == {user.id: [activity.sessions[0].id]}


def test_scanning_joins_a_learner_who_had_not_joined(
    make_activity, people, city, staff, mint, browser
):
    activity = make_activity(capacity=5)
    user = learner(people)
    check_in(browser(user), mint(activity.sessions[0]))
    assert attended(staff, activity) == {user.id: [activity.sessions[0].id]}


def test_opening_the_link_changes_nothing(
    make_activity, people, city, staff, mint, browser, factories
):
    """A link preview, a scanner app or another site's <img> opening the link checks nobody in."""
    activity = make_activity(title="Robot lab")
    page = browser(learner(people)).get(f"/attend/{mint(activity.sessions[0])}")
    assert "Robot lab" in page.text and "Check me in" in page.text
    assert participations(factories, activity) == [] and attended(staff, activity) == {}


def test_checking_in_needs_the_csrf_token(
    make_activity, people, city, staff, mint, browser, factories
):
    activity = make_activity()
    app = browser(learner(people))
    app.post(f"/attend/{mint(activity.sessions[0])}", status=400)
    assert participations(factories, activity) == []


def test_private_activity_does_not_check_in_the_uninvited(
    make_activity, people, city, staff, mint, browser, factories
):
    activity = make_activity(
        visibility="private", invitation_token="the-invitation", title="Closed circle"
    )
    token = mint(activity.sessions[0])
    app = browser(learner(people))
    page = app.get(f"/attend/{token}", status=422)
    assert "by invitation only" in page.text and "Closed circle" not in page.text
    form_post = app.post(f"/attend/{token}", {"csrf_token": csrf_of(app)}, status=422)
    assert "by invitation only" in form_post.text
    api = people.client(city, people.user()).post_json(
        "/api/v1/attendance", {"token": token}, status=422
    )
    assert "by invitation only" in api.json["error"]
    assert participations(factories, activity) == [] and attended(staff, activity) == {}


def test_private_activity_checks_in_those_who_joined_with_the_invitation(
    make_activity, people, city, staff, mint, browser
):
    activity = make_activity(visibility="private", invitation_token="the-invitation")
    user = learner(people)
    app = browser(user)
    page = app.get(f"/activities/{activity.id}?invite=the-invitation")
    next(f for f in page.forms.values() if "/join" in f.action).submit(status=303)
    check_in(app, mint(activity.sessions[0]))
    assert attended(staff, activity) == {user.id: [activity.sessions[0].id]}


def csrf_of(app):
    page = app.get("/account")
    return next(f for f in page.forms.values() if "csrf_token" in f.fields)["csrf_token"].value


def test_scanning_through_the_api(make_activity, people, city, mint, openapi):
    activity = make_activity()
    client = people.client(city, people.user())
    response = openapi(
        client.post_json("/api/v1/attendance", {"token": mint(activity.sessions[0])})
    )
    assert response.json["attended_session_ids"] == [activity.sessions[0].id]


def test_expired_code_is_refused(make_activity, people, city, staff, mint, browser):
    activity = make_activity()
    app = browser(learner(people))
    token = mint(activity.sessions[0], lifetime=-1)
    assert "expired" in app.get(f"/attend/{token}", status=422).text
    assert "expired" in app.post(f"/attend/{token}", {"csrf_token": csrf_of(app)}, status=422).text
    assert attended(staff, activity) == {}


def test_another_citys_code_is_refused(make_activity, people, factories, city, mint):
    riga = factories.tenant("riga")
    foreign = make_activity(tenant=riga, organisation=people.organisation(riga))
    client = people.client(city, people.user())
    response = client.post_json(
        "/api/v1/attendance", {"token": mint(foreign.sessions[0])}, status=422
    )
    assert "not valid" in response.json["error"]


@pytest.mark.parametrize("token", ["", "1.2.3", "x.y.z.w", "1.1.99999999999.forged"])
def test_forged_codes_are_refused(make_activity, people, city, token):
    make_activity()
    response = people.client(city, people.user()).post_json(
        "/api/v1/attendance", {"token": token}, status=422
    )
    assert "not valid" in response.json["error"]


def test_tampered_session_id_is_refused(make_activity, people, city, mint):
    first, second = make_activity(), make_activity()
    tenant_id, _session, expires, signature = mint(first.sessions[0]).split(".")
    forged = f"{tenant_id}.{second.sessions[0].id}.{expires}.{signature}"
    people.client(city, people.user()).post_json(
        "/api/v1/attendance", {"token": forged}, status=422
    )


def test_scanning_needs_an_account(make_activity, people, city, mint):
    activity = make_activity()
    token = mint(activity.sessions[0])
    response = people.client(city).get(f"/attend/{token}", status=303)
    assert "/signin?next=" in response.location  # and back to the page after signing in
    people.client(city).post(f"/attend/{token}", status="4*")


# -- completion by check-in and the check-in window ---------------------------------------------


def badges_of(factories, activity, user):
    from plugins.badges.models import Assertion, BadgeClass

    # Read the ids first: once expired, the rows load again only inside their city.
    tenant_id, activity_id, user_id = activity.tenant_id, activity.id, user.id
    factories.session.expire_all()
    with factories.within(tenant_id):
        return factories.session.scalars(
            select(Assertion)
            .join(BadgeClass)
            .where(
                BadgeClass.subject_type == "activity",
                BadgeClass.subject_id == activity_id,
                Assertion.user_id == user_id,
            )
        ).all()


def test_check_in_completes_the_activity_and_issues_its_badge(
    make_activity, people, city, staff, mint, browser, factories
):
    activity = make_activity(title="Repair café", completion="check_in")
    user = learner(people)
    app = browser(user)
    check_in(app, mint(activity.sessions[0]))
    [participation] = participations(factories, activity)
    assert participation.completed_at is not None
    activity_id = activity.id
    [badge] = badges_of(factories, activity, user)
    assert badge.source == "completion"
    assert "Repair café" in app.get("/badges/wallet")
    page = app.get(f"/activities/{activity_id}")
    assert "You have earned this badge." in page


def test_organiser_completion_is_not_done_by_a_check_in(
    make_activity, people, city, staff, mint, browser, factories
):
    activity = make_activity(completion="organiser")
    user = learner(people)
    check_in(browser(user), mint(activity.sessions[0]))
    assert participations(factories, activity)[0].completed_at is None
    assert badges_of(factories, activity, user) == []


def test_check_in_days_before_the_session_is_refused(
    make_activity, people, city, staff, mint, browser, factories
):
    activity = make_activity(starts=utcnow() + dt.timedelta(days=4), completion="check_in")
    token = mint(activity.sessions[0])
    app = browser(learner(people))
    assert "Check-in for this session opens at" in app.get(f"/attend/{token}", status=422)
    refused = app.post(f"/attend/{token}", {"csrf_token": csrf_of(app)}, status=422)
    assert "opens at" in refused.text
    api = people.client(city, people.user()).post_json(
        "/api/v1/attendance", {"token": token}, status=422
    )
    assert "opens at" in api.json["error"]
    assert participations(factories, activity) == [] and attended(staff, activity) == {}


def test_check_in_opens_the_citys_minutes_before_the_session(
    make_activity, people, city, staff, mint, factories
):
    activity = make_activity(starts=utcnow() + dt.timedelta(minutes=20))
    token = mint(activity.sessions[0])
    client = people.client(city, people.user())
    client.post_json("/api/v1/attendance", {"token": token})  # the default opens 30 minutes before
    with factories.within(city):
        tenant = factories.session.merge(city)
        tenant.settings = {**tenant.settings, "check_in_opens_minutes_before": 10}
        factories.session.commit()
    later = people.client(city, people.user())
    assert (
        "opens at"
        in later.post_json("/api/v1/attendance", {"token": token}, status=422).json["error"]
    )


def test_check_in_closes_when_the_session_ends(make_activity, people, city, staff, mint):
    activity = make_activity(starts=utcnow() - dt.timedelta(hours=3), hours=2)
    response = people.client(city, people.user()).post_json(
        "/api/v1/attendance", {"token": mint(activity.sessions[0])}, status=422
    )
    assert "check-in has closed" in response.json["error"]


def test_organiser_marking_present_completes_a_check_in_activity(
    make_activity, people, city, staff, factories, openapi
):
    activity = make_activity(starts=utcnow() + dt.timedelta(days=2), completion="check_in")
    user = learner(people)
    joined = people.client(city, user).post(f"/api/v1/activities/{activity.id}/participation")
    openapi(
        staff.post_json(
            f"/api/v1/activities/{activity.id}/attendance",
            {"session_id": activity.sessions[0].id, "participation_ids": [joined.json["id"]]},
        )
    )
    [participation] = participations(factories, activity)
    assert participation.completed_at is not None
    assert len(badges_of(factories, activity, user)) == 1
