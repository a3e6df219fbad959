"""What the plugin does for other parts of the platform: skill groups for dashboards, the
learner's skills in the GDPR export, and their erasure with the account."""

from __future__ import annotations

import json

from plugins.esco.hooks import col_account_deleted
from plugins.esco.interfaces import ILearnerSkills

THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"


def test_skill_groups_are_the_top_groups_of_the_hierarchy(esco, city):
    esco.load("v1.1.1/en")
    request = esco.request(city)
    groups = {}
    for found in request.hooks.col_skill_groups(
        request=request, uris=[THINK_CREATIVELY, LISTEN_ACTIVELY, "http://example.org/x"]
    ):
        groups.update(found or {})
    assert groups == {
        THINK_CREATIVELY: "thinking skills and competences",
        LISTEN_ACTIVELY: "communication, collaboration and creativity",
    }


def test_profile_groups_skills_outside_collections_by_top_group(esco, city, people):
    esco.load("v1.1.1/en")
    learner = people.user()
    request = esco.request(city)
    skills = request.find_service(ILearnerSkills)
    skills.record(learner.id, [LISTEN_ACTIVELY, THINK_CREATIVELY], "badge", 3)
    groups = [(str(g.title), g.uris) for g in skills.profile(learner.id, "en")]
    assert groups == [
        ("Transversal skills", [THINK_CREATIVELY]),
        ("communication, collaboration and creativity", [LISTEN_ACTIVELY]),
    ]


def test_export_then_erase_a_learners_skills(esco, city, people):
    esco.load("v1.1.1/en")
    learner = people.user()
    request = esco.request(city)
    request.find_service(ILearnerSkills).record(learner.id, [LISTEN_ACTIVELY], "badge", 5)
    request.tm.commit()
    request = esco.request(city)
    files = {}
    for found in request.hooks.col_account_export(request=request, user=learner):
        files.update(found or {})
    exported = json.loads(files["esco/skills.json"])
    assert [(s["uri"], s["label"], s["source"], s["source_id"]) for s in exported["skills"]] == [
        (LISTEN_ACTIVELY, "listen actively", "badge", 5)
    ]
    assert "European Commission" in exported["attribution"]
    col_account_deleted(request=request, user=learner)
    request.tm.commit()
    assert esco.request(city).find_service(ILearnerSkills).skills(learner.id) == set()
