"""Every published activity gets a badge; completing the activity issues it."""

from __future__ import annotations

from sqlalchemy import select

from col_core.activities.icons import category_icon_paths
from col_core.activities.models import Activity, ActivitySkill, Participation
from col_core.tenancy.scoping import get_city_row
from plugins.badges.models import Assertion, BadgeClass

ESCO = "http://data.europa.eu/esco/skill/abc"


def _activity(badges, category: str = "") -> int:
    with badges.factories.within(badges.tenant):
        activity = Activity(
            organisation_id=badges.organisation.id,
            category=category,
            title="Fix your bike",
            description="<p>Learn to <b>fix</b> bikes.</p>",
            status="published",
            skills=[ActivitySkill(concept_uri=ESCO, label="repair bicycles")],
        )
        return badges.factories.save(activity).id


def _publish(badges, activity_id):
    with badges.request() as request:
        activity = get_city_row(request.dbsession, Activity, activity_id)
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


def test_the_activity_s_badge_is_drawn_with_its_category_icon(badges, city):
    """Generated from the category's icon (issue 16, item 2), in the SVG and its PNG twin."""
    drawn = {}
    for category in ("music", "sport"):
        activity_id = _activity(badges, category)
        _publish(badges, activity_id)
        with badges.factories.within(badges.tenant):
            badge = badges.factories.session.scalar(
                select(BadgeClass).where(BadgeClass.subject_id == activity_id)
            )
        assert badge.icon == "category"
        svg = city.get(f"/badges/classes/{badge.id}/image").text
        assert all(f'd="{d}"' in svg for d in category_icon_paths(badges.tenant, category))
        drawn[category] = city.get(f"/badges/classes/{badge.id}/image.png").body
    # Same name ("Fix your bike"), so the same outline: only the icon tells them apart.
    assert drawn["music"] != drawn["sport"]


def test_completing_the_activity_issues_its_badge(badges, outbox):
    activity_id = _activity(badges)
    _publish(badges, activity_id)
    user = badges.user("ana@example.org")
    with badges.factories.within(badges.tenant):
        participation_id = badges.factories.save(
            Participation(activity_id=activity_id, user_id=user.id)
        ).id
    with badges.request() as request:
        participation = get_city_row(request.dbsession, Participation, participation_id)
        request.hooks.col_activity_completed(
            request=request, activity=participation.activity, participation=participation
        )
    with badges.factories.within(badges.tenant):
        [assertion] = badges.factories.session.scalars(select(Assertion)).all()
    assert assertion.user_id == user.id and assertion.source == "completion"
    assert assertion.accept_token is None  # already in the learner's account
    assert outbox.messages()[0]["To"] == "ana@example.org"
