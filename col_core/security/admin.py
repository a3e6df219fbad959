"""``/admin/people``: a city admin's view of the city's people, and granting city administration."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import func, or_, select

from col_core.i18n import _
from col_core.security import validation as v
from col_core.security.forms import kept
from col_core.security.models import CityAdmin, Membership, Organisation, User
from col_core.security.services import find_by_email
from col_core.security.views import T

PAGE_SIZE = 200


def _page(request, values=None, errors=None, status=200):
    session = request.dbsession
    tenant = request.tenant
    member_ids = select(Membership.user_id)  # tenant-filtered: this city's organisations only
    people = session.scalars(select(User).where(
        User.deleted_at.is_(None),
        or_(User.home_tenant_id == tenant.id, User.id.in_(member_ids)))
        .order_by(func.lower(User.display_name)).limit(PAGE_SIZE)).all()
    roles: dict[int, list[str]] = {}
    for user_id, name, role in session.execute(
            select(Membership.user_id, Organisation.name, Membership.role).join(Organisation)):
        roles.setdefault(user_id, []).append(f"{name} ({role})")
    admins = session.scalars(select(User).join(CityAdmin, CityAdmin.user_id == User.id)
                             .order_by(User.display_name)).all()
    request.response.status = status
    return {"people": people, "roles": roles, "admins": admins, "values": values or {},
            "errors": v.translate_errors(request, errors or {})}


@view_config(route_name="admin_people", request_method="GET", renderer=T + "admin_people.jinja2",
             permission="city.admin")
def people(request):
    return _page(request)


@view_config(route_name="admin_people", request_method="POST", renderer=T + "admin_people.jinja2",
             permission="city.admin")
def grant(request):
    values, errors = v.validate(request.POST, {"email": v.email()})
    user = find_by_email(request.dbsession, values["email"]) if not errors else None
    if not errors and (user is None or not user.is_active):
        errors["email"] = _("Nobody with this address has an account yet. Ask them to sign up "
                            "first.")
    if errors:
        return _page(request, kept(request), errors, status=400)
    if request.dbsession.scalar(select(CityAdmin).where(CityAdmin.user_id == user.id)) is None:
        request.dbsession.add(CityAdmin(user_id=user.id))
    request.session.flash(request.localizer.translate(_(
        "${name} is now an administrator of this city.", mapping={"name": user.display_name})))
    return HTTPSeeOther(request.route_url("admin_people"))


@view_config(route_name="admin_revoke", request_method="POST", permission="city.admin")
def revoke(request):
    user_id = int(request.matchdict["id"])
    admin = request.dbsession.scalar(select(CityAdmin).where(CityAdmin.user_id == user_id))
    if admin is None:
        raise HTTPNotFound()
    count = request.dbsession.scalar(select(func.count()).select_from(CityAdmin))
    if count <= 1:
        message = _("A city needs at least one administrator.")
    else:
        request.dbsession.delete(admin)
        message = _("The administrator is removed.")
    request.session.flash(request.localizer.translate(message))
    return HTTPSeeOther(request.route_url("admin_people"))
