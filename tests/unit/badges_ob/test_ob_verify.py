import copy
import json
from datetime import UTC, datetime

import pytest

from plugins.badges.ob import baking, keys, ob2, ob3
from plugins.badges.ob.verify import verify

from .conftest import BASE, make_ob3

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _hosted(web, ob2_issuer, *, expires=None, email="ana@example.org"):
    url = f"{BASE}/badges/assertions/1"
    doc = ob2.assertion(
        url,
        ob2_issuer["badge"],
        ob2.recipient(email),
        "2024-03-01T10:00:00Z",
        ob2.hosted_verification(),
        expires=expires,
    )
    web.put(url, doc)
    return url, doc


def _signed(web, ob2_issuer, rsa_key, aid="urn:uuid:aa7e0f2c-0000-4000-8000-000000000001"):
    doc = ob2.assertion(
        aid,
        ob2_issuer["badge"],
        ob2.recipient("ana@example.org"),
        "2024-03-01T10:00:00Z",
        ob2.signed_verification(ob2_issuer["key"]),
    )
    return ob2.sign_assertion(doc, rsa_key)


def test_ob2_hosted_url_json_and_baked(web, ob2_issuer, png_bytes, svg_bytes):
    url, doc = _hosted(web, ob2_issuer)
    for data in (
        url,
        json.dumps(doc),
        baking.bake_png(png_bytes, url),
        baking.bake_svg(svg_bytes, url),
    ):
        result = verify(data, web, email="ANA@example.org", now=NOW)
        assert result.valid, result.reasons
        assert (result.status, result.format) == ("valid", "ob2-hosted")
        assert result.issuer_name == "City of Learning" and result.badge_name == "Bike repair"
        assert result.issued_on == "2024-03-01T10:00:00Z" and result.recipient_matches
    assert verify(baking.bake_png(png_bytes, url), web, now=NOW).baked_in == "png"


def test_ob2_hosted_revoked_expired_wrong_recipient(web, ob2_issuer):
    url, doc = _hosted(web, ob2_issuer, expires="2024-12-31T00:00:00Z")
    assert verify(url, web, now=NOW).status == "expired"
    result = verify(url, web, email="bob@example.org", now=NOW)
    assert result.status == "invalid" and result.recipient_matches is False
    web.put(url, {**doc, "revoked": True, "revocationReason": "issued in error"})
    result = verify(url, web, now=NOW)
    assert result.status == "revoked" and "issued in error" in result.reasons
    web.put(url, {"revoked": True}, status=410)
    assert verify(url, web, now=NOW).status == "revoked"


def test_ob2_hosted_tampered_copy_uses_hosted_authority(web, ob2_issuer):
    url, doc = _hosted(web, ob2_issuer)
    forged = copy.deepcopy(doc)
    forged["recipient"] = ob2.recipient("mallory@example.org")
    result = verify(json.dumps(forged), web, email="mallory@example.org", now=NOW)
    assert result.status == "invalid"  # the hosted copy is for ana, not mallory


def test_ob2_hosted_on_foreign_origin_is_invalid(web, ob2_issuer):
    url = "https://evil.example/a/1"
    web.put(
        url,
        ob2.assertion(
            url,
            ob2_issuer["badge"],
            ob2.recipient("a@b.org"),
            "2024-03-01T10:00:00Z",
            ob2.hosted_verification(),
        ),
    )
    result = verify(url, web, now=NOW)
    assert result.status == "invalid" and "origin" in result.reasons[0]


def test_ob2_signed_jws_and_baked(web, ob2_issuer, rsa_key, png_bytes, svg_bytes):
    token = _signed(web, ob2_issuer, rsa_key)
    for data in (token, baking.bake_png(png_bytes, token), baking.bake_svg(svg_bytes, token)):
        result = verify(data, web, email="ana@example.org", now=NOW)
        assert result.valid and result.format == "ob2-signed", result.reasons
        assert result.badge_name == "Bike repair"


def test_ob2_signed_revoked_forged_and_foreign_key(web, ob2_issuer, rsa_key):
    token = _signed(web, ob2_issuer, rsa_key)
    aid = ob2.jws_payload_unverified(token)[1]["id"]
    web.put(
        ob2_issuer["revocations"],
        ob2.revocation_list(ob2_issuer["revocations"], ob2_issuer["issuer"], [(aid, "cheating")]),
    )
    result = verify(token, web, now=NOW)
    assert result.status == "revoked" and "cheating" in result.reasons
    web.put(
        ob2_issuer["revocations"],
        ob2.revocation_list(ob2_issuer["revocations"], ob2_issuer["issuer"], []),
    )
    other = keys.generate_rsa()
    forged = _signed(web, ob2_issuer, other)  # names the issuer's key, signed with another
    result = verify(forged, web, now=NOW)
    assert result.status == "invalid" and "signature" in result.reasons[0]
    # A key document owned by someone else cannot sign for this issuer.
    web.put(
        ob2_issuer["key"],
        ob2.cryptographic_key(ob2_issuer["key"], "https://evil.example/i", rsa_key),
    )
    assert verify(token, web, now=NOW).status == "invalid"


@pytest.mark.parametrize("http_key", [False, True])
def test_ob3_data_integrity(web, ed_key, png_bytes, svg_bytes, http_key):
    vc = make_ob3(web, ed_key, http_key=http_key)
    for data in (
        json.dumps(vc),
        baking.bake_png(png_bytes, vc, 3),
        baking.bake_svg(svg_bytes, vc, 3),
    ):
        result = verify(data, web, email="ana@example.org", now=NOW)
        assert result.valid and result.format == "ob3-di", result.reasons
        assert result.issuer_name == "City of Learning" and result.badge_name == "Bike repair"
        assert result.issued_on == "2024-03-01T10:00:00Z"
    vc_url = f"{BASE}/badges/credentials/1"
    web.put(vc_url, vc)
    assert verify(vc_url, web, now=NOW).valid


def test_recipient_is_any_of_several_addresses_and_never_a_stranger(web, ob2_issuer, ed_key):
    url, _doc = _hosted(web, ob2_issuer)
    assert verify(url, web, email=["old@example.org", "ana@example.org"], now=NOW).valid
    result = verify(url, web, email=["bob@example.org", "zed@example.org"], now=NOW)
    assert result.status == "invalid" and result.recipient_matches is False
    vc = json.dumps(make_ob3(web, ed_key))
    assert verify(vc, web, email=["x@example.org", "ANA@example.org"], now=NOW).valid
    assert verify(vc, web, email=["bob@example.org"], now=NOW).recipient_matches is False


def test_ob3_subject_named_by_mailto_or_only_by_a_did(web, ed_key):
    mailto = json.dumps(make_ob3(web, ed_key, email=None, subject_id="mailto:Ana@example.org"))
    assert verify(mailto, web, email="ana@example.org", now=NOW).valid
    assert verify(mailto, web, email="bob@example.org", now=NOW).recipient_matches is False
    did = json.dumps(make_ob3(web, ed_key, email=None, subject_id="did:example:ana"))
    result = verify(did, web, email="ana@example.org", now=NOW)
    assert result.status == "invalid" and "not awarded to this email" in result.reasons[0]


def test_ob3_revoked_expired_tampered(web, ed_key):
    assert verify(json.dumps(make_ob3(web, ed_key, revoked=True)), web, now=NOW).status == "revoked"
    expired = make_ob3(web, ed_key, valid_until="2024-12-01T00:00:00Z")
    assert verify(json.dumps(expired), web, now=NOW).status == "expired"
    vc = make_ob3(web, ed_key)
    vc["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    result = verify(json.dumps(vc), web, now=NOW)
    assert result.status == "invalid" and "proof" in result.reasons[0]


def test_ob3_http_key_not_listed_by_controller_is_invalid(web, ed_key):
    vc = make_ob3(web, ed_key, http_key=True)
    web.put(f"{BASE}/badges/issuers/1", keys.controller_document(f"{BASE}/badges/issuers/1", []))
    result = verify(json.dumps(vc), web, now=NOW)
    assert result.status == "invalid" and "assertionMethod" in result.reasons[0]


def test_ob3_status_list_unreachable_fails_closed(web, ed_key):
    vc = make_ob3(web, ed_key)
    del web.docs[f"{BASE}/badges/status/1"]
    result = verify(json.dumps(vc), web, now=NOW)
    assert result.status == "invalid" and "status list" in result.reasons[0]


def test_ob3_vc_jwt(web, ed_key, rsa_key, svg_bytes):
    vc = {k: v for k, v in make_ob3(web, ed_key, http_key=True).items() if k != "proof"}
    kid = f"{BASE}/badges/issuers/1/keys/rsa1"
    jwk = keys.public_jwk(rsa_key, kid=kid)
    web.put(kid, {**jwk, "controller": vc["issuer"]["id"]})
    token = ob3.to_vc_jwt(vc, rsa_key, kid=kid)
    for data in (token, baking.bake_svg(svg_bytes, token, 3)):
        result = verify(data, web, email="ana@example.org", now=NOW)
        assert result.valid and result.format == "ob3-jwt", result.reasons
    # An embedded jwk proves integrity only, not who the issuer is.
    assert verify(ob3.to_vc_jwt(vc, rsa_key), web, now=NOW).status == "invalid"
    web.put(kid, {**jwk, "controller": "https://evil.example/i"})
    assert verify(token, web, now=NOW).status == "invalid"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"[1,2]",
        b'{"a": 1}',
        b"\x89PNGjunk",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        "a.b.c",
    ],
)
def test_garbage_is_invalid_not_an_exception(web, data):
    result = verify(data, web, now=NOW)
    assert result.valid is False and result.status == "invalid" and result.reasons
