"""Consent per city: an account made in one city accepts another city's terms before acting there."""

import datetime as dt
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from col_core.organisations.models import Organisation
from col_core.security.models import ApiToken, Consent
from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret
from col_core.testing.people import accept_terms

LEGAL = {"en": {"terms": "# Kaunas terms", "privacy": "# Kaunas privacy"}}


@pytest.fixture
def kaunas(factories):
    return factories.tenant("kaunas", name="Kaunas", settings={"legal": LEGAL})


@pytest.fixture
def visitor(testapp, city, kaunas, people, helpers):
    """A person who signed up in Vilnius (and accepted its terms), signed in on Kaunas' site."""
    user = people.user("visitor@example.org")
    helpers.sign_in(testapp.for_tenant(city), user.email)
    app = testapp.for_tenant(kaunas)
    helpers.sign_in(app, user.email, consent=False)
    return user, app


def _new_organisation(app, helpers, **extra):
    return app.post(
        "/organisations/new",
        {
            "csrf_token": helpers.csrf_token(app),
            "name": "Club",
            "type": "ngo",
            "primary_locale": "en",
            **extra,
        },
        headers={"Referer": "http://kaunas.example.test/organisations/new"},
        expect_errors=True,
    )


def _consents(factories, tenant, user):
    with factories.within(tenant):
        return factories.session.scalars(select(Consent).where(Consent.user_id == user.id)).all()


def test_acting_in_another_city_leads_to_its_consent_page(visitor, helpers, factories, kaunas):
    user, app = visitor
    response = _new_organisation(app, helpers)
    assert response.status_int == 303
    assert response.location == "http://kaunas.example.test/consent?next=%2Forganisations%2Fnew"
    with factories.within(kaunas):
        assert factories.session.scalars(select(Organisation)).all() == []
    page = response.follow()
    assert "Welcome to Kaunas" in page.text
    assert page.html.find("a", href="http://kaunas.example.test/legal/terms")
    assert page.html.find("a", href="http://kaunas.example.test/legal/privacy")
    form = helpers.form_with(page, "accept_terms")
    assert form["next"].value == "/organisations/new" and "accept_privacy" in form.fields


def test_reading_stays_open_without_consent(visitor):
    _user, app = visitor
    app.get("/organisations/new", status=200)
    app.get("/account", status=200)


def test_after_accepting_the_action_works_and_consent_is_kept_for_that_city_only(
    visitor, helpers, factories, city, kaunas
):
    user, app = visitor
    page = _new_organisation(app, helpers).follow()
    form = helpers.form_with(page, "accept_terms")
    form["accept_terms"] = form["accept_privacy"] = True
    response = form.submit(status=303)
    assert response.location == "http://kaunas.example.test/organisations/new"
    assert _new_organisation(app, helpers).status_int == 303
    with factories.within(kaunas):
        assert [o.name for o in factories.session.scalars(select(Organisation))] == ["Club"]
    assert sorted(c.document for c in _consents(factories, kaunas, user)) == ["privacy", "terms"]
    assert len(_consents(factories, city, user)) == 2  # Vilnius' own, unchanged
    account = app.get("/account")
    assert account.text.count("Kaunas") >= 2 and account.text.count("Vilnius") >= 2


def test_both_documents_must_be_accepted(visitor, helpers, factories, kaunas):
    user, app = visitor
    form = helpers.form_with(app.get("/consent"), "accept_terms")
    form["accept_terms"] = True
    page = form.submit(status=400)
    assert "Please accept to continue" in page.text
    assert _consents(factories, kaunas, user) == []


def test_api_clients_get_a_403_naming_the_consent_page(visitor, factories, testapp, kaunas):
    user, _app = visitor
    secret = API_TOKEN_PREFIX + new_secret()
    factories.save(
        ApiToken(user_id=user.id, name="script", scope="write", token_hash=digest(secret))
    )
    api = testapp.for_tenant(kaunas)
    api.authorization = ("Bearer", secret)
    response = api.post_json(
        "/api/v1/organisations", {"name": "Club", "type": "ngo", "primary_locale": "en"}, status=403
    )
    assert response.json == {
        "error": "Before you can do this, accept the terms of Kaunas at "
        "http://kaunas.example.test/consent.",
        "fields": {},
    }
    api.get("/api/v1/me", status=200)


def test_next_cannot_leave_the_site(visitor, helpers):
    _user, app = visitor
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = app.post(
            "/consent",
            {
                "csrf_token": helpers.csrf_token(app),
                "next": target,
                "accept_terms": "on",
                "accept_privacy": "on",
            },
            status=303,
        )
        assert response.location == "http://kaunas.example.test/"


def test_consent_page_is_csrf_protected(visitor, factories, kaunas):
    user, app = visitor
    app.post("/consent", {"accept_terms": "on", "accept_privacy": "on"}, status=400)
    app.post(
        "/consent",
        {"csrf_token": "forged", "accept_terms": "on", "accept_privacy": "on"},
        status=400,
    )
    assert _consents(factories, kaunas, user) == []


def test_account_business_needs_no_consent(visitor, helpers, factories):
    user, app = visitor
    token = helpers.csrf_token(app)
    export = app.post("/account/export", {"csrf_token": token}, status=200)
    consents = json.loads(zipfile.ZipFile(io.BytesIO(export.body)).read("consents.json"))
    assert {(c["city"], c["document"]) for c in consents} == {
        ("vilnius", "terms"),
        ("vilnius", "privacy"),
    }
    app.post("/signout", {"csrf_token": token}, status=303)
    helpers.sign_in(app, user.email, consent=False)
    app.post(
        "/account/delete",
        {"csrf_token": helpers.csrf_token(app), "password": helpers.PASSWORD, "confirm": "on"},
        status=303,
    )


def test_a_new_legal_version_asks_again(visitor, helpers, factories, kaunas):
    user, app = visitor
    helpers.form_with(app.get("/consent"), "accept_terms")  # not yet accepted
    accept_terms(app)
    assert _new_organisation(app, helpers).status_int == 303
    kaunas.settings = {**kaunas.settings, "legal_version": "2027-01"}
    factories.save(kaunas)
    assert "/consent?" in _new_organisation(app, helpers, name="Other").location
    accept_terms(app)
    versions = sorted(c.version for c in _consents(factories, kaunas, user))
    assert versions == ["", "", "2027-01", "2027-01"]


def test_a_minor_by_this_citys_rules_needs_a_guardian_first(
    testapp, factories, people, helpers, outbox
):
    strict = factories.tenant("strict", name="Strict", settings={"digital_consent_age": 16})
    today = dt.date.today()
    user = people.user("teen@example.org", birth_date=today.replace(year=today.year - 15))
    app = testapp.for_tenant(strict)
    helpers.sign_in(app, user.email, consent=False)
    form = helpers.form_with(app.get("/consent"), "guardian_email")
    form["accept_terms"] = form["accept_privacy"] = True
    form["guardian_email"] = "parent@example.org"
    form.submit(status=303)
    assert [m["To"] for m in outbox.messages()] == ["parent@example.org"]
    assert _consents(factories, strict, user) == []
    helpers.sign_in(testapp.for_tenant(strict), user.email, status=403)  # as after sign-up
