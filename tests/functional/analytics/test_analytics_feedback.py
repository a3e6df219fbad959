"""Learners' feedback: who may give it, validation, and anonymity below the small-group size."""

from __future__ import annotations

from col_core.analytics.testing import table
from col_core.tenancy.models import Tenant

RATINGS = (5, 4, 4, 3, 5)


def give(people, seeded, n, rating, **answers):
    learner = people.client(seeded.city, seeded.learners[n])
    return learner.post(
        f"/activities/{seeded.robots.id}/feedback", {"rating": str(rating), **answers}, status=303
    )


def test_a_participant_gives_feedback_and_can_change_it(seeded_k5, people):
    # Learner 5 reads English.
    learner = people.client(seeded_k5.city, seeded_k5.learners[4])
    form = learner.get(f"/activities/{seeded_k5.robots.id}/feedback")
    assert "What did you learn?" in form.text and 'name="rating"' in form.text
    give(people, seeded_k5, 4, 4, learned="Soldering")
    again = learner.get(f"/activities/{seeded_k5.robots.id}/feedback").text
    assert 'value="4" checked' in again and "Soldering" in again
    give(people, seeded_k5, 4, 5, learned="Soldering and patience")
    assert 'value="5" checked' in learner.get(f"/activities/{seeded_k5.robots.id}/feedback").text


def test_bad_feedback_is_refused_with_messages_and_keeps_the_answers(seeded_k5, people):
    learner = people.client(seeded_k5.city, seeded_k5.learners[4])
    url = f"/activities/{seeded_k5.robots.id}/feedback"
    page = learner.post(url, {"rating": "9", "learned": "Soldering"}, status=400)
    assert "Choose a rating from 1 to 5 stars." in page.text and "Soldering" in page.text
    page = learner.post(url, {"rating": "3", "change": "x" * 1001}, status=400)
    assert "Keep your answer under 1000 characters." in page.text


def test_only_participants_give_feedback(seeded_k5, people):
    outsider = people.client(seeded_k5.city, people.user("outsider"))
    outsider.get(f"/activities/{seeded_k5.robots.id}/feedback", status=404)
    outsider.post(f"/activities/{seeded_k5.robots.id}/feedback", {"rating": "5"}, status=404)
    anonymous = people.client(seeded_k5.city)
    assert anonymous.post(
        f"/activities/{seeded_k5.robots.id}/feedback", {"rating": "5"}, expect_errors=True
    ).status_int in (302, 303, 401, 403)


def test_organisers_see_no_individual_answers_below_k(seeded_k5, people):
    for n, rating in enumerate(RATINGS[:4]):
        give(people, seeded_k5, n, rating, learned=f"secret {n}")
    staff = people.client(seeded_k5.city, seeded_k5.organiser_a)
    html = staff.get(f"/activities/{seeded_k5.robots.id}/analytics").text
    assert "Fewer than 5 learners have given feedback" in html
    assert "secret" not in html
    payload = staff.get(f"/api/v1/analytics/organisations/{seeded_k5.org_a.slug}").json
    robots = next(r for r in table(payload, "activities")["rows"] if r["activity"] == "Robots")
    assert robots["rating"] == {"fewer_than": 5}


def test_results_appear_from_k_responses_on(seeded_k5, people):
    for n, rating in enumerate(RATINGS):
        give(people, seeded_k5, n, rating, learned=f"answer {n}")
    staff = people.client(seeded_k5.city, seeded_k5.organiser_a)
    html = staff.get(f"/activities/{seeded_k5.robots.id}/analytics").text
    assert "5 responses, average rating 4.2 of 5." in html
    assert all(f"answer {n}" in html for n in range(5))
    admin = people.client(seeded_k5.city, seeded_k5.admin)
    categories = {
        r["category"]: r
        for r in table(admin.get("/api/v1/analytics/city").json, "categories")["rows"]
    }
    assert categories["science"]["rating"] == 4.2
    assert categories["arts"]["rating"] == {"fewer_than": 5}


def test_the_city_sets_its_own_translated_questions(seeded_k5, people, factories):
    questions = [{"id": "fun", "text": {"en": "Was it fun?", "lt": "Ar buvo smagu?"}}]
    tenant = factories.session.get(Tenant, seeded_k5.city.id)
    tenant.settings = {"analytics.feedback_questions": questions}
    factories.save(tenant)
    url = f"/activities/{seeded_k5.robots.id}/feedback"
    # Learner 1 prefers Lithuanian, learner 5 English.
    assert "Ar buvo smagu?" in people.client(seeded_k5.city, seeded_k5.learners[0]).get(url).text
    assert "Was it fun?" in people.client(seeded_k5.city, seeded_k5.learners[4]).get(url).text
    give(people, seeded_k5, 0, 5, fun="Very", learned="ignored: not a question here")
    from col_core.analytics.models import ActivityFeedback

    with factories.within(seeded_k5.city):
        [answers] = factories.session.query(ActivityFeedback.answers).all()
    assert answers == ({"fun": "Very"},)


def test_the_home_page_invites_learners_to_rate_what_they_took_part_in(seeded_k5, people):
    learner = people.client(seeded_k5.city, seeded_k5.learners[4])
    url = f"/activities/{seeded_k5.robots.id}/feedback"
    assert url in learner.get("/").text
    give(people, seeded_k5, 4, 5)
    assert url not in learner.get("/").text
    assert url not in people.client(seeded_k5.city).get("/").text
