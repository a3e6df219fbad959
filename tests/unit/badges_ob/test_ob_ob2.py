import hashlib
import json

import pytest

from plugins.badges.ob import keys, ob2


def test_identity_hash_normalises_email():
    salt = "deadbeef"
    expected = "sha256$" + hashlib.sha256(b"ana@example.org" + salt.encode()).hexdigest()
    assert ob2.hash_identity("  Ana@Example.ORG\n", salt) == expected


def test_recipient_uses_fresh_salt_and_matches_normalised_email():
    a, b = ob2.recipient("ana@example.org"), ob2.recipient("ana@example.org")
    assert a["salt"] != b["salt"] and a["identity"] != b["identity"]
    assert a["type"] == "email" and a["hashed"] is True
    assert ob2.recipient_matches(a, " ANA@example.org ")
    assert not ob2.recipient_matches(a, "ana@example.com")
    assert not ob2.recipient_matches({**a, "salt": "other"}, "ana@example.org")


def test_recipient_matches_unhashed_and_md5():
    assert ob2.recipient_matches(
        {"type": "email", "hashed": False, "identity": "A@b.org"}, "a@B.org"
    )
    md5 = {"hashed": True, "salt": "x", "identity": "md5$" + hashlib.md5(b"a@b.orgx").hexdigest()}
    assert ob2.recipient_matches(md5, "a@b.org")
    assert not ob2.recipient_matches({"hashed": True, "identity": "sha1$00"}, "a@b.org")


def test_identities_of_another_kind_never_match_an_email():
    for kind in ("url", "telephone", "sourcedId"):
        assert not ob2.recipient_matches(
            {"type": kind, "hashed": False, "identity": "a@b.org"}, "a@b.org"
        )
    hashed = ob2.recipient("a@b.org")
    assert not ob2.recipient_matches({**hashed, "type": "url"}, "a@b.org")
    ob3_identity = {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": False,
        "identityHash": "a@b.org",
    }
    assert ob2.recipient_matches(ob3_identity, "A@B.org")
    assert not ob2.recipient_matches({**ob3_identity, "identityType": "did"}, "a@b.org")


def test_badge_class_with_alignment_and_criteria():
    bc = ob2.badge_class(
        "https://c.example/b/1",
        "https://c.example/i/1",
        "Bike repair",
        "Repairs bikes",
        "https://c.example/b/1.png",
        criteria_url="https://c.example/b/1/criteria",
        criteria_narrative="Repair three bikes",
        alignments=[
            ob2.alignment(
                "repair bicycles",
                "http://data.europa.eu/esco/skill/x",
                target_framework="ESCO",
                target_code="x",
            )
        ],
        tags=["repair"],
    )
    assert bc["@context"] == "https://w3id.org/openbadges/v2" and bc["type"] == "BadgeClass"
    assert bc["criteria"] == {
        "id": "https://c.example/b/1/criteria",
        "narrative": "Repair three bikes",
    }
    assert bc["alignment"] == [
        {
            "targetName": "repair bicycles",
            "targetUrl": "http://data.europa.eu/esco/skill/x",
            "targetFramework": "ESCO",
            "targetCode": "x",
        }
    ]
    with pytest.raises(ValueError):
        ob2.badge_class("u", "i", "n", "d", "img")


def test_assertion_dates_evidence_and_optional_members():
    a = ob2.assertion(
        "https://c.example/a/1",
        "https://c.example/b/1",
        ob2.recipient("ana@example.org", salt="s"),
        "2024-03-01T11:00:00+01:00",
        ob2.hosted_verification(),
        evidence=[ob2.evidence(narrative="Fixed 3 bikes", name="Repair log")],
        expires="2026-03-01T10:00:00Z",
    )
    assert a["issuedOn"] == "2024-03-01T10:00:00Z"
    assert a["expires"] == "2026-03-01T10:00:00Z"
    assert a["verification"] == {"type": "hosted"}
    assert a["evidence"][0] == {
        "type": "Evidence",
        "narrative": "Fixed 3 bikes",
        "name": "Repair log",
    }
    assert "image" not in a and "narrative" not in a


def test_revocation_list_and_key_documents(rsa_key):
    rl = ob2.revocation_list(
        "https://c.example/r",
        "https://c.example/i/1",
        [("https://c.example/a/1", "mistake"), ("urn:uuid:2", None)],
    )
    assert rl["type"] == "RevocationList"
    assert rl["revokedAssertions"] == [
        {"id": "https://c.example/a/1", "revocationReason": "mistake"},
        {"id": "urn:uuid:2"},
    ]
    key = ob2.cryptographic_key("https://c.example/k/1", "https://c.example/i/1", rsa_key)
    assert key["type"] == "CryptographicKey" and key["owner"] == "https://c.example/i/1"
    assert (
        keys.public_key_from_pem(key["publicKeyPem"]).public_numbers()
        == rsa_key.public_key().public_numbers()
    )


def _signed(rsa_key):
    a = ob2.assertion(
        "urn:uuid:1",
        "https://c.example/b/1",
        ob2.recipient("a@b.org"),
        "2024-01-01T00:00:00Z",
        ob2.signed_verification("https://c.example/k/1"),
    )
    return a, ob2.sign_assertion(a, rsa_key)


def test_jws_sign_and_verify(rsa_key):
    a, token = _signed(rsa_key)
    header, payload = ob2.jws_payload_unverified(token)
    assert header == {"alg": "RS256"}
    assert payload == a
    assert ob2.verify_jws(token, rsa_key.public_key()) == a


def test_jws_tampered_payload_fails(rsa_key):
    import base64

    a, token = _signed(rsa_key)
    head, _payload, sig = token.split(".")
    forged = dict(a, badge="https://evil.example/b/1")
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(ob2.JWSError):
        ob2.verify_jws(f"{head}.{body}.{sig}", rsa_key.public_key())


def test_jws_wrong_key_and_other_alg_fail(rsa_key):
    _a, token = _signed(rsa_key)
    with pytest.raises(ob2.JWSError):
        ob2.verify_jws(token, keys.generate_rsa().public_key())
    import jwt

    hs = jwt.api_jws.encode(b"{}", "secret-secret-secret-secret-1234", algorithm="HS256")
    with pytest.raises(ob2.JWSError):
        ob2.verify_jws(hs, rsa_key.public_key())


def test_signing_needs_rsa(ed_key):
    with pytest.raises(TypeError):
        ob2.sign_assertion({}, ed_key)
