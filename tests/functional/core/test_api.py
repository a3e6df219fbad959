"""The JSON API's conventions: the OpenAPI document, the error format, responses matching it."""

import pytest


@pytest.fixture
def city(factories):
    factories.global_site()
    return factories.tenant("vilnius", name="Vilnius", locales=["lt", "en"], default_locale="lt")


def test_openapi_document_is_3_1_and_lists_core_endpoints(testapp, city):
    spec = testapp.for_tenant(city).get("/api/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/tenant", "/api/v1/tenants"} <= set(spec["paths"])
    assert spec["components"]["schemas"]["Error"]["required"] == ["error", "fields"]


def test_openapi_operations_have_unique_ids_and_summaries(registry):
    spec = registry["col.openapi"].document()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all(op.get("summary") for path in spec["paths"].values() for op in path.values())


def test_tenant_endpoint_matches_document(testapp, city, openapi):
    response = openapi(testapp.for_tenant(city).get("/api/v1/tenant"))
    assert response.json["locales"] == ["lt", "en"]


def test_tenants_endpoint_matches_document(testapp, city, openapi):
    response = openapi(testapp.get("/api/v1/tenants"))
    assert [item["slug"] for item in response.json["items"]] == ["global", "vilnius"]


def test_unknown_endpoint_is_json_error(testapp, city, openapi):
    response = testapp.for_tenant(city).get("/api/v1/no-such-thing", status=404)
    assert response.json == {
        "error": "Nothing at this address of the API; see /api/openapi.json.",
        "fields": {},
    }


def test_wrong_method_is_json_error(testapp, city):
    response = testapp.for_tenant(city).delete("/api/v1/tenant", status=404)
    assert set(response.json) == {"error", "fields"}


def test_disabled_plugin_paths_leave_the_document(testapp, factories, registry):
    installed = set(registry["col.plugins"].plugins)
    city = factories.tenant("solo", plugins=[])
    spec = testapp.for_tenant(city).get("/api/openapi.json").json
    owners = {op["tags"][0] for path in spec["paths"].values() for op in path.values()}
    assert owners.isdisjoint(installed)
