"""The public URLs of every badge document, absolute and on the tenant's own origin.

Open Badges ids are URLs that must stay the same whoever asks and however they reached us (a
verifier compares the assertion's origin with the issuer's), so they start with the tenant's
configured origin (the core's :mod:`col_core.tenancy.hosts`), never with the request's Host.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from pyramid.exceptions import ConfigurationError

from col_core.settings import as_bool
from col_core.tenancy.hosts import addresses

PREFIX = "/badges"
DID_SETTING = "badges.did_issuers"


class BadgeUrls:
    """Every badge URL of one tenant; ``origin`` is the tenant's configured origin.

    ``did_issuers``: OB 3.0 credentials made from now on name the issuer by its ``did:web``
    (:meth:`did`) instead of its profile URL; both stay resolvable for what was signed before.
    """

    def __init__(self, origin: str, did_issuers: bool = False):
        self.origin = origin.rstrip("/")
        self.base = self.origin + PREFIX
        self.did_issuers = did_issuers

    def file(self, key: str) -> str:
        """A stored file (the core's ``/files/<key>``), e.g. evidence a learner made public."""
        return f"{self.origin}/files/{key}"

    def issuer(self, issuer_id: int) -> str:
        return f"{self.base}/issuers/{issuer_id}"

    def issuer_profile(self, issuer_id: int) -> str:
        """The OB 3.0 profile: a controller document listing the issuer's Ed25519 keys."""
        return f"{self.issuer(issuer_id)}/profile"

    def did(self, issuer_id: int) -> str:
        """The issuer's path-based ``did:web``: the issuer URL with ``/`` as ``:`` (the port's
        ``:`` percent-encoded), e.g. ``did:web:vilnius.example:badges:issuers:3``, resolved at
        the issuer URL + ``/did.json`` (route ``badges.did_document``)."""
        parts = urlsplit(self.issuer(issuer_id))
        path = ":".join(quote(p, safe="") for p in parts.path.strip("/").split("/"))
        return f"did:web:{quote(parts.netloc, safe='')}:{path}"

    def did_method(self, issuer_id: int, key_id: int) -> str:
        return f"{self.did(issuer_id)}#key-{key_id}"

    def ob3_issuer(self, issuer_id: int) -> str:
        """The OB 3.0 issuer id new credentials carry: the DID or the profile URL."""
        return self.did(issuer_id) if self.did_issuers else self.issuer_profile(issuer_id)

    def ob3_method(self, issuer_id: int, key_id: int) -> str:
        """The verification method of an Ed25519 key in the form :meth:`ob3_issuer` uses."""
        return (
            self.did_method(issuer_id, key_id) if self.did_issuers else self.key(issuer_id, key_id)
        )

    def ob3_status_list(self, issuer_id: int) -> str:
        """The status list whose issuer matches :meth:`ob3_issuer` (verifiers compare them)."""
        return self.did_status_list(issuer_id) if self.did_issuers else self.status_list(issuer_id)

    def key(self, issuer_id: int, key_id: int) -> str:
        return f"{self.issuer(issuer_id)}/keys/{key_id}"

    def jwks(self, issuer_id: int) -> str:
        return f"{self.issuer(issuer_id)}/jwks"

    def revocations(self, issuer_id: int) -> str:
        return f"{self.issuer(issuer_id)}/revocations"

    def status_list(self, issuer_id: int) -> str:
        return f"{self.issuer(issuer_id)}/status"

    def did_status_list(self, issuer_id: int) -> str:
        """The same bits as :meth:`status_list`, issued and signed by the issuer's DID."""
        return f"{self.issuer(issuer_id)}/did-status"

    def endorsement_status(self, issuer_id: int) -> str:
        """The issuer's endorsements' status list (the bits of those it withdrew)."""
        return f"{self.issuer(issuer_id)}/endorsement-status"

    def did_endorsement_status(self, issuer_id: int) -> str:
        return f"{self.issuer(issuer_id)}/did-endorsement-status"

    def ob3_endorsement_status(self, issuer_id: int) -> str:
        return (
            self.did_endorsement_status(issuer_id)
            if self.did_issuers
            else self.endorsement_status(issuer_id)
        )

    def endorsement(self, endorsement_id: int) -> str:
        """The hosted OB 2.0 Endorsement."""
        return f"{self.base}/endorsements/{endorsement_id}"

    def endorsement_credential(self, endorsement_id: int) -> str:
        """The OB 3.0 EndorsementCredential of the same endorsement."""
        return f"{self.endorsement(endorsement_id)}/credential"

    def badge_class(self, class_id: int) -> str:
        return f"{self.base}/classes/{class_id}"

    def badge_image(self, class_id: int) -> str:
        return f"{self.badge_class(class_id)}/image"

    def badge_image_png(self, class_id: int) -> str:
        """The image as PNG, for link previews (social networks do not show SVG)."""
        return f"{self.badge_class(class_id)}/image.png"

    def assertion(self, uid: str) -> str:
        return f"{self.base}/assertions/{uid}"

    def signed(self, uid: str) -> str:
        return f"{self.assertion(uid)}/signed"

    def baked(self, uid: str, version: int, ext: str) -> str:
        return f"{self.assertion(uid)}/baked-ob{version}.{ext}"

    def credential(self, uid: str) -> str:
        return f"{self.base}/credentials/{uid}"

    def share(self, uid: str) -> str:
        return f"{self.base}/share/{uid}"

    def claim(self, code: str) -> str:
        return f"{self.base}/claim/{code}"

    def accept(self, token: str) -> str:
        return f"{self.base}/accept/{token}"

    def well_known(self, name: str) -> str:
        """``/.well-known/<name>`` of the city (OpenID4VCI metadata), outside ``/badges``."""
        return f"{self.origin}/.well-known/{name}"

    def oid4vci(self, endpoint: str) -> str:
        """An OpenID4VCI endpoint of the city: ``token``, ``nonce`` or ``credential``."""
        return f"{self.base}/oid4vci/{endpoint}"

    def wallet_offer(self, uid: str) -> str:
        """Where the recipient asks for a new offer of the badge to a wallet app (POST)."""
        return f"{self.share(uid)}/wallet-app"

    def wallet_offer_qr(self, code: str) -> str:
        return f"{self.base}/oid4vci/offers/{code}/qr.svg"


DID_CHOICES = ("auto", "true", "false", "1", "0", "yes", "no", "on", "off")


def check_did_setting(settings: dict) -> None:
    """Refuse at start-up a value of ``badges.did_issuers`` that would silently mean "off"."""
    value = str(settings.get(DID_SETTING, "auto")).strip().lower()
    if value not in DID_CHOICES:
        raise ConfigurationError(
            f"{DID_SETTING} = {value!r}: use true, false or auto (did:web where the public URL "
            "is HTTPS)"
        )


def did_issuers(settings: dict, origin: str) -> bool:
    """``badges.did_issuers``: ``true``, ``false`` or ``auto`` (did:web only over HTTPS)."""
    value = str(settings.get(DID_SETTING, "auto")).strip().lower()
    if value == "auto":
        return origin.startswith("https://")
    return as_bool(value)


def urls_for(request, tenant=None) -> BadgeUrls:
    origin = addresses(request.registry).origin(tenant or request.tenant).url
    return BadgeUrls(origin, did_issuers(request.registry.settings, origin))
