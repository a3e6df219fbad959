"""The accounts service contract (implemented in :mod:`col_core.security.services`)."""

from __future__ import annotations

from zope.interface import Interface


class IAccountService(Interface):
    """Accounts: registration, emailed links, sign-in checks, profile changes, erasure.

    Every method works in the request's transaction; emails leave only if it commits.  No
    method reveals whether an email address has an account (callers show one message).
    """

    def register(values: dict):
        """Create an unverified account from cleaned sign-up ``values`` and email the link.

        If the address already has an account, email its owner instead and return None.
        Minors below the tenant's digital consent age also get a guardian-consent email.
        """

    def missing_consents(user) -> list[str]:
        """The documents ("terms", "privacy") ``user`` has not accepted in the request's tenant,
        at the tenant's current ``legal_version``."""

    def record_consents(user) -> None:
        """Record that ``user`` accepts the request's tenant's terms and privacy notice now."""

    def needs_guardian(birth_date) -> tuple[bool, bool]:
        """(too young for the request's tenant, needs a guardian's consent there)."""

    def send_guardian_request(user) -> None:
        """Email ``user.guardian_email`` a link to consent for the (minor) account."""

    def authenticate(email: str, password: str):
        """The active User with these credentials, or None (constant-ish time either way)."""

    def issue_token(user, purpose: str, data: dict | None = None) -> str:
        """Store the hash of a new single-use token for ``purpose``; return the secret."""

    def consume_token(purpose: str, secret: str):
        """Mark the unexpired, unused token used and return it, or None."""

    def request_reset(email: str) -> None:
        """Email a password-reset link if the address has an account (silently otherwise)."""

    def set_password(user, password: str) -> None:
        """Hash and store ``password``; every session of the account ends."""

    def request_email_change(user, new_email: str) -> None:
        """Email a confirmation link to ``new_email`` (the change happens when it is used)."""

    def send(user_or_address, subject, body: str, locale: str | None = None) -> None:
        """Email a translated message in the recipient's language."""

    def erase(user) -> None:
        """Erase the account's personal data, keeping an anonymous row (GDPR Art. 17)."""


class ICityPeople(Interface):
    """The people of the request's city and who administers it: the one reviewed way to read
    and change what global accounts are in a city (its people, their organisations' roles, its
    administrators).  Every method works for ``request.tenant`` only, whatever account ids it
    is given; accounts of other cities are neither listed nor changed.
    """

    def people(limit: int) -> list:
        """Active accounts whose home city this is, or who belong to one of its organisations,
        by name."""

    def organisation_roles() -> dict:
        """``{account id: ["<organisation> (<role>)", ...]}`` for this city's organisations."""

    def administrators() -> list:
        """This city's administrators (accounts), by name."""

    def grant_administration(email: str, require_active: bool = True):
        """Make the account with this address an administrator of this city; returns it.
        Raises :class:`AdministrationRefused` when no account uses the address, or (unless
        ``require_active`` is false, as for the command line) when it is not active yet."""

    def revoke_administration(account_id: int) -> None:
        """End an account's administration of this city.  Raises ``LookupError`` when it does
        not administer this city, and :class:`AdministrationRefused` when it is the city's
        last administrator (a city always keeps one)."""


class ISingleSignOn(Interface):
    """Signing a browser in on one site of the network from its session on another
    (docs/security.md: single sign-on).  Tickets are random, kept only as SHA-256 hashes,
    expire within a minute, and are redeemed once, by the one site they were issued for, with
    the ``state`` the redeeming browser started the handshake with."""

    def hub():
        """The network's identity hub, the global site (a Tenant), or None when there is none."""

    def site_of(url: str):
        """The active tenant whose configured address ``url`` (absolute) is on, or None: what
        the handshake may send a browser to.  Any other address (another host, a userinfo part,
        a scheme other than http and https, a disabled city) is None."""

    def shares_cookies(tenant) -> bool:
        """Whether browsers send the request's site and ``tenant`` the same cookies (same host
        name, as in the ``/t/<slug>/`` form): no handshake is needed between them."""

    def issue(user, audience, state: str, family: str) -> str:
        """A new ticket for ``user``, redeemable only on ``audience`` (a Tenant) with ``state``;
        ``family`` is the issuing session's, handed on to the session the ticket starts."""

    def redeem(ticket: str, state: str):
        """``(user, family)`` if ``ticket`` was issued for the request's site with ``state``,
        is unexpired and unused, and its person may sign in (not deleted, e-mail confirmed, no
        guardian consent pending); else None.  A ticket is used up by its first redemption."""


class AdministrationRefused(Exception):
    """A change to a city's administrators that is not allowed; ``message`` says why (a
    translation string)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
