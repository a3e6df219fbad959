"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (VC DI EdDSA v1.0).

Used for OB 3.0 credentials and Bitstring Status List credentials. The algorithm, step by step
as the cryptosuite specification defines it:

1. canonicalise the document without its ``proof`` with RDF Dataset Canonicalization
   (RDFC-1.0, which is URDNA2015 in pyld), using only the bundled contexts;
2. canonicalise the proof options (the proof without ``proofValue``) under the document's
   ``@context``;
3. ``SHA-256(proof options) || SHA-256(document)`` is signed with Ed25519;
4. ``proofValue`` is the signature in multibase base58btc (``z...``).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld

from ._dates import iso_utc, utcnow
from .loader import document_loader

__all__ = [
    "PROOF_TYPE",
    "CRYPTOSUITE",
    "ProofError",
    "ResolvedMethod",
    "canonicalize",
    "sign",
    "verify",
]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """A proof that is missing, malformed, from an unexpected key, or that does not verify."""


@dataclass(frozen=True)
class ResolvedMethod:
    """What a verification method URL resolved to.

    ``controller`` is who the key speaks for; ``assertion_method`` says whether that controller
    lists this method under ``assertionMethod`` (a did:key always does).
    """

    public_key: ed25519.Ed25519PublicKey
    controller: str
    assertion_method: bool = True


def canonicalize(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of ``document``, loading contexts only from the bundle.

    Raises :class:`ProofError` when a context is not bundled, the JSON-LD is invalid, or a
    member is not defined by any context (it would be left out of the signature).
    """
    dropped: list = []
    options = {"documentLoader": document_loader}
    try:
        # "Safe mode", as Data Integrity verifiers run JSON-LD: a member that no context
        # defines would silently vanish from the canonical form, so it would be displayed yet
        # not signed. Refuse such documents, for signing and for verifying alike.
        expanded = jsonld.expand(
            copy.deepcopy(document), options, on_property_dropped=dropped.append
        )
        if dropped:
            raise ProofError(
                "document uses terms no bundled context defines "
                f"({len(dropped)} dropped); define them or leave them out"
            )
        return jsonld.normalize(
            expanded,
            {
                **options,
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
            },
        )
    except jsonld.JsonLdError as exc:
        raise ProofError(f"cannot canonicalise the document: {_root_cause(exc)}") from exc


def _root_cause(exc: BaseException) -> str:
    # pyld wraps the loader's UnknownContextError several levels deep; say what really failed.
    seen: BaseException = exc
    while (cause := getattr(seen, "cause", None) or seen.__cause__) is not None:
        seen = cause
    return str(seen) if seen is not exc else str(exc).splitlines()[0]


def _hash_data(document: dict, proof_options: dict) -> bytes:
    options = dict(proof_options)
    options["@context"] = document["@context"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(canonicalize(options).encode("utf-8")).digest()
        + hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest()
    )


def sign(
    document: dict,
    private_key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    *,
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict:
    """A copy of ``document`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added.

    ``document`` must not already carry a proof (proof chains/sets are not supported).
    """
    if "proof" in document:
        raise ProofError("document already has a proof")
    if "@context" not in document:
        raise ProofError("document has no @context")
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": iso_utc(created or utcnow()),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(_hash_data(document, options))
    secured = copy.deepcopy(document)
    secured["proof"] = {**options, "proofValue": "z" + base58.b58encode(signature).decode()}
    return secured


def verify(
    document: dict,
    resolve: Callable[[str], ResolvedMethod],
    *,
    expected_controller: str | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict:
    """Check the ``eddsa-rdfc-2022`` proof of ``document``; return the proof on success.

    ``resolve(verificationMethod)`` returns a :class:`ResolvedMethod` or raises. When
    ``expected_controller`` is given (the credential's issuer id) the key must belong to it.
    Raises :class:`ProofError` with the reason otherwise.
    """
    proofs = document.get("proof")
    if isinstance(proofs, dict):
        proofs = [proofs]
    if not proofs:
        raise ProofError("no proof")
    proof = next(
        (
            p
            for p in proofs
            if isinstance(p, dict)
            and p.get("type") == PROOF_TYPE
            and p.get("cryptosuite") == CRYPTOSUITE
        ),
        None,
    )
    if proof is None:
        raise ProofError(f"no {PROOF_TYPE} proof with cryptosuite {CRYPTOSUITE}")
    if proof.get("proofPurpose") != proof_purpose:
        raise ProofError(f"proofPurpose is {proof.get('proofPurpose')!r}, not {proof_purpose!r}")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proof lacks a verificationMethod or a base58btc proofValue")
    try:
        resolved = resolve(method)
    except Exception as exc:  # the resolver may fetch; any failure means "cannot verify"
        raise ProofError(f"cannot resolve verification method {method}: {exc}") from exc
    if expected_controller is not None and resolved.controller != expected_controller:
        raise ProofError(
            f"key {method} is controlled by {resolved.controller}, "
            f"not by the issuer {expected_controller}"
        )
    if proof_purpose == "assertionMethod" and not resolved.assertion_method:
        raise ProofError(f"{resolved.controller} does not list {method} as an assertionMethod")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options.pop("@context", None)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofError("proofValue is not base58btc") from exc
    try:
        resolved.public_key.verify(signature, _hash_data(unsecured, options))
    except InvalidSignature as exc:
        raise ProofError("signature does not match the document") from exc
    return proof
