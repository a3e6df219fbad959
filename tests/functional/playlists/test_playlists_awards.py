"""Learners follow playlists and receive the playlist's badges automatically, exactly once."""

from __future__ import annotations

from sqlalchemy import select

from plugins.badges.hooks import activity_badge
from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.models import Assertion
from plugins.playlists.models import PlaylistAward


def _assertions(factories, city):
    with factories.within(city):
        factories.session.expire_all()
        return factories.session.scalars(
            select(Assertion).where(Assertion.source == "playlist")
        ).all()


def test_start_and_see_progress(world, city, make_playlist, activities, learner, openapi):
    playlist = make_playlist(activities[:2])
    me = world.client(city, learner)
    assert (
        openapi(me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201)).json["percent"] == 0
    )
    body = me.get(f"/api/v1/playlists/{playlist}").json
    assert body["progress"]["states"] == {str(i["id"]): "open" for i in body["items"]}


def test_starting_twice_is_harmless(world, city, make_playlist, activities, learner):
    playlist = make_playlist(activities[:2])
    me = world.client(city, learner)
    me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201)


def test_a_draft_cannot_be_started(world, city, make_playlist, activities, learner):
    playlist = make_playlist(activities[:2], publish=False)
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=404)


def test_progress_of_a_playlist_not_started(world, city, make_playlist, activities, learner):
    playlist = make_playlist(activities[:2])
    response = world.client(city, learner).get(
        f"/api/v1/playlists/{playlist}/enrolment", status=404
    )
    assert response.json["error"] == "You have not started this playlist."


def test_meeting_the_rule_awards_the_real_badge_once(
    world, city, factories, make_playlist, activities, learner, complete, testapp, outbox
):
    playlist = make_playlist(activities[:4], [True, True, False, False], min_optional=1)
    me = world.client(city, learner)
    me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    complete(activities[0], learner)
    complete(activities[2], learner)
    assert me.get(f"/api/v1/playlists/{playlist}/enrolment").json["percent"] == 66
    assert _assertions(factories, city) == []
    complete(activities[1], learner)
    progress = me.get(f"/api/v1/playlists/{playlist}/enrolment").json
    assert progress["satisfied"] and progress["percent"] == 100
    complete(activities[3], learner)  # more than needed: no second badge
    [assertion] = _assertions(factories, city)
    assert assertion.recipient_email == learner.email
    document = testapp.for_tenant(city).get(f"/badges/assertions/{assertion.uid}.json").json
    assert document["type"] == "Assertion"
    assert document["recipient"]["hashed"] is True
    badge = (
        testapp.for_tenant(city)
        .get(document["badge"].replace("http://vilnius.example.test", "") + ".json")
        .json
    )
    assert badge["name"] == "Science pathway"
    assert (
        "Complete every one of these activities: Intro; Workshop." in badge["criteria"]["narrative"]
    )
    assert any("Science pathway" in m["Subject"] for m in outbox.messages())


def test_activities_completed_before_starting_count(
    world, city, factories, make_playlist, activities, learner, complete
):
    playlist = make_playlist(activities[:2])
    complete(activities[0], learner)
    complete(activities[1], learner)
    me = world.client(city, learner)
    assert me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201).json["satisfied"]
    assert len(_assertions(factories, city)) == 1


def test_milestone_badge(world, city, factories, make_playlist, activities, learner, complete):
    playlist = make_playlist(activities[:3], milestones=[2])
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    complete(activities[0], learner)
    assert _assertions(factories, city) == []
    complete(activities[1], learner)
    with factories.within(city):  # the badge class loads as the city (row-level security)
        [milestone] = _assertions(factories, city)
        assert milestone.badge_class.name == "Science pathway: 2 activities done"
    complete(activities[2], learner)
    assert len(_assertions(factories, city)) == 2


def test_group_of_alternatives(
    world, city, factories, make_playlist, activities, learner, complete
):
    playlist = make_playlist(activities[:4], [True, "lab", "lab", "lab"], groups={"lab": 2})
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    for activity in (activities[0], activities[3]):
        complete(activity, learner)
    assert _assertions(factories, city) == []
    complete(activities[1], learner)
    assert len(_assertions(factories, city)) == 1


def test_activity_badge_from_a_claim_counts_as_completion(
    world, city, factories, make_playlist, activities, learner, in_city
):
    """col_badge_awarded: an activity's badge issued without a completion also advances."""
    playlist = make_playlist(activities[:1])
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    with in_city(city) as request:
        activity = request.dbsession.merge(activities[0])
        user = request.dbsession.merge(learner)
        request.find_service(IBadgeIssuer).issue(
            activity_badge(request, activity), user.email, user=user, source="claim"
        )
    assert len(_assertions(factories, city)) == 1


def test_without_badges_the_award_is_pending_and_the_organiser_told(
    world, city, factories, make_playlist, activities, learner, complete, organiser, outbox, run_col
):
    playlist = make_playlist(activities[:1])
    city.plugins = ["playlists"]  # this city switches badges off
    factories.save(city)
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    complete(activities[0], learner)
    with factories.within(city):
        [award] = factories.session.scalars(select(PlaylistAward)).all()
        assert award.status == "pending"
    assert any(m["To"] == organiser.email and "waiting" in m["Subject"] for m in outbox.messages())
    city.plugins = None  # badges enabled again: the next notify run issues the award
    factories.save(city)
    run_col("playlists", "notify", "--tenant", "vilnius")
    assert len(_assertions(factories, city)) == 1
