"""did:web issuers (``badges.did_issuers``): the DID document, OB 3.0 credentials naming the DID
in both proof forms, revocation, key rotation and switching the setting, checked with our own
verifier resolving did:web through webtest (the independent verifiers are in
``tests/conformance/test_badges_did_web.py``)."""

from __future__ import annotations

import json
import ssl
import urllib.request

import jwt
import pytest

from col_core.tenancy.scoping import get_city_row
from plugins.badges.interfaces import IIssuerKeys
from plugins.badges.models import Issuer
from plugins.badges.ob import keys, verify

HOST = "vilnius.example.test"


@pytest.fixture
def fetch(city):
    """did:web resolves over HTTPS: serve https://vilnius.example.test/... from the app."""

    def fetch(url):
        assert url.startswith((f"https://{HOST}/", f"http://{HOST}/")), url
        path = url.split(HOST, 1)[1]
        response = city.get(path, headers={"Accept": "application/ld+json"}, expect_errors=True)
        return response.status_int, response.body, response.content_type

    return fetch


@pytest.fixture
def did_on(registry, monkeypatch):
    monkeypatch.setitem(registry.settings, "badges.did_issuers", "true")


def _issuer_id(badges, uid: str) -> int:
    return badges.assertion(uid).issuer_id


def test_did_document_lists_the_ed25519_keys_as_multikeys(badges, city, did_on):
    uid = badges.issue(badges.badge_class())
    issuer = _issuer_id(badges, uid)
    did = f"did:web:{HOST}:badges:issuers:{issuer}"
    response = city.get(f"/badges/issuers/{issuer}/did.json")
    assert response.content_type == "application/did+ld+json"
    doc = response.json
    [method] = doc["verificationMethod"]
    assert doc["id"] == did and method["controller"] == did
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
    assert doc["assertionMethod"] == [method["id"]] and method["id"].startswith(f"{did}#key-")
    assert keys.did_web_url(did) == f"https://{HOST}/badges/issuers/{issuer}/did.json"


def test_unknown_issuer_has_no_did_document(badges, city):
    city.get("/badges/issuers/999/did.json", status=404)


def test_credential_names_the_did_and_verifies(badges, city, fetch, did_on):
    uid = badges.issue(badges.badge_class())
    did = f"did:web:{HOST}:badges:issuers:{_issuer_id(badges, uid)}"
    credential = city.get(f"/badges/credentials/{uid}").json
    assert credential["issuer"]["id"] == did
    assert credential["proof"]["verificationMethod"].startswith(f"{did}#key-")
    status = credential["credentialStatus"]["statusListCredential"]
    assert city.get(status.split(HOST, 1)[1]).json["issuer"] == did
    body = city.get(f"/badges/credentials/{uid}").body
    result = verify.verify(body, fetch, email="ana@example.org")
    assert result.status == "valid" and result.format == "ob3-di", result.reasons


def test_vc_jwt_names_the_did_key(badges, city, fetch, did_on):
    uid = badges.issue(badges.badge_class())
    did = f"did:web:{HOST}:badges:issuers:{_issuer_id(badges, uid)}"
    token = city.get(f"/badges/credentials/{uid}?format=jwt").text
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"].startswith(f"{did}#key-")
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == did
    result = verify.verify(token, fetch, email="ana@example.org")
    assert result.status == "valid" and result.format == "ob3-jwt", result.reasons


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_revoked_did_credential_is_revoked(badges, city, fetch, did_on, form):
    uid = badges.issue(badges.badge_class())
    query = "?format=jwt" if form == "jwt" else ""
    credential = city.get(f"/badges/credentials/{uid}{query}").body
    badges.revoke(uid, "cheating")
    assert verify.verify(credential, fetch).status == "revoked"


def test_rotation_keeps_the_retired_key_in_the_did_document(badges, city, fetch, did_on):
    uid = badges.issue(badges.badge_class())
    old_credential = city.get(f"/badges/credentials/{uid}").body
    old_token = city.get(f"/badges/credentials/{uid}?format=jwt").text
    with badges.request() as request:
        issuer = get_city_row(request.dbsession, Issuer, _issuer_id(badges, uid))
        request.find_service(IIssuerKeys).rotate(issuer, "ed25519")
    doc = city.get(f"/badges/issuers/{_issuer_id(badges, uid)}/did.json").json
    assert len(doc["verificationMethod"]) == 2 and len(doc["assertionMethod"]) == 2
    new_method = city.get(f"/badges/credentials/{uid}").json["proof"]["verificationMethod"]
    assert new_method == doc["assertionMethod"][1]
    for old in (old_credential, old_token):
        result = verify.verify(old, fetch)
        assert result.status == "valid", result.reasons


def test_credentials_keep_verifying_when_the_setting_changes(
    badges, city, fetch, registry, monkeypatch
):
    uid = badges.issue(badges.badge_class())
    monkeypatch.setitem(registry.settings, "badges.did_issuers", "false")
    url_form = city.get(f"/badges/credentials/{uid}").body
    url_jwt = city.get(f"/badges/credentials/{uid}?format=jwt").text
    assert city.get(f"/badges/credentials/{uid}").json["issuer"]["id"].startswith("http://")
    monkeypatch.setitem(registry.settings, "badges.did_issuers", "true")
    did_form = city.get(f"/badges/credentials/{uid}").body
    assert city.get(f"/badges/credentials/{uid}").json["issuer"]["id"].startswith("did:web:")
    for credential in (url_form, url_jwt, did_form):
        assert verify.verify(credential, fetch).status == "valid"
    monkeypatch.setitem(registry.settings, "badges.did_issuers", "false")
    assert verify.verify(did_form, fetch).status == "valid"
    badges.revoke(uid, "cheating")
    for credential in (url_form, url_jwt, did_form):
        assert verify.verify(credential, fetch).status == "revoked"


def test_auto_uses_did_only_on_https(make_testapp, badges):
    uid = badges.issue(badges.badge_class())
    secure = make_testapp(**{"col.public_url": "https://example.test"}).for_tenant(badges.tenant)
    assert (
        secure.get(f"/badges/credentials/{uid}")
        .json["issuer"]["id"]
        .startswith("did:web:vilnius.example.test:badges:issuers:")
    )
    plain = make_testapp(**{"col.public_url": "http://example.test"}).for_tenant(badges.tenant)
    assert plain.get(f"/badges/credentials/{uid}").json["issuer"]["id"].startswith("http://")


def test_a_misspelt_setting_stops_the_app(make_testapp):
    from pyramid.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="use true, false or auto"):
        make_testapp(**{"badges.did_issuers": "sometimes"})


@pytest.mark.parametrize(
    "change",
    [
        {"assertionMethod": []},  # the DID does not authorise the key for assertions
        {"id": "did:web:evil.example"},  # a document that is not the DID's
        {"verificationMethod": []},  # the key is not published
    ],
)
def test_a_did_document_that_does_not_vouch_for_the_key_is_refused(badges, city, did_on, change):
    uid = badges.issue(badges.badge_class())
    credential = city.get(f"/badges/credentials/{uid}").body
    token = city.get(f"/badges/credentials/{uid}?format=jwt").text

    def fetch(url):
        path = url.split(HOST, 1)[1]
        response = city.get(path, headers={"Accept": "application/ld+json"})
        if not path.endswith("/did.json"):
            return 200, response.body, response.content_type
        return 200, json.dumps({**response.json, **change}).encode(), "application/json"

    for signed in (credential, token):
        result = verify.verify(signed, fetch)
        assert result.status == "invalid", result.reasons


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_verification_page_resolves_did_web_over_https(badges, live_https_city, monkeypatch, form):
    """The page's own fetcher (bounded, real HTTPS) resolves the DID of a served credential."""
    monkeypatch.setenv("SSL_CERT_FILE", str(live_https_city.front.cafile))
    uid = badges.issue(badges.badge_class(name="Bike repair"))
    query = "?format=jwt" if form == "jwt" else ""
    url = f"{live_https_city.origin}/badges/credentials/{uid}{query}"
    context = ssl.create_default_context(cafile=str(live_https_city.front.cafile))
    with urllib.request.urlopen(url, timeout=30, context=context) as response:
        signed = response.read().decode()
    issuer = (
        json.loads(signed)["issuer"]["id"]
        if form == "json"
        else jwt.decode(signed, options={"verify_signature": False})["iss"]
    )
    assert issuer.startswith("did:web:127.0.0.1%3A")
    page = live_https_city.app.get(f"{live_https_city.prefix}/badges/verify")
    verify_form = page.forms["verify-form"]
    verify_form["badge"] = signed
    result = verify_form.submit()
    assert '<h2 id="result-title">Valid</h2>' in result and "Bike Kitchen" in result


@pytest.mark.parametrize(
    "did,url",
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com%3A8443:a:b", "https://example.com:8443/a/b/did.json"),
        ("did:web:example.com:u#key-1", "https://example.com/u/did.json"),
    ],
)
def test_did_web_url(did, url):
    assert keys.did_web_url(did) == url


@pytest.mark.parametrize("did", ["did:key:z6Mk", "did:web:", "did:web:a%2Fb", "did:web:h::x"])
def test_did_web_url_refuses_bad_dids(did):
    with pytest.raises(ValueError):
        keys.did_web_url(did)
