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
    assert (
        response["fields"]["skills"]
        == f"These are not skills of the ESCO classification: {UNKNOWN}."
    )
    assert [s["uri"] for s in response["playlist"]["skills"]] == [THINK_CREATIVELY]
    playlist = response["playlist"]["id"]
    assert _tags(in_city, city, playlist) == [THINK_CREATIVELY]
    staff.patch_json(f"/api/v1/playlists/{playlist}", {"skills": []})
    assert _tags(in_city, city, playlist) == []
