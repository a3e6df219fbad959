"""Learners join, wait, get promoted and leave; organisers mark attendance and completion."""

import pytest
from sqlalchemy import select

from col_core.activities.models import Participation


def join(client, activity, status=201):
    return client.post(f"/api/v1/activities/{activity.id}/participation", status=status)


@pytest.mark.smoke
def test_joining_an_activity_with_room(make_activity, people, city, openapi, hooks):
    activity = make_activity(capacity=2)
    user = people.user()
    response = openapi(join(people.client(city, user), activity))
    assert response.json["status"] == "joined"
    assert hooks.of("col_activity_joined") == [(activity.id, user.id, "joined")]


def test_joining_twice_changes_nothing(make_activity, people, city, hooks):
    activity = make_activity()
    client = people.client(city, people.user())
    first = join(client, activity).json
    assert join(client, activity).json["id"] == first["id"]
    assert len(hooks.of("col_activity_joined")) == 1


@pytest.mark.smoke
def test_full_activity_puts_learners_on_the_waitlist(make_activity, people, city, hooks):
    activity = make_activity(capacity=1)
    join(people.client(city, people.user()), activity)
    late = people.user()
    assert join(people.client(city, late), activity).json["status"] == "waitlisted"
    assert hooks.of("col_activity_joined")[-1] == (activity.id, late.id, "waitlisted")


def test_leaving_promotes_the_first_on_the_waitlist(make_activity, people, city, outbox, hooks):
    activity = make_activity(capacity=1, title="Pottery")
    first, second, third = (people.user() for _ in range(3))
    clients = [people.client(city, user) for user in (first, second, third)]
    for client in clients:
        join(client, activity)
    left = clients[0].delete(f"/api/v1/activities/{activity.id}/participation").json
    assert left["status"] == "left"
    assert join(clients[1], activity).json["status"] == "joined"
    assert join(clients[2], activity).json["status"] == "waitlisted"
    promoted = [m for m in outbox.messages() if m["To"] == second.email]
    assert len(promoted) == 1 and "Pottery" in promoted[0]["Subject"]
    assert hooks.of("col_activity_joined")[-1] == (activity.id, second.id, "joined")


def test_rejoining_after_leaving_goes_to_the_back_of_the_queue(make_activity, people, city):
    activity = make_activity(capacity=1)
    a, b, c = (people.client(city, people.user()) for _ in range(3))
    join(a, activity)
    join(b, activity)
    b.delete(f"/api/v1/activities/{activity.id}/participation")
    join(c, activity)
    assert join(b, activity).json["status"] == "waitlisted"
    a.delete(f"/api/v1/activities/{activity.id}/participation")
    assert join(c, activity).json["status"] == "joined"
    assert join(b, activity).json["status"] == "waitlisted"


def test_raising_the_capacity_promotes_the_waitlist(make_activity, people, city, staff):
    activity = make_activity(capacity=1)
    join(people.client(city, people.user()), activity)
    waiting = people.client(city, people.user())
    join(waiting, activity)
    staff.patch_json(f"/api/v1/activities/{activity.id}", {"capacity": 2})
    assert join(waiting, activity).json["status"] == "joined"


def test_drafts_and_expired_activities_cannot_be_joined(make_activity, people, city):
    from .activities_testing import in_days

    client = people.client(city, people.user())
    join(client, make_activity(status="draft"), status=404)
    response = join(client, make_activity(starts=in_days(-2)), status=409)
    assert response.json["error"] == "This activity is not open for joining."


def test_joining_needs_an_account(make_activity, people, city):
    join(people.client(city), make_activity(), status=403)


def test_leaving_without_joining_is_a_clear_404(make_activity, people, city):
    response = people.client(city, people.user()).delete(
        f"/api/v1/activities/{make_activity().id}/participation", status=404
    )
    assert response.json["error"] == "You have not joined this activity."


def test_participants_are_for_organisers(make_activity, people, city, staff, openapi):
    activity = make_activity(capacity=1)
    learner = people.user(display_name="Ona")
    join(people.client(city, learner), activity)
    join(people.client(city, people.user()), activity)
    listing = openapi(staff.get(f"/api/v1/activities/{activity.id}/participants")).json["items"]
    assert [(p["user"]["display_name"], p["status"]) for p in listing][0] == ("Ona", "joined")
    assert [p["status"] for p in listing] == ["joined", "waitlisted"]
    people.client(city, learner).get(f"/api/v1/activities/{activity.id}/participants", status=403)


def test_bulk_completion_emits_the_hook_once_per_learner(
    make_activity, people, city, staff, hooks, openapi
):
    activity = make_activity()
    learners = [people.user() for _ in range(3)]
    ids = [join(people.client(city, user), activity).json["id"] for user in learners]
    done = openapi(
        staff.post_json(f"/api/v1/activities/{activity.id}/completion", {"participation_ids": ids})
    ).json
    assert sorted(done["completed"]) == sorted(ids)
    again = staff.post_json(
        f"/api/v1/activities/{activity.id}/completion", {"participation_ids": ids}
    ).json
    assert again["completed"] == []
    assert sorted(call[1] for call in hooks.of("col_activity_completed")) == sorted(
        user.id for user in learners
    )


def test_completion_skips_the_waitlist(make_activity, people, city, staff, hooks):
    activity = make_activity(capacity=1)
    join(people.client(city, people.user()), activity)
    waiting = join(people.client(city, people.user()), activity).json
    done = staff.post_json(
        f"/api/v1/activities/{activity.id}/completion", {"participation_ids": [waiting["id"]]}
    ).json
    assert done["completed"] == []
    assert hooks.of("col_activity_completed") == []


def test_completion_refuses_other_activities_participations(make_activity, people, city, staff):
    mine, other = make_activity(), make_activity()
    stranger = join(people.client(city, people.user()), other).json
    response = staff.post_json(
        f"/api/v1/activities/{mine.id}/completion",
        {"participation_ids": [stranger["id"]]},
        status=422,
    )
    assert "participation_ids" in response.json["fields"]
    staff.post_json(
        f"/api/v1/activities/{mine.id}/completion", {"participation_ids": "all"}, status=422
    )


def test_attendance_is_marked_once_per_session(make_activity, people, city, staff, openapi):
    activity = make_activity()
    participation = join(people.client(city, people.user()), activity).json
    session_id = activity.sessions[0].id
    body = {"session_id": session_id, "participation_ids": [participation["id"]]}
    assert openapi(staff.post_json(f"/api/v1/activities/{activity.id}/attendance", body)).json == {
        "marked": [participation["id"]]
    }
    assert staff.post_json(f"/api/v1/activities/{activity.id}/attendance", body).json == {
        "marked": []
    }
    listing = staff.get(f"/api/v1/activities/{activity.id}/participants").json["items"]
    assert listing[0]["attended_session_ids"] == [session_id]


def test_attendance_refuses_a_session_of_another_activity(make_activity, people, city, staff):
    activity, other = make_activity(), make_activity()
    participation = join(people.client(city, people.user()), activity).json
    response = staff.post_json(
        f"/api/v1/activities/{activity.id}/attendance",
        {"session_id": other.sessions[0].id, "participation_ids": [participation["id"]]},
        status=422,
    )
    assert "session_id" in response.json["fields"]


def test_participation_rows_stay_in_their_city(make_activity, people, city, factories):
    activity = make_activity()
    join(people.client(city, people.user()), activity)
    with factories.within(city):
        rows = factories.session.scalars(select(Participation)).all()
    assert [row.tenant_id for row in rows] == [city.id]
