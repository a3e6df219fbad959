"""The public URLs of every badge document, absolute and on the tenant's own origin.

Open Badges ids are URLs that must stay the same whoever asks and however they reached us (a
verifier compares the assertion's origin with the issuer's), so they start with the tenant's
configured origin (the core's :mod:`col_core.tenancy.hosts`), never with the request's Host.
"""

from __future__ import annotations

from col_core.tenancy.hosts import addresses

PREFIX = "/badges"


class BadgeUrls:
    """Every badge URL of one tenant; ``origin`` is the tenant's configured origin."""

    def __init__(self, origin: str):
        self.origin = origin.rstrip("/")
        self.base = self.origin + PREFIX

    def file(self, key: str) -> str:
        """A stored file (the core's ``/files/<key>``), e.g. evidence a learner made public."""
        return f"{self.origin}/files/{key}"

    def issuer(self, issuer_id: int) -> str:
        return f"{self.base}/issuers/{issuer_id}"

    def issuer_profile(self, issuer_id: int) -> str:
        """The OB 3.0 profile: a controller document listing the issuer's Ed25519 keys."""
        return f"{self.issuer(issuer_id)}/profile"

    def key(self, issuer_id: int, key_id: int) -> str:
        return f"{self.issuer(issuer_id)}/keys/{key_id}"

    def jwks(self, issuer_id: int) -> str:
        return f"{self.issuer(issuer_id)}/jwks"

    def revocations(self, issuer_id: int) -> str:
        return f"{self.issuer(issuer_id)}/revocations"

    def status_list(self, issuer_id: int) -> str:
        return f"{self.issuer(issuer_id)}/status"

    def badge_class(self, class_id: int) -> str:
        return f"{self.base}/classes/{class_id}"

    def badge_image(self, class_id: int) -> str:
        return f"{self.badge_class(class_id)}/image"

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


def urls_for(request, tenant=None) -> BadgeUrls:
    return BadgeUrls(addresses(request.registry).origin(tenant or request.tenant).url)
