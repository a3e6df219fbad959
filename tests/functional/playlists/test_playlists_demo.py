"""Demo seeding: two published playlists per city from the seeded activities, with a badge."""

from __future__ import annotations

from sqlalchemy import select

from col_core.db.meta import utcnow
from col_core.security.models import User
from plugins.playlists.demo import seed
from plugins.playlists.models import Playlist, PlaylistEnrolment


def test_two_playlists_with_badges_and_a_demo_learner(world, city, org, factories, in_city):
    for number in range(8):
        world.activity(city, org, f"Demo activity {number}")
    learner = factories.save(User(email="learner1@vilnius.demo", email_verified_at=utcnow()))
    with in_city(city) as request:
        lines = seed(request, city)
    assert len([line for line in lines if line.startswith("Playlist: ")]) == 2
    with factories.within(city):
        playlists = factories.session.scalars(select(Playlist).order_by(Playlist.id)).all()
        assert [p.status for p in playlists] == ["published", "published"]
        assert all(p.badges[0].badge_class_id for p in playlists)
        assert playlists[1].groups == {"Pick two": 2}
        assert factories.session.scalar(select(PlaylistEnrolment.user_id)) == learner.id
    with in_city(city) as request:
        assert seed(request, city) == []  # idempotent


def test_too_few_activities(city, in_city):
    with in_city(city) as request:
        assert seed(request, city) == ["vilnius: too few activities for demo playlists"]
