"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow: the wire formats.

What a wallet app reads and sends, without the database: the issuer and authorization server
metadata, the credential offer and its deep link, the stateless ``c_nonce`` and the holder's
proof JWT (``openid4vci-proof+jwt``, verified with PyJWT).  The service
(:mod:`plugins.badges.services.wallet_offers`) keeps the offers; every refusal is an
:class:`OID4VCIError` carrying the specification's error code.

Each city is its own credential issuer, identified by its configured origin (with its
``/t/<slug>`` path in the path form), and its own authorization server: the metadata live at
``<origin>/.well-known/openid-credential-issuer`` and ``.../oauth-authorization-server``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote

import jwt

from plugins.badges.ob import keys, ob3
from plugins.badges.urls import BadgeUrls

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE = "openid4vci-proof+jwt"
OFFER_SCHEME = "openid-credential-offer://"
# credential_configuration_id -> format: the same OpenBadgeCredential as Data Integrity
# (eddsa-rdfc-2022) or as a VC-JWT.
CONFIGURATIONS = {
    "OpenBadgeCredential_ldp_vc": "ldp_vc",
    "OpenBadgeCredential_jwt_vc_json": "jwt_vc_json",
}
PROOF_ALGORITHMS = ["EdDSA", "ES256", "ES384", "ES256K", "RS256", "PS256"]
BINDING_METHODS = ["did:key", "did:jwk", "jwk"]
NONCE_SECONDS = 300  # a c_nonce is good for five minutes
TOKEN_SECONDS = 600  # and an access token for ten
PROOF_AGE_SECONDS = 300  # a proof's iat may be this old
LEEWAY_SECONDS = 60  # clocks of phones drift


class OID4VCIError(Exception):
    """A refusal in the specification's words: ``error`` is its code, ``status`` the HTTP one."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class CreatedOffer:
    """A new offer as the learner is shown it: the code appears nowhere else."""

    link: str  # openid-credential-offer://?credential_offer=...
    qr_url: str  # its QR code as an SVG image
    expires_at: dt.datetime


def issuer_metadata(urls: BadgeUrls, city_name: str, locale: str, jwt_algorithm: str) -> dict:
    """The Credential Issuer Metadata (section 12.2); ``jwt_algorithm``: what VC-JWTs are
    signed with (EdDSA for did:web issuers, RS256 otherwise)."""
    display = [{"name": city_name, "locale": locale}]
    configurations = {}
    for configuration_id, form in CONFIGURATIONS.items():
        configurations[configuration_id] = {
            "format": form,
            "scope": configuration_id,
            "cryptographic_binding_methods_supported": BINDING_METHODS,
            "credential_signing_alg_values_supported": (
                ["eddsa-rdfc-2022"] if form == "ldp_vc" else [jwt_algorithm]
            ),
            "proof_types_supported": {
                "jwt": {"proof_signing_alg_values_supported": PROOF_ALGORITHMS}
            },
            "credential_definition": {
                **({"@context": list(ob3.CONTEXT)} if form == "ldp_vc" else {}),
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
            },
            "credential_metadata": {"display": [{"name": "Open Badge", "locale": locale}]},
            "display": [{"name": "Open Badge", "locale": locale}],
        }
    return {
        "credential_issuer": urls.origin,
        "credential_endpoint": urls.oid4vci("credential"),
        "nonce_endpoint": urls.oid4vci("nonce"),
        "display": display,
        "credential_configurations_supported": configurations,
    }


def authorization_server_metadata(urls: BadgeUrls) -> dict:
    """RFC 8414 metadata: the city answers only the pre-authorized code grant, anonymously."""
    return {
        "issuer": urls.origin,
        "token_endpoint": urls.oid4vci("token"),
        "grant_types_supported": [PRE_AUTHORIZED],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def credential_offer(urls: BadgeUrls, code: str) -> dict:
    """The offer of both forms of one badge, passed by value (section 4.1.1)."""
    return {
        "credential_issuer": urls.origin,
        "credential_configuration_ids": list(CONFIGURATIONS),
        "grants": {PRE_AUTHORIZED: {"pre-authorized_code": code}},
    }


def offer_link(offer: dict) -> str:
    """``openid-credential-offer://?credential_offer=...``, what the QR code holds."""
    compact = json.dumps(offer, separators=(",", ":"))
    return f"{OFFER_SCHEME}?credential_offer={quote(compact, safe='')}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a code or token: SHA-256 suffices for 256 random bits."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class Nonces:
    """Stateless ``c_nonce`` values: a time and a random part signed with a key of their own."""

    def __init__(self, secret: str):
        self.key = hashlib.sha256(b"col-badges-oid4vci-nonce\0" + secret.encode()).digest()

    def _mac(self, body: str) -> str:
        mac = hmac.new(self.key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def make(self) -> str:
        body = f"{int(time.time())}.{secrets.token_urlsafe(12)}"
        return f"{body}.{self._mac(body)}"

    def valid(self, nonce) -> bool:
        well_formed = isinstance(nonce, str) and nonce.count(".") == 2
        if not well_formed:
            return False
        body, _dot, mac = nonce.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            return False
        issued = int(body.partition(".")[0])
        age = time.time() - issued
        return 0 <= age <= NONCE_SECONDS


def _b64_json(value: str) -> dict:
    decoded = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    if not isinstance(decoded, dict):
        raise ValueError("not a JSON object")
    return decoded


def _did_jwk(jwk: dict) -> str:
    compact = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()
    return "did:jwk:" + base64.urlsafe_b64encode(compact).rstrip(b"=").decode()


def _holder_key(header: dict, algorithm: str):
    """The proof's public key and the holder's DID (what ``credentialSubject.id`` becomes)."""
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None):
        raise OID4VCIError("invalid_proof", "The proof must name its key by kid or jwk, not both.")
    if jwk is not None:
        if not isinstance(jwk, dict) or "d" in jwk:
            raise OID4VCIError("invalid_proof", "The proof's jwk must be a public key.")
        return jwt.PyJWK(jwk, algorithm), _did_jwk(jwk)
    did = str(kid).partition("#")[0]
    if did.startswith("did:jwk:"):
        public = _b64_json(did.removeprefix("did:jwk:"))
        if "d" in public:
            raise OID4VCIError("invalid_proof", "The proof's did:jwk must be a public key.")
        return jwt.PyJWK(public, algorithm), did
    if did.startswith("did:key:z6Mk") and algorithm == "EdDSA":
        return keys.resolve_did_key(did), did
    raise OID4VCIError("invalid_proof", "The proof's kid must be a did:key (Ed25519) or a did:jwk.")


def verify_proof(proof, audience: str, nonces: Nonces) -> str:
    """The holder's DID, after checking the proof JWT (section 8.2.1.1 and appendix F.1): its
    type, an asymmetric algorithm, the signature by the key it names, ``aud`` = the credential
    issuer, a fresh ``iat`` and a ``nonce`` this issuer made."""
    if not isinstance(proof, str) or proof.count(".") != 2:
        raise OID4VCIError("invalid_proof", "The proof must be a JWT.")
    try:
        header = jwt.get_unverified_header(proof)
        algorithm = header.get("alg")
        if header.get("typ") != PROOF_TYPE:
            raise OID4VCIError("invalid_proof", f"The proof's typ must be {PROOF_TYPE}.")
        if algorithm not in PROOF_ALGORITHMS:
            raise OID4VCIError("invalid_proof", f"Proof algorithm {algorithm!r} is not accepted.")
        key, holder = _holder_key(header, algorithm)
        claims = jwt.decode(
            proof,
            key=key,
            algorithms=[algorithm],
            audience=audience,
            leeway=LEEWAY_SECONDS,
            options={"require": ["aud", "iat", "nonce"]},
        )
    except OID4VCIError:
        raise
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
        raise OID4VCIError("invalid_proof", f"The proof does not verify: {error}") from None
    if claims["iat"] < time.time() - PROOF_AGE_SECONDS - LEEWAY_SECONDS:
        raise OID4VCIError("invalid_proof", "The proof is too old: make a new one.")
    if not nonces.valid(claims["nonce"]):
        raise OID4VCIError("invalid_nonce", "The proof's nonce is not a fresh c_nonce of ours.")
    return holder
