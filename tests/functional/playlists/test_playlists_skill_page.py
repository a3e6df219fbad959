"""A skill's page (the esco plugin's) lists the city's public playlists and badge classes tagged
with the skill, through the col_skill_subjects hook; never another city's."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from plugins.badges.models import BadgeClass
from plugins.esco.cli import import_download
from plugins.esco.interfaces import ISkillTags

DATA = Path(__file__).resolve().parents[3] / "plugins" / "esco" / "data"
THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
SKILLS = [{"uri": THINK_CREATIVELY, "label": "think creatively"}]


@pytest.fixture(autouse=True)
def esco_concepts(registry):
    with registry["col.session_factory"]() as session:
        import_download(session, str(DATA / "v1.2.0" / "en"))
        session.commit()


def _playlist_badge(in_city, city, playlist_id) -> int:
    """Tag the playlist's badge class with the skill; its id."""
    with in_city(city) as request:
        badge = request.dbsession.scalar(
            select(BadgeClass).where(
                BadgeClass.subject_type == "playlist", BadgeClass.subject_id == playlist_id
            )
        )
        request.find_service(ISkillTags).add("badge_class", badge.id, THINK_CREATIVELY)
        return badge.id


def _skill_page(testapp, city):
    return testapp.for_tenant(city).get("/esco/concept", {"uri": THINK_CREATIVELY})


def test_skill_page_lists_the_playlist_and_its_badge(
    make_playlist, activities, testapp, city, in_city
):
    playlist = make_playlist(activities[:2], title="Creative pathway", skills=SKILLS)
    badge = _playlist_badge(in_city, city, playlist)
    page = _skill_page(testapp, city)
    assert page.html.find("a", href=f"/playlists/{playlist}").text.strip() == "Creative pathway"
    assert page.html.find("a", href=f"/badges/classes/{badge}") is not None


def test_drafts_and_unlisted_playlists_stay_off_the_skill_page(
    make_playlist, activities, testapp, city
):
    draft = make_playlist(activities[:1], publish=False, title="Draft", skills=SKILLS)
    unlisted = make_playlist(activities[:1], title="Hidden", visibility="unlisted", skills=SKILLS)
    page = _skill_page(testapp, city)
    assert not page.html.find("a", href=f"/playlists/{draft}")
    assert not page.html.find("a", href=f"/playlists/{unlisted}")


def test_another_citys_playlist_is_not_listed(
    world, factories, make_playlist, activities, testapp, city, in_city
):
    other = factories.tenant("kaunas", timezone="Europe/Vilnius")
    other_org = world.organisation(other, "Kaunas hub")
    other_staff = world.client(other, world.organiser(other, other_org))
    activity = world.activity(other, other_org, "Kaunas lab")
    theirs = other_staff.post_json(
        f"/api/v1/organisations/{other_org.slug}/playlists",
        {"title": "Kaunas pathway", "description": "<p>Make things.</p>", "skills": SKILLS},
        status=201,
    ).json["playlist"]["id"]
    other_staff.put_json(
        f"/api/v1/playlists/{theirs}/items",
        {"items": [{"activity_id": activity.id, "mandatory": True}]},
    )
    other_staff.post(f"/api/v1/playlists/{theirs}/publish", status=200)
    their_badge = _playlist_badge(in_city, other, theirs)
    assert "Kaunas pathway" in _skill_page(testapp, other).text
    page = _skill_page(testapp, city)
    assert "Kaunas pathway" not in page.text
    assert not page.html.find("a", href=f"/badges/classes/{their_badge}")
