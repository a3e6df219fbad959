"""GET /api/v1/search, and the index following activities as they are written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from col_core.activities.models import Activity, ActivitySkill
from col_core.activities.search.models import SearchDocumentRow
from col_core.tenancy.scoping import get_city_row, tenant_context


def titles(response):
    return [item["title"] for item in response.json["items"]]


def test_published_activity_is_found_by_words_and_filters(testapp, factories, activities):
    city = factories.tenant("vilnius")
    made = activities(city, title="Šokių dirbtuvės", category="arts", accessibility=["step_free"])
    app = testapp.for_tenant(city)
    response = app.get("/api/v1/search", {"q": "sokiu", "access": "step_free", "facets": "1"})
    assert titles(response) == ["Šokių dirbtuvės"]
    item = response.json["items"][0]
    assert item["url"] == f"http://vilnius.example.test/activities/{made.id}"
    assert item["lat"] == made.latitude and item["accessibility"] == ["step_free"]
    assert response.json["facets"]["category"] == {"arts": 1}


def test_description_text_is_searchable_without_its_markup(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Evening class", description="<p>We <b>paint</b> murals</p>")
    assert titles(testapp.for_tenant(city).get("/api/v1/search", {"q": "paint murals"})) == [
        "Evening class"
    ]
    assert titles(testapp.for_tenant(city).get("/api/v1/search", {"q": "b "})) == []


def test_drafts_private_and_other_cities_are_not_found(testapp, factories, activities):
    city, other = factories.tenant("vilnius"), factories.tenant("kaunas")
    activities(city, title="Draft dance", status="draft")
    activities(city, title="Private dance", visibility="private")
    activities(other, title="Kaunas dance")
    assert titles(testapp.for_tenant(city).get("/api/v1/search", {"q": "dance"})) == []


@pytest.mark.smoke
def test_edits_and_archiving_follow_in_the_same_transaction(testapp, factories, activities):
    city = factories.tenant("vilnius")
    made = activities(city, title="Dance workshop")
    session = factories.session
    with tenant_context(session, city):
        activity = get_city_row(session, Activity, made.id)
        activity.title = "Salsa workshop"
        activity.skills = [ActivitySkill(concept_uri="http://esco/skill/dance", label="dancing")]
        session.commit()
    app = testapp.for_tenant(city)
    assert titles(app.get("/api/v1/search", {"q": "salsa"})) == ["Salsa workshop"]
    assert titles(app.get("/api/v1/search", {"skill": "http://esco/skill/dance"})) == [
        "Salsa workshop"
    ]
    with tenant_context(session, city):
        get_city_row(session, Activity, made.id).status = "archived"
        session.commit()
    assert titles(app.get("/api/v1/search", {"q": "salsa"})) == []


def test_a_rolled_back_edit_leaves_the_index_alone(testapp, factories, activities):
    city = factories.tenant("vilnius")
    made = activities(city, title="Dance workshop")
    session = factories.session
    with tenant_context(session, city):
        get_city_row(session, Activity, made.id).title = "Ghost"
        session.flush()
        session.rollback()
        titles_now = session.scalars(select(SearchDocumentRow.title)).all()
    assert titles_now == ["Dance workshop"]


def test_deleted_activity_leaves_the_index(testapp, factories, activities):
    city = factories.tenant("vilnius")
    made = activities(city, title="Dance workshop")
    session = factories.session
    with tenant_context(session, city):
        session.delete(get_city_row(session, Activity, made.id))
        session.commit()
    assert titles(testapp.for_tenant(city).get("/api/v1/search", {"q": "dance"})) == []


def test_paging_links_the_next_page(testapp, factories, activities):
    city = factories.tenant("vilnius")
    org = activities.organisation(city)
    for number in range(3):
        activities(city, org, title=f"Workshop {number}")
    app = testapp.for_tenant(city)
    first = app.get("/api/v1/search", {"q": "workshop", "limit": "2"})
    assert first.json["total"] == 3 and len(first.json["items"]) == 2
    second = app.get(first.json["next"])
    assert len(second.json["items"]) == 1 and second.json["next"] is None


def test_bad_parameters_are_a_400_naming_each(testapp, factories):
    city = factories.tenant("vilnius")
    response = testapp.for_tenant(city).get(
        "/api/v1/search",
        {"near": "north", "sort": "loudest", "age": "-3", "from": "soon"},
        status=400,
    )
    assert set(response.json["fields"]) == {"near", "sort", "age", "from"}
    assert response.json["error"]
    distance = testapp.for_tenant(city).get("/api/v1/search", {"sort": "distance"}, status=400)
    assert "near=" in distance.json["fields"]["sort"]


def test_search_is_in_the_openapi_document(testapp, factories):
    city = factories.tenant("vilnius")
    paths = testapp.for_tenant(city).get("/api/openapi.json").json["paths"]
    assert "q" in [p["name"] for p in paths["/api/v1/search"]["get"]["parameters"]]


def test_query_syntax_in_the_words_is_only_text(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop")
    app = testapp.for_tenant(city)
    for hostile in ['dance" OR "x', "dance' | 'x:*", "dance NEAR(a b)", "dance & !x", "*", '"']:
        response = app.get("/api/v1/search", {"q": hostile})
        assert response.status_int == 200


def test_language_has_its_own_parameter_and_lang_still_works_in_the_api(
    testapp, factories, activities, openapi
):
    city = factories.tenant("vilnius", locales=["lt", "en", "de"])
    activities(city, title="Tanzworkshop", languages=["de"])
    activities(city, title="Šokiai", languages=["lt"])
    app = testapp.for_tenant(city)
    assert titles(openapi(app.get("/api/v1/search", {"language": "de"}))) == ["Tanzworkshop"]
    # Old clients' lang= is read as the activities' language when language= is absent.
    assert titles(app.get("/api/v1/search", {"lang": "lt"})) == ["Šokiai"]
    assert titles(app.get("/api/v1/search", {"lang": "lt", "language": "de"})) == ["Tanzworkshop"]
    search = openapi.spec["paths"]["/api/v1/search"]["get"]
    parameters = {p["name"]: p for p in search["parameters"]}
    assert "language" in parameters and "located" in parameters
    assert parameters["lang"]["deprecated"] is True


def test_located_and_facets_without_their_own_filter(testapp, factories, activities, openapi):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop", category="arts")
    activities(
        city, title="Online coding", category="tech", latitude=None, longitude=None, online=True
    )
    app = testapp.for_tenant(city)
    assert titles(app.get("/api/v1/search", {"located": "0"})) == ["Online coding"]
    assert titles(app.get("/api/v1/search", {"located": "1"})) == ["Dance workshop"]
    chosen = openapi(app.get("/api/v1/search", {"category": "arts", "facets": "1"}))
    assert titles(chosen) == ["Dance workshop"]
    assert chosen.json["facets"]["category"] == {"arts": 1, "tech": 1}
    assert chosen.json["facets"]["mode"] == {"in_person": 1}
    bad = app.get("/api/v1/search", {"located": "maybe"}, status=400)
    assert set(bad.json["fields"]) == {"located"}


def test_a_misspelt_search_says_what_it_searched_instead(testapp, factories, activities):
    city = factories.tenant("vilnius", locales=["lt", "en"])
    activities(city, title="Python for teens")
    app = testapp.for_tenant(city)
    response = app.get("/api/v1/search", {"q": "pyhton", "limit": "5", "offset": "0"})
    assert titles(response) == ["Python for teens"]
    assert response.json["corrected"] == response.json["suggestion"] == "python"
    exact = response.json["exact_url"]
    assert "exact=1" in exact and "offset" not in exact and "q=pyhton" in exact
    as_typed = app.get(exact.replace("http://vilnius.example.test", ""))
    assert titles(as_typed) == []
    assert as_typed.json["corrected"] is None and as_typed.json["exact_url"] is None


def test_a_search_found_as_typed_is_not_corrected(testapp, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Python for teens")
    response = testapp.for_tenant(city).get("/api/v1/search", {"q": "python"})
    assert response.json["corrected"] is None and response.json["exact_url"] is None


def test_openapi_documents_the_correction(testapp, factories):
    city = factories.tenant("vilnius")
    spec = testapp.for_tenant(city).get("/api/openapi.json").json
    results = spec["components"]["schemas"]["SearchResults"]["properties"]
    assert {"corrected", "exact_url"} <= set(results)
    parameters = {p["name"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert "exact" in parameters
