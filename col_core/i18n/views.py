"""The language switcher: remembers the choice in a cookie (and the profile, when signed in)."""

from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.view import view_config

from col_core.i18n.negotiation import LOCALE_COOKIE, tenant_locales


@view_config(route_name="set_locale", request_method="POST", require_csrf=True)
def set_locale(request):
    locale = request.POST.get("lang", "")
    if locale not in tenant_locales(request.tenant):
        raise HTTPBadRequest(
            f"This site is not available in {locale!r}; choose one of "
            + ", ".join(tenant_locales(request.tenant))
            + "."
        )
    user = getattr(request, "user", None)
    if user is not None:  # signed in: the choice follows the person to other devices
        user.preferred_locale = locale
    home = request.application_url + "/"
    came_from = request.POST.get("came_from") or home
    if not came_from.startswith(home):  # the slash: "https://city.example@evil.example" is not ours
        came_from = home
    response = HTTPSeeOther(location=came_from)
    response.set_cookie(
        LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response
