"""OB 3.0 credentials, VC-JWT, the Bitstring Status List, baked images, key rotation:
checked with our own verifier (``ob/verify.py``) fetching from the app through webtest."""

from __future__ import annotations

import pytest

from col_core.tenancy.scoping import get_city_row
from plugins.badges.interfaces import IIssuerKeys
from plugins.badges.models import Issuer
from plugins.badges.ob import baking, verify

HOST = "http://vilnius.example.test"


@pytest.fixture
def fetch(city):
    def fetch(url):
        assert url.startswith(HOST), url
        response = city.get(
            url[len(HOST) :], headers={"Accept": "application/ld+json"}, expect_errors=True
        )
        return response.status_int, response.body, response.content_type

    return fetch


def test_credential_verifies_and_carries_esco_alignment(badges, city, fetch):
    uid = badges.issue(
        badges.badge_class(
            skills=[{"uri": "http://data.europa.eu/esco/skill/abc", "label": "repair bicycles"}]
        )
    )
    credential = city.get(f"/badges/credentials/{uid}").json
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    [alignment] = credential["credentialSubject"]["achievement"]["alignment"]
    assert alignment["targetUrl"] == "http://data.europa.eu/esco/skill/abc"
    result = verify.verify(
        city.get(f"/badges/credentials/{uid}").body, fetch, email="ana@example.org"
    )
    assert result.status == "valid" and result.format == "ob3-di", result.reasons


def test_vc_jwt_on_request(badges, city, fetch):
    uid = badges.issue(badges.badge_class())
    token = city.get(f"/badges/credentials/{uid}?format=jwt")
    assert token.content_type == "application/vc+jwt"
    result = verify.verify(token.text, fetch)
    assert result.status == "valid" and result.format == "ob3-jwt", result.reasons


def test_revocation_sets_the_status_list_bit(badges, city, fetch):
    uid = badges.issue(badges.badge_class())
    credential = city.get(f"/badges/credentials/{uid}").body
    badges.revoke(uid, "cheating")
    result = verify.verify(credential, fetch)
    assert result.status == "revoked", result.reasons


@pytest.mark.parametrize("version,ext", [(2, "png"), (2, "svg"), (3, "png"), (3, "svg")])
def test_baked_images_verify(badges, city, fetch, version, ext):
    uid = badges.issue(badges.badge_class())
    image = city.get(f"/badges/assertions/{uid}/baked-ob{version}.{ext}").body
    assert baking.unbake(image).version == version
    result = verify.verify(image, fetch, email="ana@example.org")
    assert result.status == "valid", result.reasons


def test_wrong_recipient_is_invalid(badges, city, fetch):
    uid = badges.issue(badges.badge_class())
    result = verify.verify(f"{HOST}/badges/assertions/{uid}", fetch, email="bob@example.org")
    assert result.status == "invalid"


def test_key_rotation(badges, city, fetch):
    """Ed25519: old and new keys both stay authorised, so credentials made before still verify.
    RSA: the Issuer names only its active key (the 1EdTech OB 2.0 validator accepts no more than
    one), so a JWS made before the rotation stops verifying; the hosted one is re-signed."""
    uid = badges.issue(badges.badge_class())
    old_jws = city.get(f"/badges/assertions/{uid}/signed").text
    old_credential = city.get(f"/badges/credentials/{uid}").body
    with badges.request() as request:
        issuer = get_city_row(request.dbsession, Issuer, badges.assertion(uid).issuer_id)
        keyring = request.find_service(IIssuerKeys)
        keyring.rotate(issuer, "rsa")
        keyring.rotate(issuer, "ed25519")
    new_jws = city.get(f"/badges/assertions/{uid}/signed").text
    assert new_jws != old_jws
    assert verify.verify(old_credential, fetch).status == "valid"
    assert verify.verify(new_jws, fetch).status == "valid"
    assert verify.verify(old_jws, fetch).status == "invalid"
    issuer_id = badges.assertion(uid).issuer_id
    issuer_doc = city.get(f"/badges/issuers/{issuer_id}.json").json
    old_key = city.get(f"/badges/issuers/{issuer_id}/keys/2").json
    assert isinstance(issuer_doc["publicKey"], str) and not issuer_doc["publicKey"].endswith("/2")
    assert old_key["owner"] == issuer_doc["id"] and "revoked" in old_key
