import copy
from datetime import UTC, datetime

import jwt
import pytest

from plugins.badges.ob import integrity, keys, loader, ob3

from .conftest import make_ob3


def _did_resolver(method):
    return integrity.ResolvedMethod(keys.resolve_did_key(method), method.split("#")[0])


def test_credential_shape(web, ed_key):
    vc = make_ob3(web, ed_key)
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["type"] == ["Profile"] and vc["validFrom"] == "2024-03-01T10:00:00Z"
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and "id" not in subject
    ident = subject["identifier"][0]
    assert ident["type"] == "IdentityObject" and ident["identityType"] == "emailAddress"
    assert ident["identityHash"].startswith("sha256$") and ident["hashed"] is True
    align = subject["achievement"]["alignment"][0]
    assert align == {
        "type": ["Alignment"],
        "targetName": "repair bicycles",
        "targetUrl": "http://data.europa.eu/esco/skill/abc",
        "targetFramework": "ESCO",
        "targetCode": "abc",
        "targetType": "ceasn:Competency",
    }
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert vc["credentialStatus"]["statusListIndex"] == "5"
    proof = vc["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["proofValue"].startswith("z")
    assert proof["verificationMethod"] == keys.did_key_verification_method(ed_key)


def test_proof_verifies(web, ed_key):
    vc = make_ob3(web, ed_key)
    assert ob3.verify_proof(vc, _did_resolver)["proofValue"] == vc["proof"]["proofValue"]


@pytest.mark.parametrize(
    "path,value",
    [
        (("name",), "Brain surgery"),
        (("validFrom",), "2024-03-01T10:00:01Z"),
        (("issuer", "name"), "Evil Corp"),
        (("credentialSubject", "identifier", 0, "identityHash"), "sha256$00"),
        (("credentialSubject", "achievement", "criteria", "narrative"), "Nothing"),
        (("credentialSubject", "achievement", "alignment", 0, "targetUrl"), "http://x.example/"),
        (("credentialStatus", "statusListIndex"), "6"),
        (("proof", "created"), "2030-01-01T00:00:00Z"),
        (("credentialSubject", "unknownTerm"), "added"),
    ],
)
def test_changing_any_field_breaks_the_proof(web, ed_key, path, value):
    vc = make_ob3(web, ed_key)
    target = vc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(integrity.ProofError):
        ob3.verify_proof(vc, _did_resolver)


def test_proof_from_another_key_or_issuer_fails(web, ed_key):
    vc = make_ob3(web, ed_key)
    other = keys.generate_ed25519()
    stolen = copy.deepcopy(vc)
    stolen["issuer"]["id"] = keys.did_key(other)  # claims another issuer than the key's
    with pytest.raises(integrity.ProofError, match="controlled by"):
        ob3.verify_proof(stolen, _did_resolver)
    swapped = copy.deepcopy(vc)
    unsigned = {k: v for k, v in vc.items() if k != "proof"}
    swapped["proof"]["proofValue"] = ob3.sign(unsigned, other, vc["proof"]["verificationMethod"])[
        "proof"
    ]["proofValue"]
    with pytest.raises(integrity.ProofError, match="signature"):
        ob3.verify_proof(swapped, _did_resolver)


def test_unauthorised_assertion_method_fails(web, ed_key):
    vc = make_ob3(web, ed_key)

    def resolve(method):
        return integrity.ResolvedMethod(
            keys.resolve_did_key(method), method.split("#")[0], assertion_method=False
        )

    with pytest.raises(integrity.ProofError, match="assertionMethod"):
        ob3.verify_proof(vc, resolve)


def test_loader_serves_bundled_and_refuses_unknown_contexts(ed_key):
    doc = loader.document_loader("https://www.w3.org/ns/credentials/v2")
    assert "@context" in doc["document"]
    doc["document"]["@context"]["tampered"] = True
    assert "tampered" not in loader.load_context("https://www.w3.org/ns/credentials/v2")["@context"]
    with pytest.raises(loader.UnknownContextError):
        loader.load_context("https://example.org/context.json")
    unknown = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://attacker.example/ctx.json"],
        "type": ["VerifiableCredential"],
        "issuer": keys.did_key(ed_key),
        "credentialSubject": {"id": "did:example:1"},
    }
    with pytest.raises(integrity.ProofError, match="not bundled"):
        integrity.sign(unknown, ed_key, keys.did_key_verification_method(ed_key))


def test_every_bundled_context_parses():
    for url in loader.CONTEXTS:
        assert "@context" in loader.load_context(url)


def test_canonical_form_matches_known_nquads():
    doc = {
        "@context": {"name": "https://schema.org/name"},
        "@id": "https://c.example/1",
        "name": "Ana",
    }
    assert (
        integrity.canonicalize(doc) == '<https://c.example/1> <https://schema.org/name> "Ana" .\n'
    )


def test_vc_jwt_round_trip(web, ed_key, rsa_key):
    vc = {
        k: v
        for k, v in make_ob3(web, ed_key, valid_until="2030-01-01T00:00:00Z").items()
        if k != "proof"
    }
    token = ob3.to_vc_jwt(vc, rsa_key, kid="https://city.example/keys/rsa1")
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "kid": "https://city.example/keys/rsa1", "typ": "JWT"}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == vc["issuer"]["id"] and claims["jti"] == vc["id"]
    assert claims["nbf"] == int(datetime(2024, 3, 1, 10, tzinfo=UTC).timestamp())
    assert claims["exp"] == int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
    assert "sub" not in claims  # the subject has no id, only a hashed identifier
    assert ob3.from_vc_jwt(token, rsa_key.public_key()) == vc
    embedded = ob3.to_vc_jwt(vc, rsa_key)
    assert "d" not in jwt.get_unverified_header(embedded)["jwk"]
    assert ob3.from_vc_jwt(embedded) == vc


def test_vc_jwt_rejects_wrong_key_and_mismatched_claims(web, ed_key, rsa_key):
    vc = {k: v for k, v in make_ob3(web, ed_key).items() if k != "proof"}
    token = ob3.to_vc_jwt(vc, rsa_key, kid="k")
    with pytest.raises(ob3.VCJWTError):
        ob3.from_vc_jwt(token, keys.generate_rsa().public_key())
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["iss"] = "https://evil.example"
    forged = jwt.encode(claims, rsa_key, algorithm="RS256")
    with pytest.raises(ob3.VCJWTError, match="iss"):
        ob3.from_vc_jwt(forged, rsa_key.public_key())
    early = ob3.to_vc_jwt(dict(vc, validFrom="2999-01-01T00:00:00Z"), rsa_key, kid="k")
    with pytest.raises(ob3.VCJWTError, match="not valid yet"):
        ob3.from_vc_jwt(early, rsa_key.public_key())


def test_vc_jwt_accepts_vcdm11_vc_claim(web, ed_key, rsa_key):
    vc = {k: v for k, v in make_ob3(web, ed_key).items() if k != "proof"}
    claims = {
        "vc": vc,
        "iss": vc["issuer"]["id"],
        "jti": vc["id"],
        "nbf": int(datetime(2024, 3, 1, 10, tzinfo=UTC).timestamp()),
    }
    token = jwt.encode(claims, rsa_key, algorithm="RS256")
    assert ob3.from_vc_jwt(token, rsa_key.public_key()) == vc


def test_builders_require_criteria_and_recipient():
    with pytest.raises(ValueError):
        ob3.achievement("u", "n", "d")
    with pytest.raises(ValueError):
        ob3.credential(
            "u",
            ob3.profile("did:x", "n"),
            ob3.achievement("u", "n", "d", criteria_narrative="c"),
            valid_from="2024-01-01T00:00:00Z",
        )
