"""ILearnerRecord: a learner's badges from every city as one signed CLR 2.0 credential."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select
from zope.interface import implementer

from col_core.tenancy import account_lookup
from col_core.tenancy.scoping import cross_tenant
from plugins.badges.documents import Documents
from plugins.badges.interfaces import IIssuerKeys, ILearnerRecord
from plugins.badges.models import RecordLink
from plugins.badges.ob import clr, keys, ob3
from plugins.badges.ob._dates import utcnow

PLATFORM_NAME = "Cities of Learning"


def platform_key(settings: dict) -> ed25519.Ed25519PrivateKey:
    """The platform issuer's Ed25519 key, derived from ``col.secret`` (nothing stored).

    A CLR is regenerated on every request, so a changed secret simply signs from then on."""
    seed = hashlib.sha256(b"col-badges-clr\0" + settings["col.secret"].encode()).digest()
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed)


@implementer(ILearnerRecord)
class LearnerRecord:
    def __init__(self, request):
        self.request = request

    def _credentials(self, user) -> list[dict]:
        # Late import: the wallet view module owns the cross-city listing of a person's badges.
        from plugins.badges.views.wallet import own_assertions

        keyring = self.request.find_service(IIssuerKeys)
        session = self.request.dbsession
        with cross_tenant(session):
            return [
                Documents(urls, keyring, session).signed_credential(assertion)
                for assertion, urls in own_assertions(self.request, user)
                if not (assertion.is_revoked or assertion.is_expired)
            ]

    def export(self, user, form: str = "ldp") -> dict | str | None:
        credentials = self._credentials(user)
        if not credentials:  # CLR 2.0 needs at least one credential in the record
            return None
        private = platform_key(self.request.registry.settings)
        did = keys.did_key(private)
        record = clr.clr_credential(
            f"urn:uuid:{uuid.uuid4()}",
            ob3.profile(did, PLATFORM_NAME),
            credentials,
            valid_from=utcnow(),
            name=f"{PLATFORM_NAME}: learner record",  # no personal name: links are public
            identifier=[ob3.identity_object(user.email)],
        )
        method = keys.did_key_verification_method(private)
        if form == "jwt":
            return ob3.to_vc_jwt(record, private, kid=method)
        return clr.sign(record, private, method)

    def links(self, user) -> list[RecordLink]:
        query = select(RecordLink).where(RecordLink.user_id == user.id)
        return list(self.request.dbsession.scalars(query.order_by(RecordLink.id.desc())))

    def create_link(self, user) -> RecordLink:
        link = RecordLink(user_id=user.id, token=secrets.token_urlsafe(32))
        self.request.dbsession.add(link)
        self.request.dbsession.flush()
        return link

    def revoke_link(self, user, link_id: int) -> bool:
        link = self.request.dbsession.get(RecordLink, link_id)
        if link is None or link.user_id != user.id or link.is_revoked:
            return False
        link.revoked_at = utcnow()
        return True

    def shared(self, token: str, form: str = "ldp") -> tuple[str, dict | str | None]:
        # Whose link it is comes before knowing the person: a reviewed look-up by token (on
        # PostgreSQL row-level security shows a person's rows only to that person otherwise).
        session = self.request.dbsession
        with account_lookup(session):
            link = session.scalar(select(RecordLink).where(RecordLink.token == token))
            user = link and not link.is_revoked and link.user
        if link is None:
            return "unknown", None
        record = self.export(user, form) if user else None
        return ("ok", record) if record else ("gone", None)


def learner_record_factory(context, request) -> LearnerRecord:
    return LearnerRecord(request)
