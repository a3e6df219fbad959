"""The demo: the shipped extract imported once, activities tagged from their seed terms."""

from __future__ import annotations

from sqlalchemy import func, select

from col_core.activities.models import ActivitySkill
from plugins.esco.demo import DEMO_FOLDERS, seed_terms
from plugins.esco.hooks import col_seed_demo
from plugins.esco.interfaces import ISkillSearch
from plugins.esco.models import ImportLog

LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
WORK_IN_TEAMS = "http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0"
TEAMWORK_PRINCIPLES = "http://data.europa.eu/esco/skill/a5b0cd5c-e13a-4ab3-8d93-4d242adcfb01"


def seed(esco, city):
    request = esco.request(city)
    lines = col_seed_demo(request=request, tenant=city)
    request.tm.commit()
    return lines


def test_demo_imports_once_and_tags_activities_by_seed_terms(esco, people, city, factories):
    org = people.organisation(city)
    circle = people.activity(
        city,
        org,
        title="Active listening circle",
        description="<p>Practise teamwork with peers.</p>",
    )
    chess = people.activity(city, org, title="Chess evening")
    first = seed(esco, city)
    again = seed(esco, city)
    assert first[0].startswith("ESCO: the shipped extract") and len(again) == 1
    with esco.session() as session:
        assert session.scalar(select(func.count()).select_from(ImportLog)) == len(DEMO_FOLDERS)
    with factories.within(city):
        tags = {
            (t.activity_id, t.concept_uri, t.version)
            for t in factories.session.scalars(select(ActivitySkill))
        }
    assert {t for t in tags if t[0] == circle.id} == {
        (circle.id, uri, "1.1.1") for uri in (LISTEN_ACTIVELY, WORK_IN_TEAMS, TEAMWORK_PRINCIPLES)
    }
    # An activity that names no seed term still teaches the skills of one seed term.
    seed_uris = {uri for uris in seed_terms().values() for uri in uris}
    chess_tags = {uri for activity_id, uri, _ in tags if activity_id == chess.id}
    assert chess_tags and chess_tags <= seed_uris


def test_demo_data_is_searchable_in_french_spanish_and_dutch(esco, city):
    seed(esco, city)
    search = esco.request(city).find_service(ISkillSearch).search
    assert search("ecouter activement", "fr")[0].uri == LISTEN_ACTIVELY
    assert search("escucha activa", "es")[0].uri == LISTEN_ACTIVELY
    assert search("in teams werken", "nl")[0].uri == WORK_IN_TEAMS
