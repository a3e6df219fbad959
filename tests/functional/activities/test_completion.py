"""From taking part to a badge: how an activity is completed (set on the form and in the API),
age limits at joining, and the activity page leading to its badge and its evidence form."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .activities_testing import in_days, local, publishable


def _join_form(page):
    return next(f for f in page.forms.values() if f.action.split("?")[0].endswith("/join"))


def _years_ago(years: int) -> dt.date:
    """A birthday yesterday, ``years`` years ago (activities here start within days)."""
    yesterday = dt.date.today() - dt.timedelta(days=1)
    if (yesterday.month, yesterday.day) == (2, 29):
        yesterday -= dt.timedelta(days=1)
    return yesterday.replace(year=yesterday.year - years)


# -- age limits ---------------------------------------------------------------------------------


def test_joining_asks_for_a_birth_date_when_there_is_none(make_activity, people, city):
    activity = make_activity(age_min=12, age_max=18)
    client = people.client(city, people.user())
    page = _join_form(client.get(f"/activities/{activity.id}")).submit(status=303).follow()
    assert "This activity is for people aged 12 to 18." in page
    assert "Add your date of birth on your account page" in page
    assert "You have joined" not in page
    api = client.post(f"/api/v1/activities/{activity.id}/participation", status=409)
    assert "Add your date of birth" in api.json["error"]


def test_joining_outside_the_ages_is_refused(make_activity, people, city):
    activity = make_activity(age_min=12, age_max=18)
    too_old = people.client(city, people.user(birth_date=_years_ago(30)))
    page = _join_form(too_old.get(f"/activities/{activity.id}")).submit(status=303).follow()
    assert "This activity is for people aged 12 to 18." in page
    assert "You have joined" not in page
    too_young = people.client(city, people.user(birth_date=_years_ago(9)))
    api = too_young.post(f"/api/v1/activities/{activity.id}/participation", status=409)
    assert api.json["error"] == "This activity is for people aged 12 to 18."


def test_joining_with_only_a_minimum_age(make_activity, people, city, openapi):
    activity = make_activity(age_min=16)
    young = people.client(city, people.user(birth_date=_years_ago(15)))
    assert (
        young.post(f"/api/v1/activities/{activity.id}/participation", status=409).json["error"]
        == "This activity is for people aged 16 and over."
    )
    old = people.client(city, people.user(birth_date=_years_ago(16)))
    joined = openapi(old.post(f"/api/v1/activities/{activity.id}/participation"))
    assert joined.json["status"] == "joined"


def test_activity_without_ages_needs_no_birth_date(make_activity, people, city):
    activity = make_activity()
    client = people.client(city, people.user())
    page = _join_form(client.get(f"/activities/{activity.id}")).submit(status=303).follow()
    assert "You have joined" in page


# -- how it is completed: form and API ----------------------------------------------------------


def test_completion_is_chosen_on_the_form_and_shown_in_the_api(staff, org, openapi):
    page = staff.get(f"/organisations/{org.slug}/activities")
    new = next(f for f in page.forms.values() if f.action.endswith("/activities/new"))
    new["title"] = "Bike repair café"
    form = new.submit(status=303).follow().forms["activity-form"]
    assert form["completion"].value == "organiser"
    assert set(form["completion"].options[i][0] for i in range(3)) == {
        "organiser",
        "check_in",
        "evidence",
    }
    form["completion"] = "check_in"
    page = form.submit("action", value="save", status=303).follow()
    assert page.forms["activity-form"]["completion"].value == "check_in"
    activity_id = page.request.path.split("/")[2]
    shown = openapi(staff.get(f"/api/v1/activities/{activity_id}"))
    assert shown.json["completion"] == "check_in"


def test_completion_through_the_api_is_checked(staff, org, openapi):
    created = openapi(
        staff.post_json(
            "/api/v1/activities", {"organisation_id": org.id, **publishable(completion="evidence")}
        )
    )
    assert created.json["activity"]["completion"] == "evidence"
    bad = staff.post_json("/api/v1/activities", {"organisation_id": org.id, "completion": "magic"})
    assert "completion" in bad.json["fields"]


# -- the activity page leads to its badge and its evidence form ----------------------------------


def test_evidence_activity_from_the_form_to_the_badge(staff, org, people, city, factories):
    from plugins.badges.models import Assertion

    page = staff.get(f"/organisations/{org.slug}/activities")
    new = next(f for f in page.forms.values() if f.action.endswith("/activities/new"))
    new["title"] = "Photo walk"
    form = new.submit(status=303).follow().forms["activity-form"]
    for name, value in {
        "description": "<p>Take photos of the old town.</p>",
        "category": "science",
        "address": "Pilies g. 4",
        "latitude": "54.685",
        "longitude": "25.288",
        "contact_email": "photo@example.org",
        "completion": "evidence",
        "session_start_0": local(in_days(6)),
        "session_end_0": local(in_days(6, hour=19)),
    }.items():
        form[name] = value
    page = form.submit("action", value="publish", status=303).follow()
    activity_url = page.request.path.replace("/edit", "")

    learner_user = people.user()
    learner = people.client(city, learner_user)
    page = learner.get(activity_url)
    assert "Badges" in page and "Photo walk" in page
    page = _join_form(page).submit(status=303).follow()
    assert "You have joined" in page
    earn = page.click("Send evidence")
    assert "Earn “Photo walk”" in earn
    evidence = earn.forms["evidence-0"]
    evidence["text"] = "Twelve photos of courtyards"
    evidence.submit(status=303)

    reviews = staff.get("/badges/reviews")
    assert "Twelve photos of courtyards" in reviews
    review = next(f for f in reviews.forms.values() if f.id and f.id.startswith("review-"))
    review.submit("decision", value="approve", status=303)

    factories.session.expire_all()
    with factories.within(city):
        [assertion] = factories.session.scalars(select(Assertion)).all()
    assert assertion.user_id == learner_user.id and assertion.source == "evidence"
    page = learner.get(activity_url)
    assert "You have earned this badge." in page and "Send evidence" not in page


def test_organiser_completion_page_says_how_the_badge_is_earned(
    make_activity, people, city, staff, factories
):
    activity = make_activity(title="Chess club")
    user = people.user()
    people.client(city, user).post(f"/api/v1/activities/{activity.id}/participation")
    visitor = people.client(city).get(f"/activities/{activity.id}")
    assert "Earned when the organiser marks that you completed the activity." in visitor
    assert "Send evidence" not in visitor


def test_learner_adds_a_birth_date_on_the_account_page_then_joins(make_activity, people, city):
    activity = make_activity(age_min=12, age_max=18)
    user = people.user()
    client = people.client(city, user)
    page = _join_form(client.get(f"/activities/{activity.id}")).submit(status=303).follow()
    assert "Add your date of birth on your account page" in page
    account = client.get("/account")
    form = next(f for f in account.forms.values() if "birth_date" in f.fields)
    form["birth_date"] = "2000-01-01"  # an adult: too old for this activity
    form.submit(status=303)
    assert (
        "birth_date"
        not in next(
            f for f in client.get("/account").forms.values() if "display_name" in f.fields
        ).fields
    )  # given once
    page = _join_form(client.get(f"/activities/{activity.id}")).submit(status=303).follow()
    assert "This activity is for people aged 12 to 18." in page
    assert "Add your date of birth" not in page


def test_birth_date_of_a_child_needing_consent_is_not_taken_on_the_account_page(people, city):
    client = people.client(city, people.user())
    form = next(f for f in client.get("/account").forms.values() if "birth_date" in f.fields)
    form["birth_date"] = _years_ago(14).isoformat()
    page = form.submit(status=400)
    assert "a parent or guardian must agree first" in page
    assert (
        "birth_date"
        in next(
            f for f in client.get("/account").forms.values() if "display_name" in f.fields
        ).fields
    )
