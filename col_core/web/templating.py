"""What every template sees: translation in its package's domain, the tenant, navigation."""

from __future__ import annotations

from babel import Locale
from jinja2 import pass_context
from markupsafe import Markup
from pyramid.decorator import reify
from pyramid.events import BeforeRender
from pyramid_jinja2 import ENV_CONFIG_PHASE

from col_core.i18n.catalogs import domain_for
from col_core.i18n.formatting import install_filters
from col_core.i18n.negotiation import tenant_locales
from col_core.security import mark_personal
from col_core.tenancy.hosts import tenant_url
from col_core.web.branding import css_variables


def _translate(
    context, message: str, plural: str | None = None, n: int | None = None, mapping=None
) -> str:
    request = context.get("request")
    if request is None:
        return message if plural is None or n == 1 else plural
    localizer = request.localizer
    registry = request.registry
    # The template's own domain first, then the core's: plugin pages extend the core layout.
    for domain in dict.fromkeys((domain_for(registry, context.name or ""), "col")):
        if plural is None:
            translated = localizer.translate(message, domain=domain, mapping=mapping)
            if translated != message or localizer.locale_name == "en":
                return translated
        else:
            translated = localizer.pluralize(message, plural, n, domain=domain, mapping=mapping)
            if translated not in (message, plural) or localizer.locale_name == "en":
                return translated
    return message if plural is None or n == 1 else plural


@pass_context
def gettext(context, message):
    return _translate(context, message)


@pass_context
def ngettext(context, singular, plural, n):
    return _translate(context, singular, plural, n)


def language_name(code: str) -> str:
    """A language's name in that language ("Lietuvių"), for the language switcher."""
    return (Locale.parse(code).get_display_name(code) or code).capitalize()


@pass_context
def city_url(context, tenant) -> str:
    return tenant_url(context["request"], tenant)


def add_renderer_globals(event: BeforeRender) -> None:
    request = event.get("request")
    if request is None or "layout" in event:
        return
    tenant = getattr(request, "tenant", None)
    event["tenant"] = tenant
    event["layout"] = Layout(request)


class Layout:
    """Values for the base layout, computed lazily so JSON and partial renders pay nothing."""

    def __init__(self, request):
        self.request = request

    @reify
    def navigation(self):
        if getattr(self.request, "tenant", None) is None:
            return []
        items = [
            item
            for items in self.request.hooks.col_navigation(request=self.request)
            for item in items or ()
        ]
        return sorted(items, key=lambda item: (item.order, item.title))

    @property
    def search_url(self) -> str | None:
        """Where the header's search box sends ``?q=``: the first entry that takes it."""
        return next((item.url for item in self.navigation if item.search), None)

    @property
    def unread_notifications(self) -> int | None:
        """The bell's count: None for visitors (and error pages, which ask the database
        nothing)."""
        request = self.request
        if getattr(request, "exception", None) is not None or request.user is None:
            return None
        from col_core.notifications import INotifications

        return request.find_service(INotifications).unread_count(request.user)

    @property
    def locale(self) -> str:
        return self.request.localizer.locale_name

    @property
    def locales(self) -> list[str]:
        return tenant_locales(getattr(self.request, "tenant", None))

    @property
    def flash_messages(self) -> list[str]:
        """The session's messages for this visitor, shown once (the page is then personal)."""
        messages = self.request.session.pop_flash()
        if messages:
            mark_personal(self.request)
        return messages

    @property
    def brand_css(self) -> Markup:
        return Markup(css_variables(getattr(self.request, "tenant", None)))


def _install(config) -> None:
    def install():
        environment = config.get_jinja2_environment()
        environment.install_gettext_callables(gettext, ngettext, newstyle=True)
        install_filters(environment)
        environment.filters["language_name"] = language_name
        environment.globals["city_url"] = city_url

    config.action(None, install, order=ENV_CONFIG_PHASE + 1)


def includeme(config):
    config.add_subscriber(add_renderer_globals, BeforeRender)
    _install(config)
