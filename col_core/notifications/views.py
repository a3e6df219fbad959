"""The notification list (read on GET, marked read only by POST) and the choice of e-mails."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from col_core.i18n import _
from col_core.notifications.interfaces import INotifications

T = "col_core.notifications:templates/"


@view_config(
    route_name="notifications",
    request_method="GET",
    renderer=T + "list.jinja2",
    permission="learner",
)
def notifications(request):
    service = request.find_service(INotifications)
    found = service.recent(request.user)
    return {
        "notifications": [(n, service.text(n)) for n in found],
        "unread": any(n.read_at is None for n in found),
    }


@view_config(route_name="notifications_read", request_method="POST", permission="learner")
def mark_read(request):
    """One notification (``id``: then on to its page) or, without ``id``, all of them."""
    service = request.find_service(INotifications)
    chosen = request.POST.get("id", "").strip()
    if not chosen:
        service.mark_read(request.user)
        return HTTPSeeOther(request.route_url("notifications"))
    if not chosen.isdigit():
        raise HTTPBadRequest(
            request.localizer.translate(_("Choose a notification from your list."))
        )
    notification = service.find(request.user, int(chosen))
    if notification is None:
        raise HTTPNotFound()
    service.mark_read(request.user, notification.id)
    return HTTPSeeOther(notification.url or request.route_url("notifications"))


@view_config(route_name="notifications_emails", request_method="POST", permission="learner")
def choose_emails(request):
    service = request.find_service(INotifications)
    chosen = set(request.POST.getall("email"))
    unknown = chosen - set(service.kinds())
    if unknown:
        raise HTTPBadRequest(
            request.localizer.translate(
                _(
                    "There is no kind of e-mail called “${name}”; tick the boxes on your "
                    "account page.",
                    mapping={"name": sorted(unknown)[0][:40]},
                )
            )
        )
    service.choose_emails(request.user, chosen)
    request.session.flash(request.localizer.translate(_("Your choice of e-mails is saved.")))
    return HTTPSeeOther(request.route_url("account") + "#emails-title")
