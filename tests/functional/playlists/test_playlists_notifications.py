"""Learners following a playlist hear when its activities change and when one closes soon:
notifications (col_core.notifications), e-mailed in their language unless turned off."""

from __future__ import annotations

import datetime as dt

from col_core.db.meta import utcnow

from ..notifications.notifications_testing import bell, body, mail_to, rows, translated


def test_learners_hear_when_a_playlists_activities_change(
    world, city, factories, staff, make_playlist, activities, outbox, registry
):
    learner = world.user(preferred_locale="lt")
    ids = [activity.id for activity in activities]
    playlist = make_playlist(activities[:2])
    me = world.client(city, learner)
    me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    # The same activities in another order: nothing to tell.
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items",
        {"items": [{"activity_id": ids[1]}, {"activity_id": ids[0]}]},
    )
    assert rows(factories, city, learner) == []
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items",
        {"items": [{"activity_id": i} for i in ids[:3]]},
    )
    [changed] = rows(factories, city, learner)
    assert changed.kind == "playlist" and changed.url.endswith(f"/playlists/{playlist}")
    assert bell(me) == 1 and "Science pathway" in me.get("/notifications").text
    [message] = mail_to(outbox, learner)
    expected = translated(
        registry,
        "lt",
        "Your playlist changed: ${playlist}",
        domain="col_playlists",
        playlist="Science pathway",
    )
    assert message["Subject"] == expected and not expected.startswith("Your playlist")
    assert f"/playlists/{playlist}" in body(message)


def test_an_activity_closing_soon_is_a_notification_sent_once(
    world, city, factories, staff, make_playlist, activities, outbox, run_col
):
    learner = world.user()
    ids = [activity.id for activity in activities]
    playlist = make_playlist(activities[:2])
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    closes = (utcnow() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items",
        {"items": [{"activity_id": ids[0], "closes_at": closes}, {"activity_id": ids[1]}]},
    )
    run_col("playlists", "notify", "--tenant", "vilnius")
    run_col("playlists", "notify", "--tenant", "vilnius")
    [closing] = rows(factories, city, learner)
    assert closing.kind == "playlist" and closing.mapping["activity"] == "Intro"
    assert [m["Subject"] for m in mail_to(outbox, learner)] == ["Closing soon: Intro"]
