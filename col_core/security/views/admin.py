"""``/admin/people``: a city admin's view of the city's people, and granting city administration.

Everything goes through :class:`~col_core.security.interfaces.ICityPeople`, which only ever
sees and changes the request's city."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from col_core.i18n import _
from col_core.security import validation as v
from col_core.security.forms import kept
from col_core.security.interfaces import AdministrationRefused, ICityPeople
from col_core.security.views import T

PAGE_SIZE = 200


def _page(request, values=None, errors=None, status=200, refusal=None):
    people = request.find_service(ICityPeople)
    request.response.status = status
    return {
        "people": people.people(PAGE_SIZE),
        "roles": people.organisation_roles(),
        "admins": people.administrators(),
        "values": values or {},
        "errors": v.translate_errors(request, errors or {}),
        "refusal": refusal and request.localizer.translate(refusal),
    }


@view_config(
    route_name="admin_people",
    request_method="GET",
    renderer=T + "admin_people.jinja2",
    permission="city.admin",
)
def people(request):
    return _page(request)


@view_config(
    route_name="admin_people",
    request_method="POST",
    renderer=T + "admin_people.jinja2",
    permission="city.admin",
)
def grant(request):
    values, errors = v.validate(request.POST, {"email": v.email()})
    if not errors:
        try:
            account = request.find_service(ICityPeople).grant_administration(values["email"])
        except AdministrationRefused as refused:
            errors["email"] = refused.message
    if errors:
        return _page(request, kept(request), errors, status=400)
    request.session.flash(
        request.localizer.translate(
            _(
                "${name} is now an administrator of this city.",
                mapping={"name": account.display_name},
            )
        )
    )
    return HTTPSeeOther(request.route_url("admin_people"))


@view_config(
    route_name="admin_revoke",
    request_method="POST",
    renderer=T + "admin_people.jinja2",
    permission="city.admin",
)
def revoke(request):
    try:
        request.find_service(ICityPeople).revoke_administration(int(request.matchdict["id"]))
    except LookupError:
        raise HTTPNotFound() from None
    except AdministrationRefused as refused:
        return _page(request, refusal=refused.message, status=409)
    request.session.flash(request.localizer.translate(_("The administrator is removed.")))
    return HTTPSeeOther(request.route_url("admin_people"))
