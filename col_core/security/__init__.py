"""Sessions, CSRF, identity and permissions; accounts and their pages.

``request.user`` is the signed-in person (or None), ``request.roles`` their roles in the
request's tenant; views declare a permission from ``policy.PERMISSIONS`` (docs/security.md).
"""

from __future__ import annotations

import secrets

from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.session import SignedCookieSessionFactory
from pyramid.tweens import EXCVIEW, MAIN
from pyramid.util import strings_differ

from col_core.settings import as_bool

SESSION_COOKIE = "col_session"
# Set in the WSGI environ when the response carries something of this visitor's session (a CSRF
# token, a flash message): col_core.web.headers then forbids any cache to keep it.
PERSONAL_RESPONSE = "col.personal_response"


def mark_personal(request) -> None:
    request.environ[PERSONAL_RESPONSE] = True


class CSRFStoragePolicy(SessionCSRFStoragePolicy):
    """The session's CSRF token, marking every response that reads it as personal.

    Pages carry it masked, a fresh random pad each time (``pad + (pad XOR token)``, in hex), so
    no two responses hold the same bytes for it: compressed pages that also reflect a visitor's
    input do not leak it by their size (the BREACH attack).  The unmasked token is accepted too.
    """

    def new_csrf_token(self, request):
        mark_personal(request)
        return _mask(super().new_csrf_token(request))

    def get_csrf_token(self, request):
        mark_personal(request)
        return _mask(self._token(request))

    def check_csrf_token(self, request, supplied_token):
        expected = self._token(request).encode()
        supplied = _unmask(supplied_token, len(expected))
        return not strings_differ(expected, supplied)

    def _token(self, request) -> str:
        """The session's own token, unmasked (made when it has none)."""
        return request.session.get(self.key) or super().new_csrf_token(request)


def _mask(token: str) -> str:
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return (pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True))).hex()


def _unmask(supplied: str, size: int) -> bytes:
    """The token a masked ``supplied`` hides, or ``supplied`` itself when it is not masked."""
    try:
        masked = bytes.fromhex(supplied) if len(supplied) == 4 * size else b""
    except ValueError:
        masked = b""
    if not masked:
        return supplied.encode(errors="backslashreplace")
    pad, hidden = masked[:size], masked[size:]
    return bytes(a ^ b for a, b in zip(pad, hidden, strict=True))


def _csrf_applies(request) -> bool:
    # JSON API clients authenticate with a Bearer token, which a browser never sends on its own,
    # so cross-site request forgery cannot ride on them; browsers' cookie sessions must pass CSRF.
    # Outside the API a Bearer header exempts nothing (and is refused: policy.token_scope_refusal).
    from col_core.api.errors import is_api_request
    from col_core.security.policy import bearer

    return not (bearer(request) and is_api_request(request))


def _identity(request):
    from col_core.security.policy import identify

    return identify(request)


def _user(request):
    identity = request.col_identity
    return identity.user if identity else None


def _roles(request):
    from col_core.security.policy import Roles

    return Roles(request, request.user)


def _preferred_locale(request):
    # Read by the locale negotiator (col_core.i18n.negotiation).
    return request.user.preferred_locale if request.user is not None else None


def includeme(config):
    from col_core.security import sessions
    from col_core.security.forms import site_path
    from col_core.security.policy import TOKEN_USED, SecurityPolicy, write_tokens_used

    settings = config.get_settings()
    production = settings["col.environment"] == "production"
    config.set_session_factory(
        SignedCookieSessionFactory(
            settings["col.secret"],
            cookie_name=SESSION_COOKIE,
            httponly=True,
            samesite="Lax",
            secure=production or as_bool(settings.get("col.secure_cookies", "false")),
            timeout=14 * 24 * 3600,
            reissue_time=3600,
        )
    )
    config.set_csrf_storage_policy(CSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True, callback=_csrf_applies)
    config.set_security_policy(SecurityPolicy())
    # What a context hides from the person (``visible(request)`` says no) is answered 404.
    config.add_tween("col_core.security.policy.hidden_as_not_found", under=EXCVIEW, over=MAIN)
    # When a session or a token was last used: noted by any request, written in batches.
    config.add_tally_kind(sessions.SESSION_SEEN, sessions.write_seen, combine=max)
    config.add_tally_kind(TOKEN_USED, write_tokens_used, combine=max)
    # A token's reach (API only; read tokens never write) is checked once the route is known,
    # before its context is looked for (which could answer 404 first).
    config.add_subscriber(
        "col_core.security.policy.refuse_out_of_scope_tokens", "pyramid.events.BeforeTraversal"
    )
    config.add_directive("add_bearer_route", "col_core.security.policy.add_bearer_route")
    from col_core.security.throttle import limits

    # Read once, so a bad limit stops the start, not a sign-in.
    config.registry["col.throttle_limits"] = limits(settings)
    config.add_request_method(_identity, "col_identity", reify=True)
    config.add_request_method(_user, "user", reify=True)
    config.add_request_method(_roles, "roles", reify=True)
    config.add_request_method(site_path, "site_path", reify=True)
    config.add_request_method(_preferred_locale, "preferred_locale_of_user", reify=True)
    from col_core.security.interfaces import IAccountService
    from col_core.security.services import AccountService

    config.register_service_factory(AccountService, IAccountService)
    config.include("col_core.security.services.administration")
    config.include("col_core.security.services.sso")
    from col_core.security.views.consent import consent_gate

    config.add_view_deriver(consent_gate)
    for name, pattern in ROUTES:
        config.add_route(name, pattern)
    config.scan("col_core.security.views")  # every module of the views/ package
    config.include("col_core.security.views.signin_redirect")


# Ids are digits in the patterns, so views can use int(matchdict["id"]) directly.
ROUTES = (
    ("signup", "/signup"),
    ("signup_done", "/signup/done"),
    ("signin", "/signin"),
    ("signout", "/signout"),
    ("verify_email", "/verify/{token}"),
    ("forgot_password", "/password/forgot"),
    ("reset_password", "/password/reset/{token}"),
    ("account", "/account"),
    ("change_email", "/account/email"),
    ("confirm_email", "/account/email/{token}"),
    ("privacy", "/account/privacy"),
    ("export", "/account/export"),
    ("delete_account", "/account/delete"),
    ("guardian_consent", "/guardian/{token}"),
    ("person", r"/people/{id:\d+}"),
    ("api_tokens", "/account/tokens"),
    ("api_token_revoke", r"/account/tokens/{id:\d+}/revoke"),
    ("consent", "/consent"),
    ("admin_people", "/admin/people"),
    ("session_end", r"/account/sessions/{id:\d+}/end"),
    ("sessions_end_others", "/account/sessions/end-others"),
    ("admin_revoke", r"/admin/people/{id:\d+}/revoke"),
    ("sso_start", "/sso/start"),
    ("sso_authorize", "/sso/authorize"),
    ("sso_callback", "/sso/callback"),
)
