"""Evidence for tasks with self, organiser and N-peer review, history, and the award."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from col_core.organisations.models import Membership
from col_core.security.models import User
from col_core.tenancy import bind_person
from col_core.tenancy.scoping import get_city_row
from plugins.badges import evidence
from plugins.badges.models import Assertion, BadgeClass, EvidenceSubmission
from plugins.badges.services import IssueError

TASKS = ["Fix a puncture", "Adjust the brakes"]


@pytest.fixture
def reviewers(badges):
    """A learner, an organiser and three peers of the badges' city, by id."""
    learner = badges.user("ana@example.org")
    organiser = badges.user("org@example.org")
    peers = [badges.user(f"peer{i}@example.org") for i in range(3)]
    with badges.factories.within(badges.tenant):
        badges.factories.save(
            Membership(organisation_id=badges.organisation.id, user_id=organiser.id, role="member")
        )
    return {"learner": learner.id, "organiser": organiser.id, "peers": [p.id for p in peers]}


def _submit(badges, class_id, user_id, task, **fields):
    with badges.request() as request:
        badge = get_city_row(request.dbsession, BadgeClass, class_id)
        bind_person(request.dbsession, user_id)  # signed in, as the web request would be
        user = request.dbsession.get(User, user_id)
        return evidence.submit(request, badge, user, task, **fields).id


def _review(badges, submission_id, reviewer_id, decision, comment=""):
    with badges.request() as request:
        submission = get_city_row(request.dbsession, EvidenceSubmission, submission_id)
        bind_person(request.dbsession, reviewer_id)
        evidence.review(
            request, submission, request.dbsession.get(User, reviewer_id), decision, comment
        )


def _assertions(badges):
    badges.factories.session.expire_all()
    with badges.factories.within(badges.tenant):
        return badges.factories.session.scalars(select(Assertion)).all()


def test_organiser_review_with_improve_then_approve_awards_with_evidence(badges, reviewers):
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=TASKS)
    first = _submit(
        badges,
        class_id,
        reviewers["learner"],
        0,
        text="I fixed it",
        url="https://photos.example/1",
        public=True,
    )
    _review(badges, first, reviewers["organiser"], "improve", "Show a photo of the tyre")
    again = _submit(
        badges,
        class_id,
        reviewers["learner"],
        0,
        text="With photo",
        url="https://photos.example/2",
        public=True,
    )
    _review(badges, again, reviewers["organiser"], "approve")
    assert _assertions(badges) == []  # the second task is still open
    brakes = _submit(badges, class_id, reviewers["learner"], 1, text="Brakes done")
    _review(badges, brakes, reviewers["organiser"], "approve")
    [assertion] = _assertions(badges)
    assert assertion.user_id == reviewers["learner"] and assertion.source == "evidence"
    assert assertion.evidence[0] == {
        "name": TASKS[0],
        "narrative": "With photo",
        "url": "https://photos.example/2",
    }
    # Private evidence shows only that it was reviewed.
    assert "Brakes done" not in str(assertion.evidence)
    with badges.request() as request:
        history = evidence.submissions(
            request.dbsession,
            get_city_row(request.dbsession, BadgeClass, class_id),
            request.dbsession.get(User, reviewers["learner"]),
        )
        assert [s.status for s in history] == ["approved", "approved", "improve"]
        assert history[2].reviews[0].comment == "Show a photo of the tyre"


def test_only_organisers_of_the_issuer_review_organiser_badges(badges, reviewers):
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=TASKS[:1])
    submission = _submit(badges, class_id, reviewers["learner"], 0, text="done")
    with pytest.raises(IssueError):
        _review(badges, submission, reviewers["peers"][0], "approve")


def test_peer_review_needs_n_distinct_peers_and_not_oneself(badges, reviewers):
    class_id = badges.badge_class(
        earning="evidence", review="peer", peer_reviews_required=2, tasks=TASKS[:1]
    )
    submission = _submit(badges, class_id, reviewers["learner"], 0, text="done")
    with pytest.raises(IssueError):
        _review(badges, submission, reviewers["learner"], "approve")
    _review(badges, submission, reviewers["peers"][0], "approve")
    with pytest.raises(IssueError):  # the same peer twice
        _review(badges, submission, reviewers["peers"][0], "approve")
    assert _assertions(badges) == []
    _review(badges, submission, reviewers["peers"][1], "approve")
    assert len(_assertions(badges)) == 1


def test_self_assessed_badge_is_awarded_on_submission(badges, reviewers):
    class_id = badges.badge_class(earning="evidence", review="self", tasks=TASKS[:1])
    _submit(badges, class_id, reviewers["learner"], 0, text="done", public=True)
    assert [a.evidence[0]["narrative"] for a in _assertions(badges)] == ["done"]


def test_improve_needs_a_comment_and_empty_evidence_is_refused(badges, reviewers):
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=TASKS[:1])
    with pytest.raises(IssueError):
        _submit(badges, class_id, reviewers["learner"], 0, text="  ")
    with pytest.raises(IssueError):
        _submit(badges, class_id, reviewers["learner"], 5, text="no such task")
    submission = _submit(badges, class_id, reviewers["learner"], 0, text="done")
    with pytest.raises(IssueError):
        _review(badges, submission, reviewers["organiser"], "improve", "")


def test_evidence_flow_through_the_pages(badges, testapp, outbox):
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=TASKS[:1])
    learner = testapp.for_tenant(badges.tenant)
    badges.user("ana@example.org")
    badges.sign_in(learner, "ana@example.org")
    form = learner.get(f"/badges/classes/{class_id}/evidence").forms["evidence-0"]
    form["text"] = ""
    refused = form.submit(status=400)
    assert "Describe what you did" in refused
    form = refused.forms["evidence-0"]
    form["text"] = "Patched the tube"
    form["url"] = "https://photos.example/tube"
    form["public"] = True
    form.submit(status=303)
    organiser = testapp.for_tenant(badges.tenant)
    badges.organiser(organiser, role="member")
    page = organiser.get("/badges/reviews")
    assert "Patched the tube" in page
    review = next(f for k, f in page.forms.items() if str(k).startswith("review-"))
    review.submit("decision", value="improve", status=400)  # a comment is required
    review["comment"] = "Great work"
    review.submit("decision", value="approve", status=303)
    [assertion] = _assertions(badges)
    assert assertion.evidence[0]["url"] == "https://photos.example/tube"
    assert "Approved" in learner.get(f"/badges/classes/{class_id}/evidence")
    assert "Nothing to review" in organiser.get("/badges/reviews")


def test_evidence_pages_need_sign_in(badges, city):
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=TASKS[:1])
    anonymous = city.get(f"/badges/classes/{class_id}/evidence", status=(303, 403))
    assert anonymous.status_int == 403 or "/signin" in anonymous.location


def test_the_badge_page_tells_the_learner_which_evidence_to_improve(badges, reviewers, city):
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=TASKS)
    first = _submit(badges, class_id, reviewers["learner"], 0, text="I fixed it")
    _submit(badges, class_id, reviewers["learner"], 1, text="Brakes done")
    _review(badges, first, reviewers["organiser"], "improve", "Show a photo of the tyre")
    badges.sign_in(city, "ana@example.org")

    page = city.get(f"/badges/classes/{class_id}")
    section = page.html.find(id="improve-title").parent
    assert "Fix a puncture: Show a photo of the tyre" in section.text
    assert "Adjust the brakes" not in section.text  # waiting for review, nothing to improve
    assert section.find("a")["href"].endswith(f"/badges/classes/{class_id}/evidence#task-0")

    _submit(badges, class_id, reviewers["learner"], 0, text="With a photo")
    assert city.get(f"/badges/classes/{class_id}").html.find(id="improve-title") is None


def test_organisers_see_the_evidence_waiting_for_their_review(badges, reviewers, city):
    class_id = badges.badge_class(earning="evidence", review="organiser", tasks=TASKS)
    _submit(badges, class_id, reviewers["learner"], 0, text="I fixed it")
    _submit(badges, class_id, reviewers["learner"], 1, text="Brakes done")
    slug = badges.organisation.slug
    assert "waiting for your review" not in city.get(f"/organisations/{slug}")  # visitors
    badges.sign_in(city, "org@example.org")
    page = city.get(f"/organisations/{slug}")
    notice = page.html.find(id="evidence-waiting")
    assert notice.text.strip() == "2 pieces of evidence are waiting for your review"
    assert "Fix a puncture" in city.get(notice.find("a")["href"])
    # Exact on the organisation's dashboard too: a queue of work, not a count of people.
    more = city.get(f"/api/v1/analytics/organisations/{slug}").json
    rows = next(t for t in more["tables"] if t["key"] == "more")["rows"]
    assert {"figure": "Evidence waiting for review", "value": 2} in rows
