"""IIssuerKeys: issuers and their encrypted, rotatable signing keys."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from zope.interface import implementer

from col_core.db.meta import utcnow
from plugins.badges.interfaces import IIssuerKeys
from plugins.badges.models import Issuer, IssuerKey
from plugins.badges.ob import keys


def key_encryption_secret(settings: dict) -> bytes:
    # A key of its own, derived from col.secret, so that a leaked session signature (the other
    # use of col.secret) and the key store never share material directly.
    return hashlib.sha256(b"col-badges-keys\0" + settings["col.secret"].encode()).digest()


@implementer(IIssuerKeys)
class IssuerKeys:
    def __init__(self, dbsession, settings: dict):
        self.dbsession = dbsession
        self.secret = key_encryption_secret(settings)
        self._cache: dict[int, object] = {}

    def issuer_for(self, organisation) -> Issuer:
        issuer = self.dbsession.scalar(
            select(Issuer).where(Issuer.organisation_id == organisation.id)
        )
        if issuer is None:
            issuer = Issuer(
                organisation=organisation,
                email=organisation.contact_email,
                tenant_id=organisation.tenant_id,
            )
            self.dbsession.add(issuer)
            for kind in ("ed25519", "rsa"):
                self._new_key(issuer, kind)
            self.dbsession.flush()
        return issuer

    def city_issuer(self, tenant) -> Issuer:
        issuer = self.dbsession.scalar(select(Issuer).where(Issuer.organisation_id.is_(None)))
        if issuer is None:
            issuer = Issuer(organisation=None, email="", tenant_id=tenant.id)
            self.dbsession.add(issuer)
            for kind in ("ed25519", "rsa"):
                self._new_key(issuer, kind)
            self.dbsession.flush()
        return issuer

    def _new_key(self, issuer: Issuer, kind: str) -> IssuerKey:
        private = keys.generate_ed25519() if kind == "ed25519" else keys.generate_rsa()
        key = IssuerKey(
            kind=kind,
            public_pem=keys.public_key_to_pem(private),
            private_pem=keys.private_key_to_pem(private, self.secret),
            tenant_id=issuer.tenant_id,
        )
        issuer.keys.append(key)
        return key

    def signing_key(self, issuer: Issuer, kind: str):
        key = issuer.active_key(kind) or self._new_key(issuer, kind)
        if key.id is None:
            self.dbsession.flush()
        private = self._cache.get(key.id)
        if private is None:
            private = keys.private_key_from_pem(key.private_pem, self.secret)
            self._cache[key.id] = private
        return key, private

    def rotate(self, issuer: Issuer, kind: str) -> IssuerKey:
        old = issuer.active_key(kind)
        if old is not None:
            old.retired_at = utcnow()
        key = self._new_key(issuer, kind)
        self.dbsession.flush()
        return key


def issuer_keys_factory(context, request) -> IssuerKeys:
    return IssuerKeys(request.dbsession, request.registry.settings)
