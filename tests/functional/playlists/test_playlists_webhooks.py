"""``playlist.completed`` reaches the playlist organisation's webhook, signed, once."""

from __future__ import annotations

import pytest

pytest.importorskip("standardwebhooks")

from col_core.testing.webhooks import allow_loopback, receiver, secret_of, subscribe  # noqa: E402,F401


def test_completing_a_playlist_is_announced_once(
    world, city, org, staff, make_playlist, activities, learner, complete, receiver, allow_loopback
):
    receiver.secret = secret_of(
        subscribe(
            staff, f"/organisations/{org.slug}/webhooks", receiver.url, {"playlist.completed"}
        )
    )
    playlist = make_playlist(activities[:2])
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    complete(activities[0], learner)
    assert receiver.received == []
    complete(activities[1], learner)
    assert receiver.types() == ["playlist.completed"] and receiver.refused == []
    data = receiver.received[0]["data"]
    assert data["playlist"]["id"] == playlist and data["learner_id"] == learner.id
    assert data["playlist"]["url"].endswith(f"/playlists/{playlist}")
