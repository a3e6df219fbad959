"""Every published activity gets a badge; completing the activity issues it."""

from __future__ import annotations

from sqlalchemy import select

from col_core.activities.models import Activity, ActivitySkill, Participation
from plugins.badges.models import Assertion, BadgeClass

ESCO = "http://data.europa.eu/esco/skill/abc"


def _activity(badges) -> int:
    with badges.factories.within(badges.tenant):
        activity = Activity(
            organisation_id=badges.organisation.id,
            title="Fix your bike",
            description="<p>Learn to <b>fix</b> bikes.</p>",
            status="published",
            skills=[ActivitySkill(concept_uri=ESCO, label="repair bicycles")],
        )
        return badges.factories.save(activity).id


def _publish(badges, activity_id):
    with badges.request() as request:
        activity = request.dbsession.get(Activity, activity_id)
        request.hooks.col_activity_published(request=request, activity=activity)


def test_published_activity_gets_a_badge_with_its_description_and_skills(badges):
    activity_id = _activity(badges)
    _publish(badges, activity_id)
    _publish(badges, activity_id)  # republishing makes no second badge
    with badges.factories.within(badges.tenant):
        [badge] = badges.factories.session.scalars(select(BadgeClass)).all()
    assert (badge.subject_type, badge.subject_id, badge.is_default) == (
        "activity",
        activity_id,
        True,
    )
    assert badge.name == "Fix your bike" and badge.description == "Learn to fix bikes."
    assert badge.skills == [{"uri": ESCO, "label": "repair bicycles"}]


def test_completing_the_activity_issues_its_badge(badges, outbox):
    activity_id = _activity(badges)
    _publish(badges, activity_id)
    user = badges.user("ana@example.org")
    with badges.factories.within(badges.tenant):
        participation_id = badges.factories.save(
            Participation(activity_id=activity_id, user_id=user.id)
        ).id
    with badges.request() as request:
        participation = request.dbsession.get(Participation, participation_id)
        request.hooks.col_activity_completed(
            request=request, activity=participation.activity, participation=participation
        )
    with badges.factories.within(badges.tenant):
        [assertion] = badges.factories.session.scalars(select(Assertion)).all()
    assert assertion.user_id == user.id and assertion.source == "completion"
    assert assertion.accept_token is None  # already in the learner's account
    assert outbox.messages()[0]["To"] == "ana@example.org"
