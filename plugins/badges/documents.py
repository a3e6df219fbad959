"""The Open Badges documents of our rows, built with the ``ob`` library at request time.

Nothing signed is stored: Ed25519 and RSA (PKCS#1 v1.5) signatures are deterministic, so a
document signed again is the same document, and a rotated key simply signs from then on (the
retired key stays published for what it signed before).
"""

from __future__ import annotations

import datetime as dt
from typing import overload

from sqlalchemy import select

from plugins.badges.models import Assertion, BadgeClass, Issuer
from plugins.badges.ob import integrity, keys, ob2, ob3, status_list
from plugins.badges.urls import BadgeUrls

# The status list is (re)signed with a fixed validFrom so it only changes when a bit does.
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@overload
def _utc(value: dt.datetime) -> dt.datetime: ...


@overload
def _utc(value: None) -> None: ...


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=dt.UTC)


class Documents:
    def __init__(self, urls: BadgeUrls, keyring, dbsession, skills=None):
        self.urls = urls
        self.keyring = keyring
        self.dbsession = dbsession
        # badge -> [{"uri", "label", "code"}]; see skills.py for the ESCO-aware reader.
        self.skills = skills or (lambda badge: badge.skills)

    # -- OB 2.0 --------------------------------------------------------------------------

    def issuer(self, issuer: Issuer) -> dict:
        organisation = issuer.organisation
        # Only the active RSA key: the 1EdTech OB 2.0 validator refuses an Issuer with more than
        # one publicKey.  Retired keys stay at their URLs, owned by the issuer, for old JWS.
        active = issuer.active_key("rsa")
        rsa_keys = [self.urls.key(issuer.id, active.id)] if active else []
        return ob2.issuer_profile(
            self.urls.issuer(issuer.id),
            organisation.name,
            organisation.website or self.urls.issuer(issuer.id),
            email=issuer.email or None,
            description=organisation.description or None,
            public_keys=rsa_keys,
            revocation_list=self.urls.revocations(issuer.id),
        )

    def key(self, issuer: Issuer, key) -> dict:
        public = keys.public_key_from_pem(key.public_pem)
        key_url = self.urls.key(issuer.id, key.id)
        if key.kind == "rsa":
            doc = ob2.cryptographic_key(key_url, self.urls.issuer(issuer.id), public)
        else:
            doc = keys.multikey_document(key_url, self.urls.issuer_profile(issuer.id), public)
        if key.retired_at:
            # Still published so old signatures verify; says when it stopped signing.
            doc["revoked"] = _utc(key.retired_at).isoformat()
        return doc

    def jwks(self, issuer: Issuer) -> dict:
        return {
            "keys": [
                keys.public_jwk(
                    keys.public_key_from_pem(key.public_pem),
                    kid=f"{self.urls.jwks(issuer.id)}#{key.id}",
                )
                for key in issuer.keys
                if key.kind == "rsa"
            ]
        }

    def badge_class(self, badge: BadgeClass) -> dict:
        return ob2.badge_class(
            self.urls.badge_class(badge.id),
            self.urls.issuer(badge.issuer_id),
            badge.name,
            badge.description or badge.name,
            self.urls.badge_image(badge.id),
            criteria_narrative=badge.criteria or badge.description or badge.name,
            alignments=[
                ob2.alignment(
                    s.get("label") or s["uri"],
                    s["uri"],
                    target_framework="ESCO",
                    target_code=s.get("code"),
                )
                for s in self.skills(badge)
            ],
        )

    def _ob2_evidence(self, assertion: Assertion) -> list[dict]:
        return [
            ob2.evidence(
                id=e.get("url") or None,
                narrative=e.get("narrative") or None,
                name=e.get("name") or None,
            )
            for e in assertion.evidence
        ]

    def assertion(self, assertion: Assertion, *, signed: bool = False) -> dict:
        if signed:
            key, _private = self.keyring.signing_key(assertion.issuer, "rsa")
            aid = f"urn:uuid:{_uuid(assertion.uid)}"
            verification = ob2.signed_verification(self.urls.key(assertion.issuer_id, key.id))
        else:
            aid, verification = self.urls.assertion(assertion.uid), ob2.hosted_verification()
        recipient = {
            "type": "email",
            "hashed": True,
            "salt": assertion.salt,
            "identity": assertion.recipient_hash,
        }
        return ob2.assertion(
            aid,
            self.urls.badge_class(assertion.badge_class_id),
            recipient,
            _utc(assertion.issued_on),
            verification,
            evidence=self._ob2_evidence(assertion),
            expires=_utc(assertion.expires_at),
            image=self.urls.badge_image(assertion.badge_class_id),
        )

    def signed_assertion(self, assertion: Assertion) -> str:
        _key, private = self.keyring.signing_key(assertion.issuer, "rsa")
        return ob2.sign_assertion(self.assertion(assertion, signed=True), private)

    def revocation_list(self, issuer: Issuer) -> dict:
        revoked = self.dbsession.execute(
            select(Assertion.uid, Assertion.revocation_reason)
            .where(Assertion.issuer_id == issuer.id, Assertion.revoked_at.is_not(None))
            .order_by(Assertion.id)
        ).all()
        # Signed assertions carry urn:uuid ids, hosted ones their URL: list both forms.
        entries = []
        for uid, reason in revoked:
            entries.append((self.urls.assertion(uid), reason or None))
            entries.append((f"urn:uuid:{_uuid(uid)}", reason or None))
        return ob2.revocation_list(
            self.urls.revocations(issuer.id), self.urls.issuer(issuer.id), entries
        )

    # -- OB 3.0 --------------------------------------------------------------------------

    def profile(self, issuer: Issuer) -> dict:
        """The issuer's OB 3.0 id document: a controller document listing its Ed25519 keys."""
        organisation = issuer.organisation
        methods = [self.urls.key(issuer.id, key.id) for key in issuer.keys if key.kind == "ed25519"]
        return keys.controller_document(
            self.urls.issuer_profile(issuer.id),
            methods,
            {
                "type": ["Profile"],
                "name": organisation.name,
                "url": organisation.website or self.urls.issuer(issuer.id),
            },
        )

    def did_document(self, issuer: Issuer) -> dict:
        """The issuer's did:web document: every Ed25519 key, current and retired, so what any
        of them signed keeps verifying after a rotation."""
        return keys.did_web_document(
            self.urls.did(issuer.id),
            [
                (self.urls.did_method(issuer.id, key.id), keys.public_key_from_pem(key.public_pem))
                for key in issuer.keys
                if key.kind == "ed25519"
            ],
            {"alsoKnownAs": [self.urls.issuer_profile(issuer.id)]},
        )

    def _ob3_issuer(self, issuer: Issuer) -> dict:
        organisation = issuer.organisation
        return ob3.profile(
            self.urls.ob3_issuer(issuer.id),
            organisation.name,
            url=organisation.website or self.urls.issuer(issuer.id),
            email=issuer.email or None,
        )

    def credential(self, assertion: Assertion) -> dict:
        badge = assertion.badge_class
        achievement = ob3.achievement(
            self.urls.badge_class(badge.id),
            badge.name,
            badge.description or badge.name,
            criteria_narrative=badge.criteria or badge.description or badge.name,
            image=self.urls.badge_image(badge.id),
            alignments=[
                ob3.alignment(s.get("label") or s["uri"], s["uri"], target_code=s.get("code"))
                for s in self.skills(badge)
            ],
        )
        subject = {
            "type": "IdentityObject",
            "identityHash": assertion.recipient_hash,
            "identityType": "emailAddress",
            "hashed": True,
            "salt": assertion.salt,
        }
        doc = ob3.credential(
            self.urls.credential(assertion.uid),
            self._ob3_issuer(assertion.issuer),
            achievement,
            valid_from=_utc(assertion.issued_on),
            recipient_email="placeholder@invalid",
            valid_until=_utc(assertion.expires_at),
            evidence=[
                ob3.evidence(
                    id=e.get("url") or None,
                    narrative=e.get("narrative") or None,
                    name=e.get("name") or None,
                )
                for e in assertion.evidence
            ],
            credential_status=ob3.status_entry(
                self.urls.ob3_status_list(assertion.issuer_id), assertion.status_index
            ),
        )
        # The hash is the one stored at issue time (the email itself may be gone by now).
        doc["credentialSubject"]["identifier"] = [subject]
        return doc

    def signed_credential(self, assertion: Assertion) -> dict:
        key, private = self.keyring.signing_key(assertion.issuer, "ed25519")
        return ob3.sign(
            self.credential(assertion),
            private,
            self.urls.ob3_method(assertion.issuer_id, key.id),
            created=_utc(assertion.issued_on),
        )

    def vc_jwt(self, assertion: Assertion) -> str:
        issuer, issuer_id = assertion.issuer, assertion.issuer_id
        if self.urls.did_issuers:
            # EdDSA with the key the DID document lists (kid = did:web:...#key-N), so a DID
            # resolver finds it; RS256 keys are named by their JWKS URL, which a DID cannot be.
            key, private = self.keyring.signing_key(issuer, "ed25519")
            kid = self.urls.did_method(issuer_id, key.id)
        else:
            key, private = self.keyring.signing_key(issuer, "rsa")
            jwks = self.urls.jwks(issuer_id)
            kid = f"{jwks}#{key.id}"
        credential = self.credential(assertion)
        return ob3.to_vc_jwt(credential, private, kid=kid)

    def status_list(self, issuer: Issuer, *, did: bool = False) -> dict:
        """The BitstringStatusListCredential; ``did``: issued by the DID (``/did-status``),
        else by the profile URL (``/status``), matching the credentials that point at it."""
        bits = status_list.StatusList()
        revoked = self.dbsession.scalars(
            select(Assertion.status_index).where(
                Assertion.issuer_id == issuer.id, Assertion.revoked_at.is_not(None)
            )
        )
        for index in revoked:
            bits.set(index)
        key, private = self.keyring.signing_key(issuer, "ed25519")
        doc = status_list.list_credential(
            self.urls.did_status_list(issuer.id) if did else self.urls.status_list(issuer.id),
            self.urls.did(issuer.id) if did else self.urls.issuer_profile(issuer.id),
            bits,
            valid_from=EPOCH,
        )
        method = self.urls.did_method if did else self.urls.key
        return integrity.sign(doc, private, method(issuer.id, key.id), created=EPOCH)


def _uuid(uid: str) -> str:
    return f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:32]}"
