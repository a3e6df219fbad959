"""Open Badges 3.0: OpenBadgeCredential on the VC Data Model 2.0, and its VC-JWT form.

Builders return plain dicts; optional members left as ``None`` or empty are omitted. A
credential is secured either with an embedded Data Integrity proof (:func:`sign`, Ed25519,
``eddsa-rdfc-2022``) or as a VC-JWT (:func:`to_vc_jwt`, RS256) as in OB 3.0 section 8.2.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from . import integrity, keys
from ._dates import iso_utc, parse_iso
from .ob2 import hash_identity

__all__ = [
    "VC_CONTEXT",
    "OB_CONTEXT",
    "CONTEXT",
    "profile",
    "identity_object",
    "alignment",
    "achievement",
    "evidence",
    "status_entry",
    "credential",
    "endorsement_credential",
    "sign",
    "verify_proof",
    "to_vc_jwt",
    "from_vc_jwt",
    "VCJWTError",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT = [VC_CONTEXT, OB_CONTEXT]

# ESCO skills are competencies; "ceasn:Competency" is the spec's own AlignmentTargetType for
# that, so consumers understand it without knowing a private "ext:" extension.
ESCO_TARGET_TYPE = "ceasn:Competency"


class VCJWTError(ValueError):
    """A VC-JWT that does not verify, or whose claims disagree with its credential."""


def _clean(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if v is not None and v != [] and v != ""}


def _image(url: str | None, caption: str | None = None) -> dict | None:
    return _clean({"id": url, "type": "Image", "caption": caption}) if url else None


def profile(
    id: str,
    name: str,
    *,
    url: str | None = None,
    email: str | None = None,
    description: str | None = None,
    image: str | None = None,
    endorsements: Iterable[dict] = (),
) -> dict:
    """An issuer Profile (``id`` is an HTTPS URL or a DID); ``endorsements`` are signed
    EndorsementCredentials of it."""
    return _clean(
        {
            "id": id,
            "type": ["Profile"],
            "name": name,
            "url": url,
            "email": email,
            "description": description,
            "image": _image(image),
            "endorsement": list(endorsements),
        }
    )


def identity_object(email: str, salt: str | None = None) -> dict:
    """A hashed ``emailAddress`` IdentityObject (same ``sha256$`` hash as OB 2.0)."""
    salt = salt if salt is not None else secrets.token_hex(16)
    return {
        "type": "IdentityObject",
        "identityHash": hash_identity(email, salt),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def alignment(
    target_name: str,
    target_url: str,
    *,
    target_framework: str | None = "ESCO",
    target_code: str | None = None,
    target_type: str | None = ESCO_TARGET_TYPE,
    target_description: str | None = None,
) -> dict:
    """An Alignment; defaults describe an ESCO skill whose concept URI is ``target_url``."""
    return _clean(
        {
            "type": ["Alignment"],
            "targetName": target_name,
            "targetUrl": target_url,
            "targetDescription": target_description,
            "targetFramework": target_framework,
            "targetCode": target_code,
            "targetType": target_type,
        }
    )


def achievement(
    id: str,
    name: str,
    description: str,
    *,
    criteria_narrative: str | None = None,
    criteria_id: str | None = None,
    image: str | None = None,
    alignments: Iterable[dict] = (),
    achievement_type: str | None = None,
    tags: Iterable[str] = (),
    creator: dict | None = None,
    endorsements: Iterable[dict] = (),
) -> dict:
    """An Achievement (the OB 3.0 counterpart of a BadgeClass); ``endorsements`` are signed
    EndorsementCredentials of it."""
    if not (criteria_narrative or criteria_id):
        raise ValueError("an Achievement needs criteria: a narrative, a URL or both")
    return _clean(
        {
            "id": id,
            "type": ["Achievement"],
            "name": name,
            "description": description,
            "criteria": _clean({"id": criteria_id, "narrative": criteria_narrative}),
            "image": _image(image),
            "alignment": list(alignments),
            "achievementType": achievement_type,
            "tag": list(tags),
            "creator": creator,
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
            "id": id,
            "type": ["Evidence"],
            "narrative": narrative,
            "name": name,
            "description": description,
            "genre": genre,
            "audience": audience,
        }
    )


def status_entry(list_credential_url: str, index: int, purpose: str = "revocation") -> dict:
    """A BitstringStatusListEntry pointing at bit ``index`` of a status list credential."""
    if index < 0:
        raise ValueError("status list index must be >= 0")
    return {
        "id": f"{list_credential_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }


def credential(
    id: str,
    issuer: dict,
    achievement_doc: dict,
    *,
    valid_from: datetime | str,
    name: str | None = None,
    recipient_email: str | None = None,
    salt: str | None = None,
    subject_id: str | None = None,
    valid_until: datetime | str | None = None,
    evidence: Iterable[dict] = (),
    credential_status: dict | None = None,
    description: str | None = None,
    image: str | None = None,
) -> dict:
    """An unsigned OpenBadgeCredential awarding ``achievement_doc``.

    The recipient is an email (hashed into ``credentialSubject.identifier``) and/or a
    ``subject_id`` (a DID the learner controls). ``name`` defaults to the achievement's name.
    """
    if not (recipient_email or subject_id):
        raise ValueError("a credential needs a recipient: an email, a subject id or both")
    subject = _clean(
        {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [identity_object(recipient_email, salt)] if recipient_email else None,
            "achievement": achievement_doc,
        }
    )
    return _clean(
        {
            "@context": list(CONTEXT),
            "id": id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": issuer,
            "name": name or achievement_doc.get("name"),
            "description": description,
            "image": _image(image),
            "validFrom": iso_utc(valid_from),
            "validUntil": iso_utc(valid_until) if valid_until else None,
            "credentialSubject": subject,
            "evidence": list(evidence),
            "credentialStatus": credential_status,
        }
    )


def endorsement_credential(
    id: str,
    issuer: dict,
    subject: str,
    comment: str,
    *,
    name: str,
    valid_from: datetime | str,
    credential_status: dict | None = None,
) -> dict:
    """An unsigned EndorsementCredential: ``issuer`` (a Profile) endorses the Achievement or
    Profile whose id is ``subject``, saying ``comment``."""
    return _clean(
        {
            "@context": list(CONTEXT),
            "id": id,
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "issuer": issuer,
            "name": name,
            "validFrom": iso_utc(valid_from),
            "credentialSubject": {
                "id": subject,
                "type": ["EndorsementSubject"],
                "endorsementComment": comment,
            },
            "credentialStatus": credential_status,
        }
    )


def sign(
    credential_doc: dict,
    private_key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    *,
    created: datetime | str | None = None,
) -> dict:
    """The credential with an ``eddsa-rdfc-2022`` DataIntegrityProof (assertionMethod)."""
    return integrity.sign(credential_doc, private_key, verification_method, created=created)


def verify_proof(credential_doc: dict, resolve: Callable[[str], integrity.ResolvedMethod]) -> dict:
    """Verify the embedded proof and that its key belongs to ``issuer.id``; returns the proof."""
    return integrity.verify(credential_doc, resolve, expected_controller=_issuer_id(credential_doc))


def _issuer_id(doc: dict) -> str | None:
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _numeric_date(value: str) -> int:
    return int(parse_iso(value).timestamp())


def to_vc_jwt(
    credential_doc: dict,
    private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey,
    *,
    kid: str | None = None,
) -> str:
    """The credential as a VC-JWT (OB 3.0 section 8.2): RS256 with an RSA key, EdDSA with an
    Ed25519 one (a did:web issuer's Multikey).

    The payload is the credential itself plus ``iss``, ``jti``, ``nbf`` (validFrom),
    ``exp`` (validUntil) and ``sub`` (credentialSubject.id, when there is one). The header names
    the key by ``kid`` (a URL resolving to a JWK) or, without one, embeds the public ``jwk``.
    """
    if isinstance(private_key, rsa.RSAPrivateKey):
        algorithm = "RS256"
    elif isinstance(private_key, ed25519.Ed25519PrivateKey):
        algorithm = "EdDSA"
    else:
        raise TypeError("VC-JWT signing needs an RSA (RS256) or Ed25519 (EdDSA) private key")
    claims = dict(credential_doc)
    claims["iss"] = _issuer_id(credential_doc)
    claims["jti"] = credential_doc["id"]
    claims["nbf"] = _numeric_date(credential_doc["validFrom"])
    if credential_doc.get("validUntil"):
        claims["exp"] = _numeric_date(credential_doc["validUntil"])
    subject_id = (credential_doc.get("credentialSubject") or {}).get("id")
    if subject_id:
        claims["sub"] = subject_id
    headers = {"kid": kid} if kid else {"jwk": keys.public_jwk(private_key)}
    return jwt.encode(claims, private_key, algorithm=algorithm, headers=headers)


def from_vc_jwt(
    token: str,
    public_key: keys.PublicKey | None = None,
    *,
    resolve_kid: Callable[[str], keys.PublicKey] | None = None,
    now: datetime | None = None,
) -> dict:
    """Verify a VC-JWT and return the credential it carries (without the JWT claims).

    The key is ``public_key`` when given, else ``resolve_kid(kid)`` for a ``kid`` header, else
    the header's ``jwk`` (which only proves integrity: the caller must still decide whether that
    key belongs to the issuer). Checks the claims against the credential as section 8.2.4.1
    requires, including ``nbf``/``exp`` against ``now``. VCDM 1.1 tokens carrying the credential
    in a ``vc`` claim are accepted too. Raises :class:`VCJWTError`.
    """
    try:
        header = jwt.get_unverified_header(token.strip())
    except jwt.PyJWTError as exc:
        raise VCJWTError(f"not a JWT: {exc}") from exc
    key: keys.PublicKey | None = public_key
    if key is None and header.get("kid") and resolve_kid is not None:
        try:
            key = resolve_kid(header["kid"])
        except Exception as exc:
            raise VCJWTError(f"cannot resolve kid {header['kid']}: {exc}") from exc
    if key is None and isinstance(header.get("jwk"), dict):
        key = keys.public_key_from_jwk(header["jwk"])
    if key is None:
        raise VCJWTError("no key to verify the VC-JWT with")
    now = now or datetime.now(UTC)
    try:
        claims = jwt.decode(
            token.strip(),
            key,
            # Bound to the key's type, so an RSA key is never used to check an EdDSA token.
            algorithms=["RS256"] if isinstance(key, rsa.RSAPublicKey) else ["EdDSA"],
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise VCJWTError(f"VC-JWT signature not valid: {exc}") from exc
    vc = (
        claims["vc"]
        if isinstance(claims.get("vc"), dict)
        else {
            k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "exp", "sub", "iat")
        }
    )
    _check_claims(claims, vc, now)
    return vc


def _check_claims(claims: dict, vc: dict, now: datetime) -> None:
    if claims.get("iss") != _issuer_id(vc):
        raise VCJWTError("iss does not match issuer.id")
    if claims.get("jti") != vc.get("id"):
        raise VCJWTError("jti does not match the credential id")
    subject_id = (vc.get("credentialSubject") or {}).get("id")
    if subject_id is not None and claims.get("sub") != subject_id:
        raise VCJWTError("sub does not match credentialSubject.id")
    valid_from = vc.get("validFrom") or vc.get("issuanceDate")
    if (
        not isinstance(claims.get("nbf"), int)
        or valid_from is None
        or claims["nbf"] != _numeric_date(valid_from)
    ):
        raise VCJWTError("nbf does not match validFrom")
    if claims["nbf"] > now.timestamp():
        raise VCJWTError("credential is not valid yet")
    if "exp" in claims:
        until = vc.get("validUntil") or vc.get("expirationDate")
        if until is None or claims["exp"] != _numeric_date(until):
            raise VCJWTError("exp does not match validUntil")
