"""IWalletOffers: awarded badges issued into wallet apps through OpenID4VCI."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from zope.interface import implementer

from col_core.db.meta import utcnow
from plugins.badges import oid4vci
from plugins.badges.documents import Documents
from plugins.badges.interfaces import IIssuerKeys, IWalletOffers
from plugins.badges.models import Assertion, WalletOffer
from plugins.badges.oid4vci import CONFIGURATIONS, OID4VCIError, digest
from plugins.badges.skills import skills_reader
from plugins.badges.urls import urls_for

OFFER_MINUTES = "badges.oid4vci.offer_minutes"
MAIL_OFFER_DAYS = "badges.oid4vci.mail_offer_days"
DEFAULTS = {OFFER_MINUTES: 10, MAIL_OFFER_DAYS: 7}


def _setting(settings: dict, name: str) -> int:
    try:
        value = int(settings.get(name, DEFAULTS[name]))
    except (TypeError, ValueError):
        value = DEFAULTS[name]
    return max(value, 0)


@implementer(IWalletOffers)
class WalletOffers:
    def __init__(self, request):
        self.request = request
        self.dbsession = request.dbsession
        self.urls = urls_for(request)
        self.settings = request.registry.settings
        self.nonces = oid4vci.Nonces(self.settings["col.secret"])

    # -- offers (the learner's side) -------------------------------------------------------

    def create(self, assertion, minutes=None) -> oid4vci.CreatedOffer:
        if assertion.is_revoked:
            raise ValueError("a revoked badge is offered to no wallet")
        if minutes is None:
            minutes = _setting(self.settings, OFFER_MINUTES) or DEFAULTS[OFFER_MINUTES]
        code = oid4vci.new_secret()
        expires_at = utcnow() + dt.timedelta(minutes=minutes)
        self.dbsession.add(
            WalletOffer(
                code_hash=digest(code),
                assertion_id=assertion.id,
                expires_at=expires_at,
                tenant_id=assertion.tenant_id,
            )
        )  # flushed with the request's other writes: a CSV of 10,000 badges makes 10,000 offers
        return oid4vci.CreatedOffer(
            link=self._link(code), qr_url=self.urls.wallet_offer_qr(code), expires_at=expires_at
        )

    def for_mail(self, assertion) -> oid4vci.CreatedOffer | None:
        days = _setting(self.settings, MAIL_OFFER_DAYS)
        if days == 0 or assertion.is_revoked:
            return None
        return self.create(assertion, minutes=days * 24 * 60)

    def _link(self, code: str) -> str:
        return oid4vci.offer_link(oid4vci.credential_offer(self.urls, code))

    def live(self, code: str) -> str | None:
        found = self.dbsession.scalar(
            select(WalletOffer).where(
                WalletOffer.code_hash == digest(code),
                WalletOffer.redeemed_at.is_(None),
                WalletOffer.expires_at > utcnow(),
            )
        )
        return self._link(code) if found is not None else None

    # -- metadata --------------------------------------------------------------------------

    def _documents(self) -> Documents:
        keyring = self.request.find_service(IIssuerKeys)
        return Documents(self.urls, keyring, self.dbsession, skills_reader(self.request))

    def issuer_metadata(self) -> dict:
        tenant = self.request.tenant
        locale = tenant.default_locale or "en"
        return oid4vci.issuer_metadata(
            self.urls, tenant.display_name(locale), locale, self._documents().jwt_algorithm()
        )

    def authorization_server_metadata(self) -> dict:
        return oid4vci.authorization_server_metadata(self.urls)

    # -- the wallet's side -----------------------------------------------------------------

    def redeem(self, grant_type, code) -> dict:
        if grant_type != oid4vci.PRE_AUTHORIZED:
            raise OID4VCIError(
                "unsupported_grant_type", f"Only {oid4vci.PRE_AUTHORIZED} is supported."
            )
        if not code or not isinstance(code, str):
            raise OID4VCIError("invalid_request", "The pre-authorized_code is missing.")
        token, now = oid4vci.new_secret(), utcnow()
        # One conditional UPDATE: of two redemptions of one code, only one finds it unredeemed
        # (on PostgreSQL the second waits for the first's row lock, then matches nothing).
        redeemed = self.dbsession.execute(
            update(WalletOffer)
            .where(
                WalletOffer.tenant_id == self.request.tenant.id,
                WalletOffer.code_hash == digest(code),
                WalletOffer.redeemed_at.is_(None),
                WalletOffer.expires_at > now,
            )
            .values(
                redeemed_at=now,
                token_hash=digest(token),
                token_expires_at=now + dt.timedelta(seconds=oid4vci.TOKEN_SECONDS),
            )
            .execution_options(synchronize_session=False)
        )
        if redeemed.rowcount != 1:
            raise OID4VCIError(
                "invalid_grant", "This offer is unknown, has expired or has already been used."
            )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": oid4vci.TOKEN_SECONDS,
            # Draft 13 wallets take their nonce from here; 1.0 ones ask the nonce endpoint.
            "c_nonce": self.nonces.make(),
            "c_nonce_expires_in": oid4vci.NONCE_SECONDS,
        }

    def nonce(self) -> str:
        return self.nonces.make()

    def credential(self, access_token, body) -> dict:
        assertion = self._authorised(access_token)
        if not isinstance(body, dict):
            raise OID4VCIError("invalid_credential_request", "The request must be a JSON object.")
        form, version_1 = _requested_format(body)
        holder = oid4vci.verify_proof(_proof(body), self.urls.origin, self.nonces)
        documents = self._documents()
        if form == "ldp_vc":
            credential: dict | str = documents.signed_credential(assertion, holder)
        else:
            credential = documents.vc_jwt(assertion, holder)
        if version_1:
            return {"credentials": [{"credential": credential}]}
        return {"credential": credential, "format": form, "c_nonce": self.nonces.make()}

    def _authorised(self, access_token) -> Assertion:
        if not access_token:
            raise OID4VCIError("invalid_token", "Send the access token as a Bearer token.", 401)
        offer = self.dbsession.scalar(
            select(WalletOffer).where(WalletOffer.token_hash == digest(access_token))
        )
        expires_at = offer.token_expires_at if offer is not None else None
        if expires_at is None or _aware(expires_at) <= utcnow():
            raise OID4VCIError("invalid_token", "The access token is unknown or has expired.", 401)
        if offer.assertion.is_revoked:
            raise OID4VCIError("credential_request_denied", "This badge is no longer issued.", 400)
        return offer.assertion


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; they are UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _requested_format(body: dict) -> tuple[str, bool]:
    """The format asked for, and whether the request is in the 1.0 form (a configuration id)
    rather than draft 13's (a format)."""
    if "credential_configuration_id" in body:
        configuration = body["credential_configuration_id"]
        if configuration not in CONFIGURATIONS:
            raise OID4VCIError(
                "unknown_credential_configuration",
                f"Ask for one of {', '.join(CONFIGURATIONS)}.",
            )
        return CONFIGURATIONS[configuration], True
    if "format" in body:
        if body["format"] not in CONFIGURATIONS.values():
            raise OID4VCIError(
                "unsupported_credential_format",
                f"Ask for one of {', '.join(CONFIGURATIONS.values())}.",
            )
        return body["format"], False
    raise OID4VCIError(
        "invalid_credential_request", "Name a credential_configuration_id (or a format)."
    )


def _proof(body: dict):
    """The one proof JWT: 1.0's ``proofs: {"jwt": [...]}`` or draft 13's ``proof``."""
    proofs, proof = body.get("proofs"), body.get("proof")
    if proofs is not None:
        if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
            raise OID4VCIError("invalid_proof", "Only proofs of type jwt are accepted.")
        jwts = proofs["jwt"]
        if not isinstance(jwts, list) or len(jwts) != 1:
            raise OID4VCIError("invalid_proof", "Send exactly one jwt proof.")
        return jwts[0]
    if isinstance(proof, dict):
        if proof.get("proof_type") != "jwt":
            raise OID4VCIError("invalid_proof", "Only proofs of type jwt are accepted.")
        return proof.get("jwt")
    raise OID4VCIError("invalid_proof", "The request carries no proof of the holder's key.")


def wallet_offers_factory(context, request) -> WalletOffers:
    return WalletOffers(request)
