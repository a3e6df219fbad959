"""The Open Badges documents of our rows, built with the ``ob`` library at request time.

Nothing signed is stored: Ed25519 and RSA (PKCS#1 v1.5) signatures are deterministic, so a
document signed again is the same document, and a rotated key simply signs from then on (the
retired key stays published for what it signed before).
"""

from __future__ import annotations

import datetime as dt
from typing import overload

from sqlalchemy import select

from plugins.badges.models import Assertion, BadgeClass, Endorsement, Issuer
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

    def _home(self, issuer: Issuer) -> str:
        """The issuer's ``url``: the organisation's website, else the city's site for the
        city's own issuer, else the issuer's page."""
        if issuer.website:
            return issuer.website
        return self.urls.origin + "/" if issuer.is_city else self.urls.issuer(issuer.id)

    # -- OB 2.0 --------------------------------------------------------------------------

    def issuer(self, issuer: Issuer) -> dict:
        # Only the active RSA key: the 1EdTech OB 2.0 validator refuses an Issuer with more than
        # one publicKey.  Retired keys stay at their URLs, owned by the issuer, for old JWS.
        active = issuer.active_key("rsa")
        rsa_keys = [self.urls.key(issuer.id, active.id)] if active else []
        return ob2.issuer_profile(
            self.urls.issuer(issuer.id),
            issuer.name,
            self._home(issuer),
            email=issuer.email or None,
            description=issuer.description or None,
            public_keys=rsa_keys,
            revocation_list=self.urls.revocations(issuer.id),
            endorsements=self.endorsement_urls(issuer=issuer),
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
            endorsements=self.endorsement_urls(badge=badge),
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
        methods = [self.urls.key(issuer.id, key.id) for key in issuer.keys if key.kind == "ed25519"]
        return keys.controller_document(
            self.urls.issuer_profile(issuer.id),
            methods,
            {
                "type": ["Profile"],
                "name": issuer.name,
                "url": self._home(issuer),
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

    def _ob3_issuer(self, issuer: Issuer, *, endorsed: bool = True) -> dict:
        """The issuer as a credential names it; ``endorsed``: with the signed endorsements of
        it (left out where it is itself the endorser)."""
        endorsements = self.endorsements(issuer=issuer) if endorsed else []
        return ob3.profile(
            self.urls.ob3_issuer(issuer.id),
            issuer.name,
            url=self._home(issuer),
            email=issuer.email or None,
            endorsements=[self.signed_endorsement(e) for e in endorsements],
        )

    def credential(self, assertion: Assertion, holder: str | None = None) -> dict:
        """The OB 3.0 credential; ``holder``: the DID of the wallet's key it is bound to
        (``credentialSubject.id``, when issued through OpenID4VCI)."""
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
            endorsements=[self.signed_endorsement(e) for e in self.endorsements(badge=badge)],
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
        if holder is not None:
            doc["credentialSubject"]["id"] = holder
        return doc

    def signed_credential(self, assertion: Assertion, holder: str | None = None) -> dict:
        key, private = self.keyring.signing_key(assertion.issuer, "ed25519")
        return ob3.sign(
            self.credential(assertion, holder),
            private,
            self.urls.ob3_method(assertion.issuer_id, key.id),
            created=_utc(assertion.issued_on),
        )

    def vc_jwt(self, assertion: Assertion, holder: str | None = None) -> str:
        return self._jwt(assertion.issuer, self.credential(assertion, holder))

    def jwt_algorithm(self) -> str:
        """What :meth:`vc_jwt` signs with: EdDSA for did:web issuers, RS256 otherwise."""
        return "EdDSA" if self.urls.did_issuers else "RS256"

    def _jwt(self, issuer: Issuer, doc: dict) -> str:
        if self.urls.did_issuers:
            # EdDSA with the key the DID document lists (kid = did:web:...#key-N), so a DID
            # resolver finds it; RS256 keys are named by their JWKS URL, which a DID cannot be.
            key, private = self.keyring.signing_key(issuer, "ed25519")
            kid = self.urls.did_method(issuer.id, key.id)
        else:
            key, private = self.keyring.signing_key(issuer, "rsa")
            jwks = self.urls.jwks(issuer.id)
            kid = f"{jwks}#{key.id}"
        return ob3.to_vc_jwt(doc, private, kid=kid)

    def status_list(self, issuer: Issuer, *, did: bool = False) -> dict:
        """The BitstringStatusListCredential; ``did``: issued by the DID (``/did-status``),
        else by the profile URL (``/status``), matching the credentials that point at it."""
        revoked = self.dbsession.scalars(
            select(Assertion.status_index).where(
                Assertion.issuer_id == issuer.id, Assertion.revoked_at.is_not(None)
            )
        )
        url = self.urls.did_status_list if did else self.urls.status_list
        return self._status_list(issuer, revoked, url(issuer.id), did)

    def endorsement_status_list(self, issuer: Issuer, *, did: bool = False) -> dict:
        """The status list of the endorsements ``issuer`` made: a bit set for each withdrawn."""
        withdrawn = self.dbsession.scalars(
            select(Endorsement.status_index).where(
                Endorsement.endorser_id == issuer.id, Endorsement.withdrawn_at.is_not(None)
            )
        )
        url = self.urls.did_endorsement_status if did else self.urls.endorsement_status
        return self._status_list(issuer, withdrawn, url(issuer.id), did)

    def _status_list(self, issuer: Issuer, indexes, url: str, did: bool) -> dict:
        bits = status_list.StatusList()
        for index in indexes:
            bits.set(index)
        key, private = self.keyring.signing_key(issuer, "ed25519")
        if did:
            controller, method = self.urls.did(issuer.id), self.urls.did_method(issuer.id, key.id)
        else:
            controller = self.urls.issuer_profile(issuer.id)
            method = self.urls.key(issuer.id, key.id)
        doc = status_list.list_credential(url, controller, bits, valid_from=EPOCH)
        return integrity.sign(doc, private, method, created=EPOCH)

    # -- Endorsements (OB 2.0 Endorsement, OB 3.0 EndorsementCredential) -------------------

    def endorsements(self, *, badge: BadgeClass | None = None, issuer: Issuer | None = None):
        """The endorsements, not withdrawn, of ``badge`` or of ``issuer``, oldest first."""
        standing = select(Endorsement).where(Endorsement.withdrawn_at.is_(None))
        query = _endorsing(standing, badge, issuer).order_by(Endorsement.id)
        return list(self.dbsession.scalars(query))

    def endorsement_urls(self, **subject) -> list[str]:
        return [self.urls.endorsement(e.id) for e in self.endorsements(**subject)]

    def _subject_ids(self, endorsement: Endorsement) -> tuple[str, str, str]:
        """(OB 2.0 id, OB 3.0 id, name) of what ``endorsement`` endorses."""
        if endorsement.badge_class is not None:
            url = self.urls.badge_class(endorsement.badge_class.id)
            return url, url, endorsement.badge_class.name
        subject = endorsement.subject_issuer
        assert subject is not None  # one of the two is always set
        return self.urls.issuer(subject.id), self.urls.ob3_issuer(subject.id), subject.name

    def endorsement(self, endorsement: Endorsement) -> dict:
        """The hosted OB 2.0 Endorsement."""
        ob2_id, _ob3_id, _name = self._subject_ids(endorsement)
        return ob2.endorsement(
            self.urls.endorsement(endorsement.id),
            self.urls.issuer(endorsement.endorser_id),
            ob2_id,
            endorsement.comment,
            _utc(endorsement.issued_on),
        )

    def endorsement_credential(self, endorsement: Endorsement) -> dict:
        _ob2_id, ob3_id, name = self._subject_ids(endorsement)
        return ob3.endorsement_credential(
            self.urls.endorsement_credential(endorsement.id),
            self._ob3_issuer(endorsement.endorser, endorsed=False),
            ob3_id,
            endorsement.comment,
            name=f"Endorsement of {name}",
            valid_from=_utc(endorsement.issued_on),
            credential_status=ob3.status_entry(
                self.urls.ob3_endorsement_status(endorsement.endorser_id),
                endorsement.status_index,
            ),
        )

    def signed_endorsement(self, endorsement: Endorsement) -> dict:
        """The EndorsementCredential with the endorser's Data Integrity proof."""
        key, private = self.keyring.signing_key(endorsement.endorser, "ed25519")
        return ob3.sign(
            self.endorsement_credential(endorsement),
            private,
            self.urls.ob3_method(endorsement.endorser_id, key.id),
            created=_utc(endorsement.issued_on),
        )

    def endorsement_jwt(self, endorsement: Endorsement) -> str:
        return self._jwt(endorsement.endorser, self.endorsement_credential(endorsement))


def _uuid(uid: str) -> str:
    return f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:32]}"


def _endorsing(query, badge: BadgeClass | None, issuer: Issuer | None):
    """``query`` narrowed to the endorsements of ``badge`` and of ``issuer``, where given."""
    if badge is not None:
        query = query.where(Endorsement.badge_class_id == badge.id)
    if issuer is not None:
        query = query.where(Endorsement.subject_issuer_id == issuer.id)
    return query
