"""Which language a request is served in, always one the tenant enables.

Explicit choice first (``?lang=``, then the language cookie, then the signed-in person's
preferred language), then the browser's Accept-Language, then the tenant's default.
"""

from __future__ import annotations

LOCALE_COOKIE = "col_locale"


def tenant_locales(tenant) -> list[str]:
    if tenant is None:
        return ["en"]
    return list(tenant.locales or [tenant.default_locale])


def _match(candidate: str | None, allowed: list[str]) -> str | None:
    if not candidate:
        return None
    candidate = candidate.replace("-", "_")
    if candidate in allowed:
        return candidate
    base = candidate.split("_")[0].lower()
    return base if base in allowed else None


def negotiate_locale(request) -> str:
    tenant = getattr(request, "tenant", None)
    allowed = tenant_locales(tenant)
    # The address's ?lang= only: a form's body may be unreadable (then the language of the
    # error page saying so must not depend on it), and the switcher sets the cookie anyway.
    explicit = [request.GET.get("lang"), request.cookies.get(LOCALE_COOKIE)]
    user = getattr(request, "preferred_locale_of_user", None)
    if user:
        explicit.append(user)
    for candidate in explicit:
        if found := _match(candidate, allowed):
            return found
    if request.accept_language:
        # RFC 4647 lookup: "de-AT, en;q=0.5" picks "de" when the city offers de and en.
        found = request.accept_language.lookup(
            language_tags=[locale.replace("_", "-") for locale in allowed], default=lambda: None
        )
        if found:
            return found.replace("-", "_")
    default = tenant.default_locale if tenant is not None else "en"
    return default if default in allowed else allowed[0]
