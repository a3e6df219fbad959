"""Skill search: every label kind, accents, languages, ranking; the JSON API and its contract."""

from __future__ import annotations

import pytest

from plugins.esco.interfaces import ATTRIBUTION, ISkillSearch

THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
WORK_IN_TEAMS = "http://data.europa.eu/esco/skill/60c78287-22eb-4103-9c8c-28deaa460da0"


@pytest.fixture
def search(esco):
    esco.load("v1.1.1/en", "v1.1.1/fr", "v1.0.x/fr", "v1.0.x/nl", "v1.0.x/es")
    return esco.request().find_service(ISkillSearch).search


def test_hidden_label_finds_think_creatively(search):
    hit = search("creative mind", "en")[0]
    assert (hit.uri, hit.label, hit.matched, hit.matched_kind) == (
        THINK_CREATIVELY,
        "think creatively",
        "creative mind",
        "hidden",
    )


def test_french_label_typed_without_accents(search):
    hit = search("ecouter activ", "fr")[0]
    assert (hit.uri, hit.label, hit.matched_language) == (
        LISTEN_ACTIVELY,
        "écouter activement",
        "fr",
    )


def test_case_and_accents_are_folded_in_the_query_too(search):
    assert search("ÉCOUTER ACTIVEMENT", "fr")[0].uri == LISTEN_ACTIVELY


def test_a_word_inside_a_label_matches_by_its_prefix(search):
    assert THINK_CREATIVELY in [hit.uri for hit in search("creativ", "en")]


def test_users_language_ranks_first_then_english(search):
    dutch = {hit.uri: hit for hit in search("teams", "nl", limit=2)}
    assert dutch[WORK_IN_TEAMS].label == "in teams werken"
    assert {hit.matched_language for hit in dutch.values()} == {"nl"}
    spanish_user = search("listen activ", "es")[0]
    assert spanish_user.uri == LISTEN_ACTIVELY
    assert spanish_user.label == "practicar la escucha activa"  # shown in Spanish
    assert spanish_user.matched == "listen actively"  # found through English


def test_preferred_labels_rank_before_alternative_ones(search):
    kinds = [hit.matched_kind for hit in search("think", "en", limit=10)]
    assert kinds == sorted(kinds, key=["preferred", "alternative", "hidden"].index)
    assert kinds[0] == "preferred"


def test_only_the_citys_languages_are_searched(search):
    assert search("creatief", "en", languages=["en", "fr"]) == []
    assert search("creatief", "en", languages=["en", "nl"])[0].uri == THINK_CREATIVELY


def test_one_letter_gives_nothing(search):
    assert search("t", "en") == []


def test_api_returns_hits_with_attribution_and_matches_openapi(esco, factories, testapp, openapi):
    esco.load("v1.1.1/en", "v1.0.x/nl")
    city = factories.tenant("gent", locales=["nl", "en"], default_locale="nl")
    response = openapi(
        testapp.for_tenant(city).get("/api/v1/esco/skills", {"q": "creatief denk", "limit": 3})
    )
    assert response.json["attribution"] == ATTRIBUTION
    assert response.json["results"][0]["uri"] == THINK_CREATIVELY
    assert response.json["results"][0]["label"] == "creatief denken"


def test_api_is_in_the_openapi_document(factories, testapp):
    city = factories.tenant()
    spec = testapp.for_tenant(city).get("/api/openapi.json").json
    assert "get" in spec["paths"]["/api/v1/esco/skills"]


def test_api_rejects_bad_parameters_with_field_messages(factories, testapp):
    city = factories.tenant()
    response = testapp.for_tenant(city).get(
        "/api/v1/esco/skills",
        {"q": "team", "limit": "lots", "type": "x", "lang": "français"},
        status=400,
    )
    assert set(response.json["fields"]) == {"limit", "type", "lang"}


def test_api_lang_parameter_names_hits_in_that_language(esco, factories, testapp):
    esco.load("v1.1.1/en", "v1.0.x/es")
    city = factories.tenant()  # English and Lithuanian: Spanish only because it is asked for
    results = (
        testapp.for_tenant(city)
        .get("/api/v1/esco/skills", {"q": "escucha activa", "lang": "es"})
        .json["results"]
    )
    assert (results[0]["uri"], results[0]["label"]) == (
        LISTEN_ACTIVELY,
        "practicar la escucha activa",
    )


def test_api_finds_occupations_when_asked(esco, factories, testapp):
    esco.load("v1.1.1/en")
    city = factories.tenant()
    results = (
        testapp.for_tenant(city)
        .get("/api/v1/esco/skills", {"q": "youth", "type": "occupation"})
        .json["results"]
    )
    assert results and {hit["kind"] for hit in results} == {"occupation"}
