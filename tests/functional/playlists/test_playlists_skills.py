"""A playlist's skills become ESCO tags through the esco plugin's ISkillTags service."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.esco.cli import import_download
from plugins.esco.interfaces import ISkillTags

DATA = Path(__file__).resolve().parents[3] / "plugins" / "esco" / "data"
THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
UNKNOWN = "http://data.europa.eu/esco/skill/not-a-concept"


@pytest.fixture
def esco_concepts(registry):
    with registry["col.session_factory"]() as session:
        import_download(session, str(DATA / "v1.2.0" / "en"))
        session.commit()


def _tags(in_city, city, playlist_id):
    with in_city(city) as request:
        return request.find_service(ISkillTags).tags("playlist", playlist_id)


def test_skills_are_tagged_and_unknown_ones_refused(esco_concepts, staff, org, city, in_city):
    response = staff.post_json(
        f"/api/v1/organisations/{org.slug}/playlists",
        {
            "title": "Creative pathway",
            "skills": [{"uri": THINK_CREATIVELY, "label": "think creatively"}, {"uri": UNKNOWN}],
        },
        status=201,
    ).json
    assert response["fields"]["skills"] == (
        f"“{UNKNOWN}” is not a skill of ESCO: choose skills from the suggestions."
    )
    assert response["playlist"]["skills"] == []  # the draft is kept, without the bad field
    playlist = response["playlist"]["id"]
    assert _tags(in_city, city, playlist) == []
    staff.patch_json(f"/api/v1/playlists/{playlist}", {"skills": [{"uri": THINK_CREATIVELY}]})
    assert _tags(in_city, city, playlist) == [THINK_CREATIVELY]
    staff.patch_json(f"/api/v1/playlists/{playlist}", {"skills": []})
    assert _tags(in_city, city, playlist) == []


def test_the_playlist_s_skills_reach_its_issued_badge(
    esco_concepts, world, city, staff, make_playlist, activities, learner, complete, testapp
):
    """Skills added after the badge class was made (at publishing) are on the badge issued:
    the OB 2.0 badge class and the OB 3.0 achievement align with them."""
    playlist = make_playlist(activities[:1])  # published: its badge class exists, skill-less
    staff.patch_json(
        f"/api/v1/playlists/{playlist}",
        {"skills": [{"uri": THINK_CREATIVELY, "label": "think creatively"}]},
        status=200,
    )
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    complete(activities[0], learner)
    site = testapp.for_tenant(city)
    with world.factories.within(city):
        from sqlalchemy import select

        from plugins.badges.models import Assertion

        uid = world.factories.session.scalars(
            select(Assertion.uid).where(Assertion.source == "playlist")
        ).one()
    assertion = site.get(f"/badges/assertions/{uid}.json").json
    badge = site.get(assertion["badge"].removeprefix("http://vilnius.example.test") + ".json").json
    assert [(a["targetUrl"], a["targetName"]) for a in badge["alignment"]] == [
        (THINK_CREATIVELY, "think creatively")
    ]
    credential = site.get(f"/badges/credentials/{uid}").json
    aligned = credential["credentialSubject"]["achievement"]["alignment"]
    assert [(a["targetUrl"], a["targetName"]) for a in aligned] == [
        (THINK_CREATIVELY, "think creatively")
    ]
