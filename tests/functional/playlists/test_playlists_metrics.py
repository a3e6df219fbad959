"""The playlists plugin's figures on the city and organiser dashboards (``col_metrics``)."""

from __future__ import annotations

import datetime as dt

from col_core.analytics.testing import table
from col_core.db.meta import utcnow
from plugins.playlists.models import Playlist, PlaylistEnrolment


def test_dashboards_count_playlists_offered_started_and_completed(factories, people):
    city = factories.tenant("kaunas", settings={"analytics.min_group_size": 2})
    makers, stars = people.organisation(city, "Makers"), people.organisation(city, "Stars")
    now, long_ago = utcnow(), utcnow() - dt.timedelta(days=240)
    with factories.within(city):
        first, second, _draft, other = factories.save(
            Playlist(
                organisation_id=makers.id, title="One", status="published", published_at=long_ago
            ),
            Playlist(organisation_id=makers.id, title="Two", status="published", published_at=now),
            Playlist(organisation_id=makers.id, title="Draft"),
            Playlist(organisation_id=stars.id, title="Sky", status="published", published_at=now),
        )
    ana, ben, eva, old = (people.user(name) for name in ("ana", "ben", "eva", "old"))
    with factories.within(city):
        factories.save(
            PlaylistEnrolment(playlist_id=first.id, user_id=ana.id, completed_at=now),
            PlaylistEnrolment(playlist_id=second.id, user_id=ana.id),  # counted once
            PlaylistEnrolment(playlist_id=first.id, user_id=ben.id, completed_at=now),
            PlaylistEnrolment(playlist_id=other.id, user_id=eva.id, completed_at=now),
            PlaylistEnrolment(
                playlist_id=first.id, user_id=old.id, started_at=long_ago, completed_at=long_ago
            ),
        )

    admin = people.client(city, people.city_admin(city))
    rows = {
        row["figure"]: (row["period"], row["previous"])
        for row in table(admin.get("/api/v1/analytics/city").json, "headline")["rows"]
    }
    assert rows["Playlists offered"] == (3, 1)
    assert rows["Learners who started a playlist"] == (3, {"fewer_than": 2})
    assert rows["Playlists completed"] == (3, {"fewer_than": 2})
    assert "Learners who started a playlist" in admin.get("/analytics").text
    organiser = people.client(city, people.organiser(city, makers))
    more = table(organiser.get(f"/api/v1/analytics/organisations/{makers.slug}").json, "more")[
        "rows"
    ]
    assert {"figure": "Playlists offered", "value": 2} in more
    assert {"figure": "Learners who started a playlist", "value": 2} in more
    assert {"figure": "Playlists completed", "value": 2} in more
