"""Issuer keys: generate, serialise for storage, and publish as the documents verifiers fetch.

Two kinds of key are used by the badges plugin:

* **Ed25519** signs Open Badges 3.0 credentials and status lists with the Data Integrity
  ``eddsa-rdfc-2022`` cryptosuite. Its public half is published as a Multikey
  (``publicKeyMultibase`` ``z6Mk...``) and can also be named as a ``did:key``.
* **RSA 2048** signs Open Badges 2.0 assertions (RS256 JWS) and OB 3.0 VC-JWTs. Its public half
  is published as an OB 2.0 ``CryptographicKey`` (``publicKeyPem``) or as a JWK.

Private keys are stored as PKCS#8 PEM, encrypted when the caller passes a key-encryption
secret (the platform keeps that secret outside the database).
"""

from __future__ import annotations

import json
from urllib.parse import unquote

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

__all__ = [
    "PrivateKey",
    "PublicKey",
    "generate_ed25519",
    "generate_rsa",
    "private_key_to_pem",
    "private_key_from_pem",
    "public_key_to_pem",
    "public_key_from_pem",
    "ed25519_to_multibase",
    "ed25519_from_multibase",
    "did_key",
    "did_key_verification_method",
    "resolve_did_key",
    "did_key_document",
    "multikey_document",
    "controller_document",
    "did_web_document",
    "did_web_url",
    "public_jwk",
    "public_key_from_jwk",
]

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey
PRIVATE_KEY_TYPES = (ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey)

# Multicodec prefix of an Ed25519 public key (varint of 0xed), as the Multikey spec requires;
# with base58btc it yields the familiar "z6Mk" start.
_ED25519_PUB_PREFIX = b"\xed\x01"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"


def generate_ed25519() -> ed25519.Ed25519PrivateKey:
    """A new Ed25519 private key (for OB 3.0 Data Integrity proofs)."""
    return ed25519.Ed25519PrivateKey.generate()


def generate_rsa(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A new RSA private key, 2048 bits unless asked otherwise (for RS256)."""
    if bits < 2048:
        raise ValueError("RSA keys shorter than 2048 bits are not accepted")
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _secret_bytes(secret: str | bytes | None) -> bytes | None:
    if secret is None or secret == b"" or secret == "":
        return None
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def private_key_to_pem(key: PrivateKey, secret: str | bytes | None = None) -> str:
    """PKCS#8 PEM of ``key``; encrypted with ``secret`` (best available scheme) when given."""
    password = _secret_bytes(secret)
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode("ascii")


def private_key_from_pem(pem: str | bytes, secret: str | bytes | None = None) -> PrivateKey:
    """Load a private key written by :func:`private_key_to_pem`.

    Raises ``ValueError`` for a wrong secret or a key that is neither Ed25519 nor RSA, and
    ``TypeError`` when an encrypted key is loaded without a secret.
    """
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_private_key(data, password=_secret_bytes(secret))
    if not isinstance(key, (ed25519.Ed25519PrivateKey, rsa.RSAPrivateKey)):
        kind = type(key).__name__
        raise ValueError(f"unsupported private key type: {kind}")
    return key


def public_key_to_pem(key: PrivateKey | PublicKey) -> str:
    """SubjectPublicKeyInfo PEM of the public half of ``key``."""
    public = key.public_key() if isinstance(key, PRIVATE_KEY_TYPES) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def public_key_from_pem(pem: str | bytes) -> PublicKey:
    """Load an Ed25519 or RSA public key from SubjectPublicKeyInfo PEM."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, (ed25519.Ed25519PublicKey, rsa.RSAPublicKey)):
        kind = type(key).__name__
        raise ValueError(f"unsupported public key type: {kind}")
    return key


def _ed25519_public(key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    raise TypeError("an Ed25519 key is required")


def ed25519_to_multibase(key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) -> str:
    """``publicKeyMultibase`` of an Ed25519 key: ``z`` + base58btc(0xed01 + 32 key bytes)."""
    raw = _ed25519_public(key).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return "z" + base58.b58encode(_ED25519_PUB_PREFIX + raw).decode("ascii")


def ed25519_from_multibase(value: str) -> ed25519.Ed25519PublicKey:
    """Inverse of :func:`ed25519_to_multibase`; ``ValueError`` for anything else."""
    if not value.startswith("z"):
        raise ValueError("only base58btc ('z') multibase keys are supported")
    data = base58.b58decode(value[1:])
    if len(data) != 34 or not data.startswith(_ED25519_PUB_PREFIX):
        raise ValueError("not an Ed25519 Multikey public key")
    return ed25519.Ed25519PublicKey.from_public_bytes(data[2:])


def did_key(key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) -> str:
    """The ``did:key`` DID of an Ed25519 key (``did:key:z6Mk...``)."""
    return "did:key:" + ed25519_to_multibase(key)


def did_key_verification_method(key) -> str:
    """The verification method URL of a did:key: ``did:key:z6Mk...#z6Mk...``."""
    mb = ed25519_to_multibase(key)
    return f"did:key:{mb}#{mb}"


def resolve_did_key(did_url: str) -> ed25519.Ed25519PublicKey:
    """Public key named by a ``did:key`` DID or DID URL (fragment, if any, must match)."""
    if not did_url.startswith("did:key:"):
        raise ValueError(f"not a did:key: {did_url}")
    ident, _, fragment = did_url[len("did:key:") :].partition("#")
    if fragment and fragment != ident:
        raise ValueError(f"did:key fragment does not name its own key: {did_url}")
    return ed25519_from_multibase(ident)


def did_key_document(key) -> dict:
    """The DID document a did:key resolves to (one Multikey method for every purpose)."""
    did = did_key(key)
    vm = did_key_verification_method(key)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [multikey_document(vm, did, key, context=False)],
        "authentication": [vm],
        "assertionMethod": [vm],
        "capabilityDelegation": [vm],
        "capabilityInvocation": [vm],
    }


def multikey_document(key_id: str, controller: str, key, *, context: bool = True) -> dict:
    """A Multikey verification method for an Ed25519 key, to publish at ``key_id``.

    Publish it as its own document at its own URL (see README: the DCC verifier did not
    resolve a method embedded by fragment in the controller's document).
    """
    doc = {
        "id": key_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": ed25519_to_multibase(key),
    }
    return {"@context": MULTIKEY_CONTEXT, **doc} if context else doc


def controller_document(
    controller_id: str, assertion_method_ids: list[str], extra: dict | None = None
) -> dict:
    """The controller (issuer) document that authorises keys for ``assertionMethod``.

    A Data Integrity verifier follows the proof's ``verificationMethod`` to its ``controller``
    and checks that this document lists the method under ``assertionMethod``; without that the
    key could sign for anybody. ``extra`` members (name, url...) are merged in.
    """
    doc = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": controller_id,
        "assertionMethod": list(assertion_method_ids),
    }
    if extra:
        doc.update({k: v for k, v in extra.items() if k not in doc})
    return doc


def did_web_document(did: str, ed25519_keys: list[tuple[str, object]], extra: dict | None = None):
    """A did:web DID document: each ``(method id, key)`` a Multikey under ``assertionMethod``.

    Methods are embedded by fragment (``did:web:...#key-N``), as DID resolvers dereference them.
    """
    doc = controller_document(did, [method for method, _key in ed25519_keys], extra)
    doc["verificationMethod"] = [
        multikey_document(method, did, key, context=False) for method, key in ed25519_keys
    ]
    return doc


def _host_and_path(method_specific_id: str) -> tuple[str, list[str]]:
    """The host and the decoded path segments of a did:web (after ``did:web:``).  A DID URL's
    fragment and query do not change where the DID document is."""
    without_fragment, _hash, _fragment = method_specific_id.partition("#")
    identifier, _question_mark, _query = without_fragment.partition("?")
    host, *path = identifier.split(":")
    return unquote(host), [unquote(part) for part in path]


def _valid_host_and_path(host: str, segments: list[str]) -> bool:
    if not host or any(character in host for character in "/@\\"):
        return False
    return all(segment and "/" not in segment for segment in segments)


def did_web_url(did: str) -> str:
    """Where a ``did:web`` DID (or DID URL) resolves: ``https://host[:port]/path/did.json``, or
    ``/.well-known/did.json`` for a host-only DID (did:web method specification, Read)."""
    prefix = "did:web:"
    if not did.startswith(prefix):
        raise ValueError(f"not a did:web: {did}")
    host, segments = _host_and_path(did.removeprefix(prefix))
    if not _valid_host_and_path(host, segments):
        raise ValueError(f"not a valid did:web: {did}")
    if not segments:
        return f"https://{host}/.well-known/did.json"
    return f"https://{host}/{'/'.join(segments)}/did.json"


def public_jwk(key: PrivateKey | PublicKey, kid: str | None = None) -> dict:
    """Public JWK of an RSA or Ed25519 key (never contains the private ``d``)."""
    public = key.public_key() if isinstance(key, PRIVATE_KEY_TYPES) else key
    if isinstance(public, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
    elif isinstance(public, ed25519.Ed25519PublicKey):
        jwk = OKPAlgorithm.to_jwk(public, as_dict=True)
    else:
        raise TypeError(f"unsupported key type: {type(public).__name__}")
    jwk = {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
    if kid:
        jwk["kid"] = kid
    return jwk


def public_key_from_jwk(jwk: dict | str) -> PublicKey:
    """Load an RSA or Ed25519 public key from a JWK; a JWK carrying ``d`` is refused."""
    data = json.loads(jwk) if isinstance(jwk, str) else jwk
    if "d" in data:
        raise ValueError("refusing a JWK that contains private key material")
    kty = data.get("kty")
    key: object = None
    if kty == "RSA":
        key = RSAAlgorithm.from_jwk(data)
    elif kty == "OKP" and data.get("crv") == "Ed25519":
        key = OKPAlgorithm.from_jwk(data)
    if isinstance(key, (rsa.RSAPublicKey, ed25519.Ed25519PublicKey)):
        return key
    raise ValueError(f"unsupported JWK: kty={kty!r}")
