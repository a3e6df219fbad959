"""Easy server errors (finding 10): each attack now gets a 4xx a person can act on.

The JSON API answers ``{"error", "fields"}``; every other page answers with the error page.
Ids no row can have are a 404 on every route before the database is asked (on PostgreSQL,
whose integer ids stop at 2**31 - 1, they used to be a 500).
"""

from __future__ import annotations

import io
import re

import pytest
import webtest
from PIL import Image
from pyramid.interfaces import IRoutesMapper
from pyramid.request import Request, apply_request_extensions

from col_core.app import make_config
from col_core.security.validation import id_placeholders
from col_core.storage import IFileStorage, UploadRejected

# Values for the other placeholders, so that only the id can make a route fail to match.
OTHERS = {"ext": "", "version": "2", "table": "people"}
HUGE_IDS = ["3000000000", "9223372036854775808", "0", "%D9%A3"]  # the last: "٣"


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius", timezone="Europe/Vilnius")


@pytest.fixture
def organisation(people, city):
    return people.organisation(city)


@pytest.fixture
def organiser(people, city, organisation):
    return people.member(city, organisation)


def is_api_error(response) -> bool:
    return response.content_type == "application/json" and set(response.json) == {"error", "fields"}


def bomb_png() -> bytes:
    """A 40,000 × 40,000 one-bit PNG: 200 kB that would unpack into 1.6 GB of pixels."""
    buffer = io.BytesIO()
    Image.new("1", (40_000, 40_000)).save(buffer, "PNG")
    return buffer.getvalue()


# -- bodies ----------------------------------------------------------------------------------


def test_a_multipart_form_without_boundary_is_refused_even_when_signing_in(testapp, city):
    browser = testapp.for_tenant(city)
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/signin").text).group(1)
    # Sent as is (webtest's own post() would add a boundary).
    page = browser.request(
        "/signin",
        method="POST",
        body=f"csrf_token={token}".encode(),
        content_type="multipart/form-data",
        status=400,
        headers={"X-CSRF-Token": token},
        environ=dict(browser.extra_environ),
    )
    assert page.content_type == "text/html"
    assert "The form could not be read; send it again from the page." in page.text
    api = browser.request(
        "/api/v1/attendance",
        method="POST",
        body=b"{}",
        content_type="multipart/form-data",
        status=400,
        environ=dict(browser.extra_environ),
    )
    assert api.json == {
        "error": "The form could not be read; send it again from the page.",
        "fields": {},
    }


def test_forms_in_another_charset_or_with_too_many_fields_are_refused(testapp, city):
    browser = testapp.for_tenant(city)
    browser.post(
        "/signin",
        "email=x",
        status=400,
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    crowded = browser.post(
        "/signin",
        "&".join(f"f{n}=1" for n in range(1001)),
        status=413,
        content_type="application/x-www-form-urlencoded",
    )
    assert "more than 1000 fields" in crowded.text


def test_bodies_larger_than_the_limit_are_refused_before_they_are_read(
    testapp, city, people, organiser
):
    client = people.client(city, organiser)
    response = client.post(
        "/api/v1/activities",
        b"x" * (12 * 1024 * 1024 + 1),
        content_type="application/json",
        status=413,
    )
    assert response.json == {"error": "The request is larger than 12.0 MB.", "fields": {}}


def test_deeply_nested_json_is_refused_on_every_json_body(
    testapp, city, people, organiser, registry
):
    client = people.client(city, organiser)
    spec = registry["col.openapi"].document()
    operations = [
        (path, method)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    assert len(operations) > 10
    for depth, message in (
        (100_000, "The body is not valid JSON"),
        (40, "Nest the JSON at most 32 levels deep."),
    ):
        body = '{"title": ' + "[" * depth + "]" * depth + "}"
        for path, method in operations:
            url = re.sub(r"\{\w+\}", "1", path)
            response = getattr(client, method)(
                url, body, content_type="application/json", expect_errors=True
            )
            assert response.status_int in (400, 403, 404), (method, url, response.status)
            assert is_api_error(response)
            if response.status_int == 400:
                assert message in response.text, (method, url)


def test_json_numbers_beyond_database_integers_are_refused(city, people, organiser):
    client = people.client(city, organiser)
    for number in ("3000000000", "9223372036854775808", "-2147483649"):
        response = client.post(
            "/api/v1/activities",
            f'{{"organisation_id": {number}}}',
            content_type="application/json",
            expect_errors=True,
        )
        assert response.status_int in (400, 422) and is_api_error(response), number
    client.post(
        "/api/v1/activities",
        '{"organisation_id": NaN}',
        content_type="application/json",
        status=400,
    )


# -- addresses -------------------------------------------------------------------------------


def test_every_route_with_an_id_answers_404_for_ids_no_row_can_have(
    testapp, city, people, organiser, registry
):
    """Every route of the app whose pattern holds an id, whatever its method, with ids beyond
    2**31 - 1 and 2**63, zero and non-ASCII digits: a 404 in the right format."""
    client = people.client(city, organiser)
    mapper = registry.queryUtility(IRoutesMapper)
    checked = 0
    for route in mapper.get_routes():
        ids = id_placeholders(route.pattern)
        if not ids or route.pattern.startswith("/static"):
            continue
        for huge in HUGE_IDS:
            path = "/" + re.sub(
                r"\{(\w+)(?::[^{}]*(?:\{[^{}]*\}[^{}]*)*)?\}",
                lambda m, huge=huge, ids=ids: (
                    huge if m.group(1) in ids else OTHERS.get(m.group(1), "x1")
                ),
                route.pattern,
            ).lstrip("/")
            for method in ("get", "post"):
                response = getattr(client, method)(path, expect_errors=True)
                assert response.status_int == 404, (method, path, response.status)
                if path.startswith("/api/"):
                    assert is_api_error(response), path
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/search?q=%ED%A0%80",
        "/api/v1/search?q=a%00b",
        "/%ED%A0%80",
        "/organisations/%00",
        "/map/?q=%C0%AF",
    ],
)
def test_addresses_that_are_not_text_are_refused(testapp, city, address):
    response = testapp.for_tenant(city).get(address, status=400)
    if address.startswith("/api/"):
        assert is_api_error(response)
    else:
        assert "This address cannot be read" in response.text


@pytest.mark.parametrize(
    "query, field",
    [
        ("max_price=nan", "max_price"),
        ("max_price=inf", "max_price"),
        ("age=%C2%B2", "age"),
        ("km=1e400&near=54,25", "km"),
        ("to=9999-12-31", "to"),
        ("from=0001-01-01", "from"),
        ("near=nan,25", "near"),
    ],
)
def test_search_parameters_that_are_not_numbers_or_dates_are_refused(testapp, city, query, field):
    response = testapp.for_tenant(city).get(f"/api/v1/search?{query}", status=400)
    assert is_api_error(response) and field in response.json["fields"]


def test_form_fields_with_control_characters_are_refused(testapp, city):
    browser = testapp.for_tenant(city)
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/signup").text).group(1)
    page = browser.post(
        "/signup",
        {"csrf_token": token, "display_name": "Ada\x00", "email": "ada@example.org"},
        status=400,
    )
    assert "Remove the invisible character U+0000 from this text." in page.text


# -- uploads ---------------------------------------------------------------------------------


def test_a_decompression_bomb_is_refused_by_the_file_store(registry):
    """Every upload field stores through IFileStorage.put, which reads only the image's header
    before refusing more pixels than col.max_image_pixels."""
    request = Request.blank("/")
    request.registry = registry
    apply_request_extensions(request)
    storage = request.find_service(IFileStorage)
    with pytest.raises(UploadRejected, match="too many pixels"):
        storage.put(bomb_png(), {"image"})


def test_a_decompression_bomb_uploaded_through_a_form_is_a_clear_refusal(
    city, people, organiser, organisation, testapp
):
    client = people.client(city, organiser)
    draft = client.post_json(
        "/api/v1/activities", {"organisation_id": organisation.id, "title": "Lab"}
    ).json
    page = client.get(f"/activities/{draft['activity']['id']}/edit")
    form = page.forms["activity-form"]
    form["cover_file"] = webtest.Upload("cover.png", bomb_png(), "image/png")
    response = form.submit(status=422)
    assert "This picture has too many pixels; the limit is 50 million." in response.text
    verify = testapp.for_tenant(city).get("/badges/verify")
    form = next(f for f in verify.forms.values() if "file" in f.fields)
    form["file"] = webtest.Upload("badge.png", bomb_png(), "image/png")
    assert form.submit(expect_errors=True).status_int < 500


# -- errors ----------------------------------------------------------------------------------


def test_a_crash_in_the_api_is_json_that_names_nothing_internal(app_settings, factories):
    def explode(request):
        raise RuntimeError("secret table users_v2")

    config = make_config(None, **app_settings)
    config.add_route("explode", "/api/v1/explode")
    config.add_view(explode, route_name="explode")
    app = webtest.TestApp(config.make_wsgi_app())
    factories.tenant("vilnius")
    response = app.get(
        "/api/v1/explode", extra_environ={"HTTP_HOST": "vilnius.example.test"}, status=500
    )
    assert response.json == {
        "error": "Something went wrong on our side. Please try again in a moment.",
        "fields": {},
    }
    config.registry["col.engine"].dispose()


def test_other_refusals_are_pages_not_bare_statuses(testapp, city):
    page = testapp.for_tenant(city).post("/signin", {"email": "a@b.c"}, status=400)
    assert page.content_type == "text/html"
    assert "We could not use this request" in page.text


def test_forbidden_api_answers_name_no_view(testapp, city):
    response = testapp.for_tenant(city).post_json("/api/v1/organisations", {}, status=403)
    assert response.json == {"error": "Sign in, or send an API token, to do this.", "fields": {}}


def test_ordinary_input_passes_the_guard(testapp, city):
    browser = testapp.for_tenant(city)
    assert (
        browser.get("/api/v1/search?q=caf%C3%A9+%E2%82%AC&max_price=12,5&age=14").status_int == 200
    )
