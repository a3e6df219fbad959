"""Sessions and CSRF protection (accounts, roles and the security policy build on these)."""

from __future__ import annotations

from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.session import SignedCookieSessionFactory

from col_core.settings import as_bool

SESSION_COOKIE = "col_session"


def _csrf_applies(request) -> bool:
    # JSON API clients authenticate with a Bearer token, which a browser never sends on its own,
    # so cross-site request forgery cannot ride on them; browsers' cookie sessions must pass CSRF.
    return not request.authorization or request.authorization.authtype.lower() != "bearer"


def includeme(config):
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
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True, callback=_csrf_applies)
