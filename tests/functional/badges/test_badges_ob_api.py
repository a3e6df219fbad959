"""The Open Badges 3.0 API and its OAuth 2.0 server, through requests as clients and attackers
send them: registration, consent, PKCE, tokens, revocation, the resource endpoints, and the
learner's connected applications."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, text, update

from plugins.badges.models import ImportedBadge, ObApiCode, ObApiToken
from plugins.badges.services.ob_api import SCOPES
from plugins.badges.testing import Badges

API = "/api/ims/ob/v3p0"
READ, UPSERT, PROFILE_READ, PROFILE_UPDATE = SCOPES
ALL = " ".join(SCOPES)
REDIRECT = "https://backpack.example/callback"


def basic(client: dict) -> dict:
    pair = f"{client['client_id']}:{client['client_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


class Flow:
    """A client application of one city, and the learner who connects it."""

    def __init__(self, testapp, badges, tenant=None, scope=ALL, uris=(REDIRECT,)):
        self.testapp, self.badges = testapp, badges
        self.tenant = tenant or badges.tenant
        self.api = testapp.for_tenant(self.tenant)  # the client's own requests: no cookies
        self.client = self.api.post_json(
            f"{API}/oauth/register",
            {"client_name": "Backpack", "redirect_uris": list(uris), "scope": scope},
            status=201,
        ).json

    def consent_page(self, browser, scope=ALL, state="xyz", **params):
        self.verifier, challenge = pkce()
        query = {
            "response_type": "code",
            "client_id": self.client["client_id"],
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **params,
        }
        query = {k: v for k, v in query.items() if v is not None}
        return browser.get("/badges/oauth/authorize", query, status="*")

    def code(self, browser, decision="allow", **params) -> dict:
        form = self.consent_page(browser, **params).forms["consent-form"]
        response = form.submit("decision", value=decision, status=302)
        location = response.headers["Location"]
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()} | {
            "location": location
        }

    def token(self, code: str, verifier=None, status=200, headers=None):
        return self.api.post(
            f"{API}/oauth/token",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
                "code_verifier": verifier or self.verifier,
            },
            headers=headers or basic(self.client),
            status=status,
        )

    def connect(self, browser, **params) -> dict:
        return self.token(self.code(browser, **params)["code"]).json


@pytest.fixture
def ana(badges):
    return badges.user("ana@example.org")


@pytest.fixture
def browser(testapp, badges, ana):
    app = testapp.for_tenant(badges.tenant)
    badges.sign_in(app, "ana@example.org")
    return app


@pytest.fixture
def flow(testapp, badges):
    return Flow(testapp, badges)


@pytest.fixture
def tokens(flow, browser):
    return flow.connect(browser)


def test_the_service_description_names_the_oauth_endpoints(city):
    doc = city.get(f"{API}/discovery").json
    assert doc["openapi"].startswith("3.0")
    assert doc["info"]["x-imssf-privacyPolicyUrl"].endswith("/legal/privacy")
    assert doc["servers"][0]["url"] == "http://vilnius.example.test/api"
    scheme = doc["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "http://vilnius.example.test/badges/oauth/authorize"
    assert flow["tokenUrl"] == flow["refreshUrl"]
    assert flow["tokenUrl"] == "http://vilnius.example.test/api/ims/ob/v3p0/oauth/token"
    assert scheme["x-imssf-registrationUrl"].endswith("/api/ims/ob/v3p0/oauth/register")
    assert set(flow["scopes"]) == set(SCOPES)
    paths = {"/ims/ob/v3p0/credentials", "/ims/ob/v3p0/profile", "/ims/ob/v3p0/discovery"}
    assert set(doc["paths"]) >= paths


def test_registration_answers_rfc_7591(flow):
    client = flow.client
    assert client["client_id"] and client["client_secret"]
    assert client["redirect_uris"] == [REDIRECT]
    assert client["token_endpoint_auth_method"] == "client_secret_basic"


@pytest.mark.parametrize(
    "metadata",
    [
        {"redirect_uris": ["http://backpack.example/cb"]},  # plain http, not loopback
        {"redirect_uris": ["http://127.0.0.1.evil.example/cb"]},
        {"redirect_uris": ["https://backpack.example/cb#fragment"]},
        {"redirect_uris": []},
        {"client_name": ""},
        {"scope": ""},
        {"scope": "https://evil.example/scope"},
        {"token_endpoint_auth_method": "none"},
    ],
)
def test_registration_refuses_bad_metadata(testapp, badges, metadata):
    body = {"client_name": "Backpack", "redirect_uris": [REDIRECT], "scope": READ, **metadata}
    app = testapp.for_tenant(badges.tenant)
    refused = app.post_json(f"{API}/oauth/register", body, status=400).json
    assert refused["error"] in (
        "invalid_redirect_uri",
        "invalid_request",
        "invalid_client_metadata",
    )


def test_a_flood_of_registrations_is_refused_with_when_to_come_back(make_testapp, badges):
    app = make_testapp(**{"col.registration_limit_per_address": "3"}).for_tenant(badges.tenant)
    body = {"client_name": "Backpack", "redirect_uris": [REDIRECT], "scope": READ}
    for _ in range(3):
        app.post_json(f"{API}/oauth/register", body, status=201)
    refused = app.post_json(f"{API}/oauth/register", body, status=429)
    assert refused.json["error"] == "temporarily_unavailable"
    assert "Try again in 60 minutes" in refused.json["error_description"]
    assert int(refused.headers["Retry-After"]) > 3500


def test_loopback_http_redirects_may_be_registered(testapp, badges):
    uris = ("http://127.0.0.1:8765/cb", "http://localhost/cb", "http://[::1]:9/cb")
    assert Flow(testapp, badges, uris=uris).client["redirect_uris"] == list(uris)


def test_the_consent_page_needs_a_signed_in_learner(flow, city):
    response = flow.consent_page(city)
    assert response.status_int in (302, 303)
    assert "/signin" in response.headers["Location"]


def test_the_consent_page_names_the_app_and_what_it_may_do(flow, browser):
    page = flow.consent_page(browser, scope=READ)
    assert "Backpack" in page and "See the badges in your wallet" in page
    assert "Add badges to your wallet" not in page
    assert "backpack.example" in page
    assert 'name="csrf_token"' in page
    # No other site may frame the consent page (clickjacking).
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_the_consent_form_needs_its_csrf_token(flow, browser):
    page = flow.consent_page(browser)
    url = page.forms["consent-form"].action
    browser.post(url, {"decision": "allow"}, status=400)
    assert flow.api.app  # nothing was granted
    assert "code=" not in page.text


def test_allowing_sends_the_code_and_the_state_back(flow, browser):
    answer = flow.code(browser, state="s-42")
    assert answer["location"].startswith(REDIRECT + "?")
    assert answer["state"] == "s-42" and answer["code"]


def test_denying_sends_access_denied_back(flow, browser):
    answer = flow.code(browser, decision="deny", state="s-1")
    assert answer["error"] == "access_denied" and answer["state"] == "s-1"
    assert "code" not in answer


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        REDIRECT + "/../evil",
        REDIRECT + "?next=https://evil.example",
        "https://backpack.example/callbackevil",
        "https://backpack.example.evil.example/callback",
    ],
)
def test_an_unregistered_redirect_uri_is_refused_here_never_followed(flow, browser, redirect_uri):
    page = flow.consent_page(browser, redirect_uri=redirect_uri)
    assert page.status_int == 400
    assert "Location" not in page.headers
    assert "consent-form" not in page and "cannot be used" in page
    # Posting the decision anyway grants nothing and goes nowhere.
    form_url = "/badges/oauth/authorize?" + urlsplit(page.request.url).query
    csrf = browser.get("/badges/wallet").forms["import-form"]["csrf_token"].value
    posted = browser.post(form_url, {"decision": "allow", "csrf_token": csrf}, status=400)
    assert "Location" not in posted.headers


def test_an_unknown_client_is_refused_here(flow, browser):
    page = flow.consent_page(browser, client_id="nobody")
    assert page.status_int == 400 and "Location" not in page.headers


@pytest.mark.parametrize(
    "params",
    [{"code_challenge": None, "code_challenge_method": None}, {"code_challenge_method": "plain"}],
)
def test_pkce_with_s256_is_required(flow, browser, params):
    response = flow.consent_page(browser, **params)
    assert response.status_int == 302
    answer = parse_qs(urlsplit(response.headers["Location"]).query)
    assert answer["error"] == ["invalid_request"] and answer["state"] == ["xyz"]


def test_a_scope_the_client_did_not_register_is_not_granted(testapp, badges, browser):
    flow = Flow(testapp, badges, scope=READ)
    tokens = flow.connect(browser, scope=f"{READ} {UPSERT}")
    assert tokens["scope"] == READ


def test_the_code_buys_tokens_once(flow, browser):
    code = flow.code(browser)["code"]
    tokens = flow.token(code).json
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    assert tokens["expires_in"] == 3600
    replayed = flow.token(code, status=400).json
    assert replayed["error"] == "invalid_grant"


def test_a_wrong_verifier_is_refused_and_spends_the_code(flow, browser):
    code = flow.code(browser)["code"]
    verifier = flow.verifier
    assert flow.token(code, verifier=pkce()[0], status=400).json["error"] == "invalid_grant"
    assert flow.token(code, verifier=verifier, status=400).json["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(flow, browser):
    code = flow.code(browser)["code"]
    wrong = basic({**flow.client, "client_secret": "guess"})
    assert flow.token(code, headers=wrong, status=401).json["error"] == "invalid_client"


def test_another_client_cannot_spend_the_code(testapp, badges, flow, browser):
    code = flow.code(browser)["code"]
    other = Flow(testapp, badges)
    refused = flow.token(code, headers=basic(other.client), status=400)
    assert refused.json["error"] == "invalid_grant"


def test_an_expired_code_is_refused(flow, browser, factories, badges):
    code = flow.code(browser)["code"]
    with factories.within(badges.tenant):
        factories.session.execute(
            update(ObApiCode).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        factories.session.commit()
    assert flow.token(code, status=400).json["error"] == "invalid_grant"


def test_tokens_and_secrets_are_stored_as_digests_only(flow, tokens, factories, badges):
    with factories.within(badges.tenant):
        raw = {"filters_tenant_itself": "the test reads every stored column"}
        rows = factories.session.execute(
            text("SELECT * FROM badge_ob_tokens"), execution_options=raw
        ).all()
        clients = factories.session.execute(
            text("SELECT * FROM badge_ob_clients"), execution_options=raw
        ).all()
    stored = json.dumps([list(map(str, row)) for row in rows + clients])
    for secret in (tokens["access_token"], tokens["refresh_token"], flow.client["client_secret"]):
        assert secret not in stored


def _ob3(credential: dict) -> str:
    return credential["credentialSubject"]["achievement"]["name"]


def test_get_credentials_lists_the_learners_valid_credentials(badges, ana, flow, tokens):
    for n in range(3):
        badges.issue(badges.badge_class(name=f"Badge {n}"), user=ana)
    gone = badges.issue(badges.badge_class(name="Revoked"), user=ana)
    badges.revoke(gone)
    response = flow.api.get(f"{API}/credentials", headers=bearer(tokens["access_token"]))
    names = [_ob3(c) for c in response.json["credential"]]
    assert sorted(names) == ["Badge 0", "Badge 1", "Badge 2"]
    assert response.headers["X-Total-Count"] == "3"
    assert response.json["compactJwsString"] == []
    assert all(c["proof"] for c in response.json["credential"])


def test_get_credentials_pages_with_limit_offset_and_link(badges, ana, flow, tokens):
    for n in range(5):
        badges.issue(badges.badge_class(name=f"Badge {n}"), user=ana)
    headers = bearer(tokens["access_token"])
    page = flow.api.get(f"{API}/credentials", {"limit": 2, "offset": 2}, headers=headers)
    assert len(page.json["credential"]) == 2 and page.headers["X-Total-Count"] == "5"
    link = page.headers["Link"]
    assert 'offset=4>; rel="next"' in link and 'offset=0>; rel="prev"' in link
    assert 'rel="first"' in link and 'offset=4>; rel="last"' in link
    for bad in ({"limit": "0"}, {"offset": "-1"}, {"limit": "x"}, {"since": "yesterday"}):
        refused = flow.api.get(f"{API}/credentials", bad, headers=headers, status=400).json
        assert refused["imsx_codeMajor"] == "failure"
        minor = refused["imsx_codeMinor"]["imsx_codeMinorField"][0]
        assert minor["imsx_codeMinorFieldValue"] == "invalid_query_parameter"


def test_get_credentials_since(badges, ana, flow, tokens):
    badges.issue(badges.badge_class(name="Old"), user=ana)
    headers = bearer(tokens["access_token"])
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat()
    assert flow.api.get(f"{API}/credentials", {"since": later}, headers=headers).json == {
        "credential": [],
        "compactJwsString": [],
    }


def test_without_a_token_or_with_a_bad_one_the_answer_is_401(flow, tokens):
    for headers in ({}, bearer("forged"), {"Authorization": "Basic eDp5"}):
        refused = flow.api.get(f"{API}/credentials", headers=headers, status=401)
        assert refused.json["imsx_codeMajor"] == "failure"
        assert "Bearer" in refused.headers["WWW-Authenticate"]


def test_a_signed_in_browser_without_a_token_gets_nothing(browser, tokens):
    assert browser.get(f"{API}/credentials", status=401).json["imsx_codeMajor"] == "failure"


def test_a_scope_not_granted_is_403(flow, browser):
    tokens = flow.connect(browser, scope=PROFILE_READ)
    headers = bearer(tokens["access_token"])
    refused = flow.api.get(f"{API}/credentials", headers=headers, status=403).json
    minor = refused["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
    assert minor == "forbidden"
    flow.api.post(f"{API}/credentials", "{}", headers=headers, status=403)
    flow.api.put_json(f"{API}/profile", {"name": "X"}, headers=headers, status=403)
    assert flow.api.get(f"{API}/profile", headers=headers).json["name"] == "Ana"


def test_an_expired_access_token_is_401(flow, tokens, factories, badges):
    with factories.within(badges.tenant):
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        factories.session.execute(update(ObApiToken).values(expires_at=past))
        factories.session.commit()
    flow.api.get(f"{API}/credentials", headers=bearer(tokens["access_token"]), status=401)


def test_a_token_of_one_city_is_nothing_in_another(testapp, badges, registry, factories, tokens):
    kaunas = Badges(registry, factories, factories.tenant("kaunas"))
    other = testapp.for_tenant(kaunas.tenant)
    other.get(f"{API}/credentials", headers=bearer(tokens["access_token"]), status=401)
    # Nor may the client use its credentials there.
    answer = other.post(
        f"{API}/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        status=401,
    )
    assert answer.json["error"] == "invalid_client"


def test_each_token_reads_its_own_learners_credentials(testapp, badges, ana, flow, tokens):
    bob = badges.user("bob@example.org")
    badges.issue(badges.badge_class(name="Ana's"), user=ana)
    badges.issue(badges.badge_class(name="Bob's"), user=bob)
    bobs_browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(bobs_browser, "bob@example.org")
    bobs = flow.connect(bobs_browser)

    def read(token: str) -> list[str]:
        listed = flow.api.get(f"{API}/credentials", headers=bearer(token)).json
        return [_ob3(c) for c in listed["credential"]]

    assert read(tokens["access_token"]) == ["Ana's"]
    assert read(bobs["access_token"]) == ["Bob's"]


def test_refreshing_rotates_the_refresh_token(flow, tokens):
    renewed = flow.api.post(
        f"{API}/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic(flow.client),
    ).json
    assert renewed["access_token"] != tokens["access_token"] and renewed["refresh_token"]
    flow.api.get(f"{API}/profile", headers=bearer(renewed["access_token"]))
    again = flow.api.post(
        f"{API}/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic(flow.client),
        status=400,
    )
    assert again.json["error"] == "invalid_grant"


def test_revocation_ends_the_token(flow, tokens):
    flow.api.post(
        f"{API}/oauth/revoke",
        {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers=basic(flow.client),
    )
    flow.api.get(f"{API}/profile", headers=bearer(tokens["access_token"]), status=401)
    refused = flow.api.post(
        f"{API}/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic(flow.client),
        status=400,
    )
    assert refused.json["error"] == "invalid_grant"


def test_another_client_cannot_revoke_the_token(testapp, badges, flow, tokens):
    other = Flow(testapp, badges)
    other.api.post(
        f"{API}/oauth/revoke",
        {"token": tokens["access_token"]},
        headers=basic(other.client),
        status=400,
    )
    flow.api.get(f"{API}/profile", headers=bearer(tokens["access_token"]))


def test_the_profile_is_read_and_its_name_updated(flow, tokens):
    headers = bearer(tokens["access_token"])
    profile = flow.api.get(f"{API}/profile", headers=headers).json
    assert profile["type"] == ["Profile"] and profile["email"] == "ana@example.org"
    assert profile["id"].startswith("urn:uuid:")
    updated = flow.api.put_json(
        f"{API}/profile", {**profile, "name": "Ana Lopez"}, headers=headers
    ).json
    assert updated["name"] == "Ana Lopez" and updated["id"] == profile["id"]
    assert flow.api.get(f"{API}/profile", headers=headers).json["name"] == "Ana Lopez"
    for bad in ({"name": ""}, {"name": "x" * 101}, {"name": 3}):
        flow.api.put_json(f"{API}/profile", bad, headers=headers, status=400)
    flow.api.put(f"{API}/profile", "not json", headers=headers, status=400)


def _kaunas_credential(testapp, registry, factories, email, fmt="json") -> str:
    kaunas = Badges(registry, factories, factories.tenant("kaunas"))
    uid = kaunas.issue(kaunas.badge_class(name="Kaunas badge"), email)
    query = "?format=jwt" if fmt == "jwt" else ""
    return testapp.for_tenant(kaunas.tenant).get(f"/badges/credentials/{uid}{query}").text


def _wallet(factories) -> list[ImportedBadge]:
    factories.session.expire_all()
    return list(factories.session.scalars(select(ImportedBadge)))


@pytest.mark.parametrize("fmt", ["json", "jwt"])
def test_upsert_adds_a_credential_from_another_city(
    testapp, registry, factories, flow, tokens, browser, fmt
):
    credential = _kaunas_credential(testapp, registry, factories, "ana@example.org", fmt)
    headers = bearer(tokens["access_token"])
    kind = "application/json" if fmt == "json" else "text/plain"
    created = flow.api.post(
        f"{API}/credentials", credential, headers=headers, content_type=kind, status=201
    )
    assert (created.json if fmt == "json" else created.text) == (
        json.loads(credential) if fmt == "json" else credential
    )
    again = flow.api.post(
        f"{API}/credentials", credential, headers=headers, content_type=kind, status=200
    )
    assert again.status_int == 200
    assert [b.badge_name for b in _wallet(factories)] == ["Kaunas badge"]
    assert "Kaunas badge" in browser.get("/badges/wallet")
    # Awarded to her address, the badge is in her wallet already: listed once.
    listed = flow.api.get(f"{API}/credentials", headers=headers).json
    assert len(listed["credential"] + listed["compactJwsString"]) == 1


def test_upsert_refuses_someone_elses_credential(testapp, registry, factories, flow, tokens):
    credential = _kaunas_credential(testapp, registry, factories, "bob@example.org")
    refused = flow.api.post(
        f"{API}/credentials",
        credential,
        headers=bearer(tokens["access_token"]),
        content_type="application/json",
        status=400,
    ).json
    assert "awarded to someone else" in refused["imsx_description"]
    assert _wallet(factories) == []


def test_upsert_refuses_a_tampered_credential(testapp, registry, factories, flow, tokens):
    doc = json.loads(_kaunas_credential(testapp, registry, factories, "ana@example.org"))
    doc["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    refused = flow.api.post(
        f"{API}/credentials",
        json.dumps(doc),
        headers=bearer(tokens["access_token"]),
        content_type="application/json",
        status=400,
    ).json
    assert "could not be verified" in refused["imsx_description"]
    assert _wallet(factories) == []


@pytest.mark.parametrize("body", ["", "hello", "https://example.org/badge", "[1, 2]"])
def test_upsert_refuses_what_is_no_ob3_credential(flow, tokens, body, factories):
    flow.api.post(
        f"{API}/credentials",
        body,
        headers=bearer(tokens["access_token"]),
        content_type="application/json",
        status=400,
    )
    assert _wallet(factories) == []


def test_connected_apps_are_listed_and_disconnected(flow, tokens, browser):
    page = browser.get("/badges/wallet/apps")
    assert "Backpack" in page and "See the badges in your wallet" in page
    assert "Connected applications" in browser.get("/badges/wallet")
    form = next(f for f in page.forms.values() if "client_id" in f.fields)
    csrf = form["csrf_token"].value
    form.submit(status=303)
    flow.api.get(f"{API}/profile", headers=bearer(tokens["access_token"]), status=401)
    assert "Backpack" not in browser.get("/badges/wallet/apps")
    # Disconnecting again, or an application never connected, is a clear 404.
    browser.post(
        "/badges/wallet/apps/disconnect",
        {"client_id": flow.client["client_id"], "csrf_token": csrf},
        status=404,
    )


def test_disconnecting_needs_the_csrf_token(flow, tokens, browser):
    browser.post(
        "/badges/wallet/apps/disconnect", {"client_id": flow.client["client_id"]}, status=400
    )
    flow.api.get(f"{API}/profile", headers=bearer(tokens["access_token"]))


def test_another_learner_cannot_disconnect_my_apps(testapp, badges, flow, tokens):
    badges.user("bob@example.org")
    bob = testapp.for_tenant(badges.tenant)
    badges.sign_in(bob, "bob@example.org")
    token = bob.get("/badges/wallet").forms["import-form"]["csrf_token"].value
    bob.post(
        "/badges/wallet/apps/disconnect",
        {"client_id": flow.client["client_id"], "csrf_token": token},
        status=404,
    )
    flow.api.get(f"{API}/profile", headers=bearer(tokens["access_token"]))


def test_a_client_of_one_city_is_unknown_in_another(testapp, registry, factories, flow, ana):
    kaunas = Badges(registry, factories, factories.tenant("kaunas"))
    browser = testapp.for_tenant(kaunas.tenant)
    kaunas.sign_in(browser, "ana@example.org")
    page = flow.consent_page(browser)
    assert page.status_int == 400 and "Location" not in page.headers
    assert "consent-form" not in page


def test_upsert_refuses_an_open_badges_2_assertion(testapp, registry, factories, flow, tokens):
    kaunas = Badges(registry, factories, factories.tenant("kaunas"))
    uid = kaunas.issue(kaunas.badge_class(name="Kaunas badge"), "ana@example.org")
    assertion = testapp.for_tenant(kaunas.tenant).get(f"/badges/assertions/{uid}.json").text
    refused = flow.api.post(
        f"{API}/credentials",
        assertion,
        headers=bearer(tokens["access_token"]),
        content_type="application/json",
        status=400,
    ).json
    assert "Only Open Badges 3.0" in refused["imsx_description"]
    assert _wallet(factories) == []
