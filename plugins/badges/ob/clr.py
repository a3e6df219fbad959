"""Comprehensive Learner Record 2.0: a ClrCredential bundling a learner's OB 3.0 credentials.

CLR 2.0 §4 (ClrCredential, ClrSubject): a Verifiable Credential (VCDM 2.0) whose subject holds
the learner's signed AchievementCredentials in ``verifiableCredential``, each kept exactly as its
own issuer signed it (so each proof still verifies on its own), plus the ``achievement`` list.
The CLR itself is signed like an OB 3.0 credential (``eddsa-rdfc-2022``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric import ed25519

from plugins.badges.ob import integrity
from plugins.badges.ob._dates import iso_utc
from plugins.badges.ob.ob3 import OB_CONTEXT, VC_CONTEXT, _clean

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
# CLR 2.0 §A (JSON-LD): VC 2.0 first, then CLR, then OB 3.0 (ClrSubject reuses OB terms).
CONTEXT = [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT]
# No ``credentialSchema``: its type ``1EdTechJsonSchemaValidator2019`` is defined by none of the
# bundled contexts, so JSON-LD safe mode (the DCC verifier's) refuses it as a relative @type.


def _achievements(credentials: Iterable[dict]) -> list[dict]:
    """Each distinct achievement of the embedded credentials, first seen first."""
    seen: dict[str, dict] = {}
    for vc in credentials:
        achievement = vc["credentialSubject"]["achievement"]
        seen.setdefault(achievement["id"], achievement)
    return list(seen.values())


def clr_credential(
    id: str,
    issuer: dict,
    credentials: list[dict],
    *,
    valid_from: datetime | str,
    name: str,
    identifier: list[dict] | None = None,
    subject_id: str | None = None,
) -> dict:
    """An unsigned ClrCredential holding ``credentials`` (signed OB 3.0 credentials)."""
    if not (identifier or subject_id):
        raise ValueError("a CLR needs its learner: an identifier, a subject id or both")
    subject = _clean(
        {
            "id": subject_id,
            "type": ["ClrSubject"],
            "identifier": identifier,
            "achievement": _achievements(credentials) or None,
            "verifiableCredential": list(credentials),
        }
    )
    return _clean(
        {
            "@context": list(CONTEXT),
            "id": id,
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": issuer,
            "name": name,
            "validFrom": iso_utc(valid_from),
            "credentialSubject": subject,
        }
    )


def sign(
    clr: dict,
    private_key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    *,
    created: datetime | str | None = None,
) -> dict:
    """The CLR with an ``eddsa-rdfc-2022`` DataIntegrityProof (assertionMethod)."""
    return integrity.sign(clr, private_key, verification_method, created=created)
