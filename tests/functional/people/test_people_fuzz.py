"""Random input to every people form and JSON endpoint: never a 500, never lost input."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a person can type: control characters (but tab and line breaks) and lone surrogates are
# refused by the request guard before any form sees them (tests/functional/core/test_input_limits.py).
texts = st.text(
    st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n\r"), max_size=300
)
values = st.one_of(
    texts,
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(texts, max_size=2),
    st.dictionaries(texts, texts, max_size=2),
)


def _token(app):
    return re.search(r'name="csrf_token" value="([^"]+)"', app.get("/signin").text).group(1)


def _kept(page, submitted: dict, secret=("password",)):
    for name, value in submitted.items():
        if name in secret or name == "csrf_token":
            continue
        assert str(escape(value)) in page.text, f"{name} was not kept"


@FUZZ
@given(display_name=texts, email=texts, password=texts, birth_date=texts, guardian=texts)
def test_signup_form(testapp, city, display_name, email, password, birth_date, guardian):
    app = testapp.for_tenant(city)
    form = {
        "display_name": display_name,
        "email": email,
        "password": password,
        "birth_date": birth_date,
        "guardian_email": guardian,
        "csrf_token": _token(app),
    }
    page = app.post("/signup", form, status="*")
    assert page.status_int in (303, 400)
    if page.status_int == 400:
        _kept(page, form)


@FUZZ
@given(email=texts, password=texts)
def test_signin_form(testapp, city, email, password):
    app = testapp.for_tenant(city)
    page = app.post(
        "/signin", {"email": email, "password": password, "csrf_token": _token(app)}, status="*"
    )
    assert page.status_int in (400, 429)


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "name",
                "type",
                "description",
                "website",
                "contact_email",
                "phone",
                "address",
                "primary_locale",
            ]
        ),
        texts,
    )
)
def test_organisation_form(testapp, city, people, helpers, fields):
    user = people.user()
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    page = app.post("/organisations/new", {**fields, "csrf_token": _token(app)}, status="*")
    assert page.status_int in (303, 400)
    if page.status_int == 400:
        # Choices outside a select list cannot be shown again; the description is sanitised.
        _kept(
            page,
            {k: v for k, v in fields.items() if k not in ("description", "type", "primary_locale")},
        )


@FUZZ
@given(body=st.one_of(values, st.dictionaries(st.sampled_from(["name", "scope", "x"]), values)))
def test_token_endpoint(testapp, city, people, helpers, body):
    user = people.user()
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    response = app.post_json(
        "/api/v1/tokens", body, headers={"X-CSRF-Token": _token(app)}, status="*"
    )
    assert response.status_int in (201, 400, 422)
    if response.status_int >= 400:
        assert set(response.json) == {"error", "fields"}


@FUZZ
@given(
    body=st.one_of(
        values,
        st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "type",
                    "description",
                    "website",
                    "contact_email",
                    "primary_locale",
                    "slug",
                ]
            ),
            values,
        ),
    )
)
def test_organisation_endpoints(testapp, city, people, helpers, body):
    user = people.user()
    organisation = people.organisation(city, owner=user)
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    headers = {"X-CSRF-Token": _token(app)}
    created = app.post_json("/api/v1/organisations", body, headers=headers, status="*")
    patched = app.patch_json(
        f"/api/v1/organisations/{organisation.slug}", body, headers=headers, status="*"
    )
    for response in (created, patched):
        assert response.status_int < 500
        if response.status_int >= 400:
            assert set(response.json) == {"error", "fields"}
    if patched.status_int == 200 and isinstance(body, dict) and isinstance(body.get("name"), str):
        # What was accepted is what is stored.
        stored = app.get(f"/api/v1/organisations/{organisation.slug}").json
        assert stored["name"] == patched.json["name"]
