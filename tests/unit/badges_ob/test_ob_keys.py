import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from plugins.badges.ob import keys


def test_ed25519_multibase_round_trip_and_did_key(ed_key):
    mb = keys.ed25519_to_multibase(ed_key)
    assert mb.startswith("z6Mk")
    public = keys.ed25519_from_multibase(mb)
    assert public.public_bytes_raw() == ed_key.public_key().public_bytes_raw()
    assert keys.did_key(ed_key) == "did:key:" + mb
    vm = keys.did_key_verification_method(ed_key)
    assert vm == f"did:key:{mb}#{mb}"
    assert keys.resolve_did_key(vm).public_bytes_raw() == public.public_bytes_raw()


def test_known_did_key_vector():
    # Test vector from the did:key method specification (Ed25519, multicodec 0xed01).
    did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    public = keys.resolve_did_key(did)
    assert keys.did_key(public) == did


def test_resolve_did_key_rejects_foreign_fragment(ed_key):
    other = keys.ed25519_to_multibase(keys.generate_ed25519())
    with pytest.raises(ValueError):
        keys.resolve_did_key(keys.did_key(ed_key) + "#" + other)


def test_multikey_and_controller_documents(ed_key):
    doc = keys.multikey_document("https://c.example/k/1", "https://c.example/i/1", ed_key)
    assert doc == {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": "https://c.example/k/1",
        "type": "Multikey",
        "controller": "https://c.example/i/1",
        "publicKeyMultibase": keys.ed25519_to_multibase(ed_key),
    }
    ctrl = keys.controller_document(
        "https://c.example/i/1", ["https://c.example/k/1"], {"name": "City", "id": "ignored"}
    )
    assert ctrl["assertionMethod"] == ["https://c.example/k/1"]
    assert ctrl["id"] == "https://c.example/i/1" and ctrl["name"] == "City"


@pytest.mark.parametrize("secret", [None, "correct horse"])
def test_private_key_pem_round_trip(rsa_key, ed_key, secret):
    for key in (rsa_key, ed_key):
        pem = keys.private_key_to_pem(key, secret)
        assert ("ENCRYPTED" in pem) == bool(secret)
        loaded = keys.private_key_from_pem(pem, secret)
        assert type(loaded) is type(key)
        assert keys.public_key_to_pem(loaded) == keys.public_key_to_pem(key)


def test_encrypted_pem_needs_the_right_secret(ed_key):
    pem = keys.private_key_to_pem(ed_key, b"s3cret")
    with pytest.raises(ValueError):
        keys.private_key_from_pem(pem, b"wrong")
    with pytest.raises(TypeError):
        keys.private_key_from_pem(pem)


def test_public_pem_and_jwk_round_trip(rsa_key, ed_key):
    assert isinstance(keys.public_key_from_pem(keys.public_key_to_pem(rsa_key)), rsa.RSAPublicKey)
    jwk = keys.public_jwk(rsa_key, kid="https://c.example/k/rsa")
    assert jwk["kty"] == "RSA" and jwk["kid"] == "https://c.example/k/rsa"
    assert "d" not in jwk and "p" not in jwk
    assert keys.public_key_from_jwk(jwk).public_numbers() == rsa_key.public_key().public_numbers()
    ed_jwk = keys.public_jwk(ed_key)
    assert ed_jwk["crv"] == "Ed25519" and "d" not in ed_jwk
    assert isinstance(keys.public_key_from_jwk(ed_jwk), ed25519.Ed25519PublicKey)


def test_jwk_with_private_part_is_refused(rsa_key):
    from jwt.algorithms import RSAAlgorithm

    private_jwk = RSAAlgorithm.to_jwk(rsa_key, as_dict=True)
    with pytest.raises(ValueError):
        keys.public_key_from_jwk(private_jwk)


def test_short_rsa_refused():
    with pytest.raises(ValueError):
        keys.generate_rsa(1024)
