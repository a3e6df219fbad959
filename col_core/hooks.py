"""The core's own implementations of the plugin hooks (always enabled, in every tenant)."""

from __future__ import annotations

from pathlib import Path

from col_core.hookspecs import NavItem, hookimpl
from col_core.i18n import _ as t


@hookimpl
def col_migrations() -> str:
    return str(Path(__file__).parent / "db" / "migrations" / "versions")


@hookimpl(tryfirst=True)
def col_seed_demo(request, tenant) -> list[str]:
    # People and organisations first: plugins' demo data builds on them.
    from col_core.security.demo import seed_people

    return seed_people(request, tenant)


@hookimpl
def col_navigation(request) -> list[NavItem]:
    _ = request.localizer.translate
    tenant = request.tenant
    items = []
    if not tenant.is_global:
        items.append(NavItem(_(t("Organisations")), request.route_url("organisations"), order=40))
    if getattr(request, "exception", None) is not None:
        return items  # an error page: the transaction may be unusable, so ask the database nothing
    if request.user is None:
        # Through the single sign-on handshake: signed in elsewhere in the network is enough.
        signin = request.route_url("sso_start", _query={"next": request.site_path})
        items.append(NavItem(_(t("Sign in")), signin, order=90))
        return items
    items.append(NavItem(_(t("Your account")), request.route_url("account"), order=90))
    if not tenant.is_global and request.roles.memberships:
        items.append(
            NavItem(_(t("Your organisations")), request.route_url("organisations_mine"), order=91)
        )
    if not tenant.is_global and request.roles.is_city_admin:
        items.append(
            NavItem(
                _(t("Organisations to check")), request.route_url("admin_organisations"), order=95
            )
        )
        items.append(NavItem(_(t("People")), request.route_url("admin_people"), order=96))
        items.append(
            NavItem(_(t("Branding and texts")), request.route_url("cityadmin.branding"), order=97)
        )
    return items
