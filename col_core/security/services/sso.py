"""The default :class:`ISingleSignOn`: tickets in ``user_tokens`` (purpose ``sso``).

A ticket is a random 256-bit secret of which only the SHA-256 hash is kept, like an e-mailed
link's; its row names the one site that may redeem it and the hash of the handshake's
``state``.  Redemption is a conditional UPDATE (``used_at IS NULL``), so of two requests
racing with the same ticket exactly one signs in.
"""

from __future__ import annotations

import datetime as dt
import hmac
from urllib.parse import urlsplit

from sqlalchemy import select, update
from zope.interface import implementer

from col_core.db.meta import utcnow
from col_core.security.interfaces import ISingleSignOn
from col_core.security.models import User, UserToken
from col_core.security.services import _aware
from col_core.security.tokens import digest, new_secret
from col_core.tenancy.hosts import addresses, split_host
from col_core.tenancy.models import Tenant
from col_core.tenancy.resolve import load_tenant, tenant_address
from col_core.tenancy.scoping import account_lookup

PURPOSE = "sso"
# Long enough for two redirects on a slow phone connection, short enough to be useless later.
TICKET_LIFETIME = dt.timedelta(seconds=60)


def may_sign_in(user: User) -> bool:
    """What the sign-in form requires too: an active account, no guardian consent pending."""
    waiting_for_guardian = bool(user.guardian_email) and user.guardian_consent_at is None
    return user.is_active and not waiting_for_guardian


@implementer(ISingleSignOn)
class SingleSignOn:
    def __init__(self, context, request):  # pyramid_services factory signature
        self.request = request
        self.session = request.dbsession
        self.addresses = addresses(request.registry)

    def hub(self) -> Tenant | None:
        return self.session.scalar(select(Tenant).where(Tenant.kind == "global"))

    def site_of(self, url: str) -> Tenant | None:
        try:
            parts = urlsplit(url or "")
            port = parts.port
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or "@" in parts.netloc or "\\" in url:
            return None
        domain, _port = split_host(parts.netloc)
        if not domain:
            return None
        address, _rest = tenant_address(domain, parts.path or "/", self.addresses)
        tenant = load_tenant(self.session, address)
        if tenant is None or not tenant.active:
            return None
        origin = self.addresses.origin(tenant)
        default_port = {"http": 80, "https": 443}[parts.scheme]
        on_origin = (
            parts.scheme == origin.scheme
            and domain == origin.hostname
            and (port or default_port) == (origin.port or default_port)
            and f"{parts.path}/".startswith(f"{origin.path}/")
        )
        return tenant if on_origin else None

    def shares_cookies(self, tenant) -> bool:
        here = self.addresses.origin(self.request.tenant)
        return here.hostname == self.addresses.origin(tenant).hostname

    def issue(self, user, audience, state: str, family: str) -> str:
        secret = new_secret()
        ticket = UserToken(
            user_id=user.id,
            purpose=PURPOSE,
            token_hash=digest(secret),
            data={"audience": audience.id, "state": digest(state), "family": family},
            expires_at=utcnow() + TICKET_LIFETIME,
        )
        with account_lookup(self.session):
            self.session.add(ticket)
            self.session.flush()
        return secret

    def redeem(self, ticket: str, state: str) -> tuple[User, str | None] | None:
        by_hash = select(UserToken).where(
            UserToken.token_hash == digest(ticket or ""), UserToken.purpose == PURPOSE
        )
        with account_lookup(self.session):
            found = self.session.scalar(by_hash)
            if found is None or not self._meant_for_here(found, state):
                return None
            used_now = self.session.execute(
                update(UserToken)
                .where(UserToken.id == found.id, UserToken.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if used_now.rowcount != 1:
                return None  # redeemed before, or by a request racing this one
            user = found.user
        if not may_sign_in(user):
            return None
        return user, found.data.get("family")

    def _meant_for_here(self, ticket: UserToken, state: str) -> bool:
        data = ticket.data or {}
        return (
            data.get("audience") == self.request.tenant.id
            and hmac.compare_digest(str(data.get("state", "")), digest(state or ""))
            and _aware(ticket.expires_at) > utcnow()
        )


def includeme(config):
    config.register_service_factory(SingleSignOn, ISingleSignOn)
