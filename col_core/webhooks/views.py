"""The webhook pages: city admins' ``/admin/webhooks`` (the city's subscriptions) and
organisation admins' ``/organisations/<slug>/webhooks`` (their organisation's)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from col_core.i18n import _
from col_core.webhooks.interfaces import IWebhooks
from col_core.webhooks.services import WebhookInputError

T = "col_core.webhooks:templates/"
CITY, ORG = "city.admin", "org.edit"


class Scope:
    """Whose subscriptions a page shows: the city's (organisation None) or one organisation's."""

    def __init__(self, request):
        if request.tenant.is_global:
            raise HTTPNotFound()
        self.request = request
        self.organisation = getattr(request.context, "organisation", None)
        if request.matched_route.name.startswith("cityadmin."):
            self.organisation = None

    def url(self, name, **kw):
        if self.organisation is None:
            return self.request.route_url(f"cityadmin.{name}", **kw)
        return self.request.route_url(f"organisation_{name}", slug=self.organisation.slug, **kw)

    def subscription(self):
        found = self.request.find_service(IWebhooks).get(
            int(self.request.matchdict["id"]), self.organisation
        )
        if found is None:
            raise HTTPNotFound()
        return found


def _list(request, values=None, errors=None, secret=None, created=None, status=200):
    scope = Scope(request)
    webhooks = request.find_service(IWebhooks)
    request.response.status = status
    translate = request.localizer.translate
    return {
        "scope": scope,
        "subscriptions": webhooks.subscriptions(scope.organisation),
        "events": webhooks.events(),
        "values": values or {"events": []},
        "errors": {name: translate(message) for name, message in (errors or {}).items()},
        "secret": secret,
        "created": created,
    }


@view_config(
    route_name="cityadmin.webhooks",
    request_method="GET",
    permission=CITY,
    renderer=T + "list.jinja2",
)
@view_config(
    route_name="organisation_webhooks",
    request_method="GET",
    permission=ORG,
    renderer=T + "list.jinja2",
)
def subscriptions(request):
    return _list(request)


@view_config(
    route_name="cityadmin.webhooks",
    request_method="POST",
    permission=CITY,
    renderer=T + "list.jinja2",
)
@view_config(
    route_name="organisation_webhooks",
    request_method="POST",
    permission=ORG,
    renderer=T + "list.jinja2",
)
def subscribe(request):
    scope = Scope(request)
    values = {"url": request.POST.get("url", ""), "events": request.POST.getall("events")}
    try:
        subscription, secret = request.find_service(IWebhooks).subscribe(
            values["url"], values["events"], scope.organisation, request.user
        )
    except WebhookInputError as refused:
        return _list(request, values, {"_form": refused.message, **refused.fields}, status=400)
    return _list(request, secret=secret, created=subscription, status=201)


@view_config(
    route_name="cityadmin.webhook",
    request_method="GET",
    permission=CITY,
    renderer=T + "show.jinja2",
)
@view_config(
    route_name="organisation_webhook",
    request_method="GET",
    permission=ORG,
    renderer=T + "show.jinja2",
)
def subscription_log(request):
    scope = Scope(request)
    subscription = scope.subscription()
    return {
        "scope": scope,
        "subscription": subscription,
        "attempts": request.find_service(IWebhooks).attempts(subscription, 50),
    }


@view_config(route_name="cityadmin.webhook_action", request_method="POST", permission=CITY)
@view_config(route_name="organisation_webhook_action", request_method="POST", permission=ORG)
def subscription_action(request):
    scope = Scope(request)
    subscription = scope.subscription()
    webhooks = request.find_service(IWebhooks)
    action = request.matchdict["action"]
    translate = request.localizer.translate
    if action == "delete":
        webhooks.remove(subscription)
        request.session.flash(translate(_("The subscription is deleted.")))
        return HTTPSeeOther(location=scope.url("webhooks"))
    if action == "enable":
        webhooks.enable(subscription)
        request.session.flash(translate(_("The subscription is on again.")))
    else:
        webhooks.send_test(subscription)
        request.session.flash(
            translate(_("A test event is on its way; its attempts appear below."))
        )
    return HTTPSeeOther(location=scope.url("webhook", id=subscription.id))


@view_config(route_name="cityadmin.webhook_action", request_method="GET", permission=CITY)
@view_config(route_name="organisation_webhook_action", request_method="GET", permission=ORG)
def action_page(request):
    # The actions are buttons on the subscription's page; a link to one leads there.
    scope = Scope(request)
    return HTTPSeeOther(location=scope.url("webhook", id=scope.subscription().id))
