"""Who may see an activity is decided once, by the security policy, from the route's context.

``ActivityContext.visible`` answers for the request (its participation read once); the views
and the API trust the policy's answer and never ask again.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import event


@contextlib.contextmanager
def participation_queries(registry):
    """The SQL statements that read the participations table while the block runs."""
    engine = registry["col.engine"]
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "participations" in statement.lower():
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_hidden_activity_is_checked_once_and_not_found(make_activity, people, city, registry):
    activity = make_activity(visibility="private", invitation_token="secret")
    stranger = people.client(city, people.user())
    with participation_queries(registry) as seen:
        page = stranger.get(f"/activities/{activity.id}", status=404)
    assert "There is no such activity in this city." in page.text
    assert len(seen) == 1, seen  # the policy's check; no view asked again


def test_a_participant_s_page_reads_their_participation_once(make_activity, people, city, registry):
    activity = make_activity(visibility="private", invitation_token="secret")
    learner = people.user()
    people.joined(city, activity, learner)
    client = people.client(city, learner)
    with participation_queries(registry) as seen:
        page = client.get(f"/activities/{activity.id}")
    assert activity.title in page.text
    mine = [statement for statement in seen if "participations.user_id = " in statement]
    assert len(mine) == 1, seen  # the visibility check's read, reused by the page
    assert len(seen) == 2, seen  # and the list of participants (places left)


def test_the_invitation_link_shows_a_private_activity(make_activity, people, city):
    activity = make_activity(visibility="private", invitation_token="secret")
    client = people.client(city, people.user())
    client.get(f"/activities/{activity.id}?invite=secret", status=200)
    client.get(f"/activities/{activity.id}.ics?invite=wrong", status=404)


def test_a_draft_is_for_its_organisers(make_activity, people, city, org, staff):
    activity = make_activity(status="draft", published_at=None)
    staff.get(f"/activities/{activity.id}", status=200)
    people.client(city, people.user()).get(f"/activities/{activity.id}", status=404)
    people.client(city).get(f"/api/v1/activities/{activity.id}", status=404)


def test_the_api_leave_refuses_who_cannot_see_the_activity(make_activity, people, city, openapi):
    activity = make_activity(status="draft", published_at=None)
    client = people.client(city, people.user())
    refused = client.delete(f"/api/v1/activities/{activity.id}/participation", status=404)
    openapi(refused)
    assert refused.json["error"] == "There is no such activity in this city."


def test_the_api_join_refuses_who_cannot_see_the_activity(make_activity, people, city):
    activity = make_activity(visibility="private", invitation_token="secret")
    client = people.client(city, people.user())
    client.post(f"/api/v1/activities/{activity.id}/participation", status=404)
    joined = client.post(f"/api/v1/activities/{activity.id}/participation?invite=secret")
    assert joined.json["status"] == "joined"
