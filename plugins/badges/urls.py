"""The public URLs of every badge document, absolute and on the tenant's own origin.

Open Badges ids are URLs that must stay the same whoever asks and however they reached us (a
verifier compares the assertion's origin with the issuer's), so they are computed from the
configuration (``col.public_url``, ``col.base_domain`` and the tenant's hostnames), never from
the request's Host header.  Without ``col.public_url`` (a bare development setup) the city's
address as seen from the request (the core's ``tenant_url``) is used.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from col_core.tenancy.resolve import tenant_url

PREFIX = "/badges"


def tenant_origin(settings: dict, tenant) -> str:
    """``scheme://host[:port][/t/slug]`` of ``tenant`` (``col.public_url`` must be set)."""
    public = settings["col.public_url"].rstrip("/")
    parts = urlsplit(public)
    port = f":{parts.port}" if parts.port else ""
    base_domain = (settings.get("col.base_domain") or "").lower()
    if tenant.hostnames:
        host = tenant.hostnames[0]
        same_server = host == parts.hostname or host.endswith("." + base_domain)
        return f"{parts.scheme}://{host}{port if same_server else ''}"
    if parts.hostname == base_domain:
        return f"{parts.scheme}://{tenant.slug}.{base_domain}{port}"
    return f"{public}/t/{tenant.slug}"


class BadgeUrls:
    """Every badge URL of one tenant; ``origin`` comes from :func:`tenant_origin`."""

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
    tenant = tenant or request.tenant
    settings = request.registry.settings
    if settings.get("col.public_url"):
        return BadgeUrls(tenant_origin(settings, tenant))
    # No public URL configured (development): the city as seen from this request's host.
    return BadgeUrls(tenant_url(request, tenant))
