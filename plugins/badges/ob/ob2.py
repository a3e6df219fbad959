"""Open Badges 2.0 documents (JSON-LD with the ``https://w3id.org/openbadges/v2`` context).

Builders return plain dicts ready to be served as ``application/ld+json``; optional members
left as ``None`` or empty are omitted. Signed assertions are RS256 compact JWS whose payload is
the assertion JSON, as OB 2.0 "SignedBadge" verification requires.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from datetime import datetime

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from . import keys
from ._dates import iso_utc

__all__ = [
    "CONTEXT",
    "normalise_email",
    "hash_identity",
    "recipient",
    "recipient_matches",
    "issuer_profile",
    "alignment",
    "badge_class",
    "evidence",
    "hosted_verification",
    "signed_verification",
    "assertion",
    "revocation_list",
    "endorsement",
    "cryptographic_key",
    "sign_assertion",
    "verify_jws",
    "jws_payload_unverified",
    "JWSError",
]

CONTEXT = "https://w3id.org/openbadges/v2"


class JWSError(ValueError):
    """A JWS that is malformed, not RS256, or whose signature does not verify."""


def _clean(doc: dict) -> dict:
    """Drop members whose value is None or an empty list/str, so documents stay minimal."""
    return {k: v for k, v in doc.items() if v is not None and v != [] and v != ""}


def normalise_email(email: str) -> str:
    """The form in which an email is hashed: surrounding space stripped, lower-cased.

    Lower-casing the whole address (not only the domain) is what OB hosts and backpacks do in
    practice, so a learner typing ``Ana@Example.org`` still matches.
    """
    return email.strip().lower()


def hash_identity(email: str, salt: str) -> str:
    """``sha256$<hex>`` of the normalised email followed by ``salt`` (OB 2.0 IdentityHash)."""
    digest = hashlib.sha256((normalise_email(email) + salt).encode("utf-8")).hexdigest()
    return "sha256$" + digest


def recipient(email: str, salt: str | None = None) -> dict:
    """A hashed email IdentityObject; a fresh random salt per assertion unless given."""
    salt = salt if salt is not None else secrets.token_hex(16)
    return {"type": "email", "hashed": True, "salt": salt, "identity": hash_identity(email, salt)}


def recipient_matches(identity: dict, email: str) -> bool:
    """Whether ``email`` is the recipient described by an IdentityObject.

    Works for the OB 2.0 ``recipient`` and the OB 3.0 ``IdentityObject`` (``identityHash``).
    Hashed identities may be ``sha256$`` or the legacy ``md5$``; unhashed ones compare the
    normalised addresses. Comparison is constant-time. An identity of another kind (a URL, a
    telephone number, a DID...) never matches, even when its text looks like the address.
    """
    kind = identity.get("identityType", identity.get("type"))  # OB 3.0, else OB 2.0
    if kind is not None and str(kind).lower() not in ("email", "emailaddress"):
        return False
    salt = identity.get("salt") or ""
    target = identity.get("identity", identity.get("identityHash"))
    if not isinstance(target, str):
        return False
    if not identity.get("hashed"):
        return hmac.compare_digest(normalise_email(target), normalise_email(email))
    algorithm, _, expected = target.partition("$")
    if algorithm.lower() not in ("sha256", "md5") or not expected:
        return False
    actual = hashlib.new(
        algorithm.lower(), (normalise_email(email) + salt).encode("utf-8")
    ).hexdigest()
    return hmac.compare_digest(actual, expected.lower())


def issuer_profile(
    id: str,
    name: str,
    url: str,
    *,
    email: str | None = None,
    description: str | None = None,
    image: str | None = None,
    public_keys: Iterable[str] = (),
    revocation_list: str | None = None,
    endorsements: Iterable[str] = (),
) -> dict:
    """An Issuer Profile. ``public_keys`` are CryptographicKey URLs (needed for signed badges);
    ``endorsements`` the URLs of hosted Endorsements of this issuer."""
    keys_ = list(public_keys)
    return _clean(
        {
            "@context": CONTEXT,
            "type": "Issuer",
            "id": id,
            "name": name,
            "url": url,
            "email": email,
            "description": description,
            "image": image,
            "publicKey": keys_[0] if len(keys_) == 1 else keys_,
            "revocationList": revocation_list,
            "endorsement": list(endorsements),
        }
    )


def alignment(
    target_name: str,
    target_url: str,
    *,
    target_framework: str | None = None,
    target_code: str | None = None,
    target_description: str | None = None,
) -> dict:
    """An AlignmentObject, e.g. an ESCO skill (``target_url`` = the ESCO concept URI)."""
    return _clean(
        {
            "targetName": target_name,
            "targetUrl": target_url,
            "targetDescription": target_description,
            "targetFramework": target_framework,
            "targetCode": target_code,
        }
    )


def badge_class(
    id: str,
    issuer: str,
    name: str,
    description: str,
    image: str,
    *,
    criteria_url: str | None = None,
    criteria_narrative: str | None = None,
    alignments: Iterable[dict] = (),
    tags: Iterable[str] = (),
    endorsements: Iterable[str] = (),
) -> dict:
    """A BadgeClass. At least one of ``criteria_url`` / ``criteria_narrative`` is required;
    ``endorsements`` are the URLs of hosted Endorsements of it."""
    if not (criteria_url or criteria_narrative):
        raise ValueError("a BadgeClass needs criteria: a URL, a narrative or both")
    criteria = _clean({"id": criteria_url, "narrative": criteria_narrative})
    return _clean(
        {
            "@context": CONTEXT,
            "type": "BadgeClass",
            "id": id,
            "name": name,
            "description": description,
            "image": image,
            "criteria": criteria,
            "issuer": issuer,
            "alignment": list(alignments),
            "tags": list(tags),
            "endorsement": list(endorsements),
        }
    )


def evidence(
    *,
    id: str | None = None,
    narrative: str | None = None,
    name: str | None = None,
    description: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
) -> dict:
    """An Evidence object; needs at least a URL (``id``) or a narrative."""
    if not (id or narrative):
        raise ValueError("evidence needs a URL or a narrative")
    return _clean(
        {
            "type": "Evidence",
            "id": id,
            "narrative": narrative,
            "name": name,
            "description": description,
            "genre": genre,
            "audience": audience,
        }
    )


def hosted_verification() -> dict:
    """Verification by fetching the assertion from its own ``id`` URL."""
    return {"type": "hosted"}


def signed_verification(creator_key_url: str) -> dict:
    """Verification by JWS, naming the CryptographicKey that signed it."""
    return {"type": "signed", "creator": creator_key_url}


def assertion(
    id: str,
    badge: str,
    recipient: dict,
    issued_on: datetime | str,
    verification: dict,
    *,
    evidence: Iterable[dict] = (),
    expires: datetime | str | None = None,
    image: str | None = None,
    narrative: str | None = None,
) -> dict:
    """An Assertion of ``badge`` (a BadgeClass URL) to a recipient IdentityObject."""
    return _clean(
        {
            "@context": CONTEXT,
            "type": "Assertion",
            "id": id,
            "recipient": recipient,
            "badge": badge,
            "issuedOn": iso_utc(issued_on),
            "verification": verification,
            "evidence": list(evidence),
            "expires": iso_utc(expires) if expires else None,
            "image": image,
            "narrative": narrative,
        }
    )


def revocation_list(id: str, issuer: str, revoked: Iterable[tuple[str, str | None]]) -> dict:
    """A RevocationList of ``(assertion_id, reason)`` pairs (reason may be None)."""
    entries = [_clean({"id": aid, "revocationReason": reason}) for aid, reason in revoked]
    return {
        "@context": CONTEXT,
        "id": id,
        "type": "RevocationList",
        "issuer": issuer,
        "revokedAssertions": entries,
    }


def endorsement(
    id: str,
    issuer: str,
    subject: str,
    comment: str,
    issued_on: datetime | str,
    verification: dict | None = None,
) -> dict:
    """An Endorsement by the Profile ``issuer`` of the object whose id is ``subject`` (a
    BadgeClass, a Profile...), saying ``comment`` (its ``claim.endorsementComment``).  Hosted
    verification (fetched from ``id``) unless another ``verification`` is given."""
    return {
        "@context": CONTEXT,
        "type": "Endorsement",
        "id": id,
        "claim": {"id": subject, "endorsementComment": comment},
        "issuer": issuer,
        "issuedOn": iso_utc(issued_on),
        "verification": verification or hosted_verification(),
    }


def cryptographic_key(id: str, owner: str, key: keys.PrivateKey | keys.PublicKey) -> dict:
    """The public CryptographicKey document (``publicKeyPem``) owned by the issuer ``owner``."""
    return {
        "@context": CONTEXT,
        "type": "CryptographicKey",
        "id": id,
        "owner": owner,
        "publicKeyPem": keys.public_key_to_pem(key),
    }


def sign_assertion(assertion_doc: dict, private_key: rsa.RSAPrivateKey) -> str:
    """Compact RS256 JWS of the assertion (header ``{"alg": "RS256"}``)."""
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError("OB 2.0 signing needs an RSA private key (RS256)")
    payload = json.dumps(assertion_doc, ensure_ascii=False, separators=(",", ":")).encode()
    # typ=None drops PyJWT's default "JWT" type: the payload is an assertion, not JWT claims.
    return jwt.api_jws.encode(payload, private_key, algorithm="RS256", headers={"typ": None})


def verify_jws(token: str, public_key: keys.PublicKey) -> dict:
    """The JSON payload of an RS256 JWS whose signature verifies with ``public_key``.

    A key that is not RSA is refused by PyJWT, as a signature that does not verify.

    Raises :class:`JWSError` for a bad signature, another algorithm or a non-JSON payload.
    """
    try:
        payload = jwt.api_jws.decode(token.strip(), public_key, algorithms=["RS256"])
        return json.loads(payload)
    except (jwt.PyJWTError, ValueError) as exc:
        raise JWSError(f"JWS not valid: {exc}") from exc


def jws_payload_unverified(token: str) -> tuple[dict, dict]:
    """``(header, payload)`` of a compact JWS **without** checking the signature.

    Only for finding which key to fetch; never trust the result before :func:`verify_jws`.
    """
    try:
        header = jwt.api_jws.get_unverified_header(token.strip())
        payload = jwt.api_jws.decode_complete(token.strip(), options={"verify_signature": False})[
            "payload"
        ]
        return header, json.loads(payload)
    except (jwt.PyJWTError, ValueError) as exc:
        raise JWSError(f"not a compact JWS with a JSON payload: {exc}") from exc
