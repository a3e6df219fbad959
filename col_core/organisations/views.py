"""Organisation pages: list, create, edit, switch, members, invitations, city admin checks."""

from __future__ import annotations

import nh3
import segno
from markupsafe import Markup
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from col_core.db.meta import utcnow
from col_core.files.interfaces import IStoredFiles
from col_core.i18n import _
from col_core.i18n.negotiation import tenant_locales
from col_core.organisations.interfaces import IOrganisationService
from col_core.organisations.models import (
    MEMBER_ROLES,
    ORGANISATION_TYPES,
    Invitation,
    Membership,
    Organisation,
)
from col_core.organisations.services import EDITABLE
from col_core.pictures.forms import CoverChange, read_cover
from col_core.pictures.images import PictureRejected
from col_core.security import validation as v
from col_core.security.forms import invalid, kept
from col_core.storage import UploadRejected
from col_core.tenancy.scoping import get_city_row

T = "col_core.organisations:templates/"
# The owner rule, said so that a person knows what to do next.
LAST_OWNER = _(
    "An organisation always keeps an owner, and this is its only one. First make another "
    "member owner (choose “Owner” in their Role and press “Change role”), then change or "
    "remove this one."
)
CURRENT_KEY = "org:{tenant}"
ROLE_TITLES = {"owner": _("Owner"), "admin": _("Admin"), "member": _("Member")}


def organisation_rules(request) -> dict:
    return {
        "name": v.text(200),
        "type": v.choice(ORGANISATION_TYPES),
        "description": v.rich_text(5000),
        "website": v.url,
        "contact_email": v.email(required=False),
        "phone": v.text(40, required=False),
        "address": v.text(300, required=False),
        "primary_locale": v.choice(tenant_locales(request.tenant)),
    }


def current_organisation(request) -> Organisation | None:
    """The organisation the person works as in this city (switchable; see docs/security.md)."""
    memberships = request.roles.memberships
    if not memberships:
        return None
    chosen = request.session.get(CURRENT_KEY.format(tenant=request.tenant.id))
    org_id = chosen if chosen in memberships else min(memberships)
    return get_city_row(request.dbsession, Organisation, org_id)


def _upload(
    request, name: str, allowed: set[str], errors: dict, *, purpose: str, visibility: str = "public"
) -> str | None:
    upload = request.POST.get(name)
    if getattr(upload, "file", None) is None:
        return None
    try:
        return request.find_service(IStoredFiles).put(
            upload.file.read(), allowed, purpose=purpose, visibility=visibility
        )
    except UploadRejected as error:
        errors[name] = str(error)
        return None


def _cover(request, errors: dict) -> CoverChange | None:
    """The posted cover (None, with the reason in ``errors``, when the file is refused)."""
    try:
        return read_cover(request, request.POST)
    except PictureRejected as error:
        errors["cover"] = request.localizer.translate(error.message)
        return None


def _form(request, values, errors, status=200, **extra):
    page = invalid(request, values, errors, status=status, **extra)
    page.update(types=ORGANISATION_TYPES, locales=tenant_locales(request.tenant))
    return page


@view_config(route_name="organisations", renderer=T + "list.jinja2", permission="view")
def organisations(request):
    found = request.dbsession.scalars(
        select(Organisation).where(Organisation.suspended_at.is_(None)).order_by(Organisation.name)
    ).all()
    return {"organisations": found}


@view_config(
    route_name="organisation_new",
    request_method="GET",
    renderer=T + "edit.jinja2",
    permission="learner",
)
def new_form(request):
    return _form(request, {"primary_locale": request.locale_name, "type": "ngo"}, {})


@view_config(
    route_name="organisation_new",
    request_method="POST",
    renderer=T + "edit.jinja2",
    permission="learner",
)
def create(request):
    if request.tenant.is_global:
        raise HTTPNotFound()
    values, errors = v.validate(request.POST, organisation_rules(request))
    logo = _upload(request, "logo", {"image", "svg"}, errors, purpose="logo")
    if errors:
        return _form(request, kept(request, "logo"), errors, status=400)
    organisations = request.find_service(IOrganisationService)
    organisation = organisations.create(request.user, values)
    organisation.logo = logo
    # The person goes on working as the organisation they just made.
    current_key = CURRENT_KEY.format(tenant=request.tenant.id)
    request.session[current_key] = organisation.id
    return HTTPSeeOther(request.route_url("organisation", slug=organisation.slug))


@view_config(route_name="organisations_mine", renderer=T + "mine.jinja2", permission="learner")
def mine(request):
    ids = list(request.roles.memberships)
    found = (
        request.dbsession.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        ).all()
        if ids
        else []
    )
    current = current_organisation(request)
    return {
        "organisations": found,
        "roles": request.roles.memberships,
        "current": current.id if current else None,
    }


@view_config(route_name="organisation_switch", request_method="POST", permission="learner")
def switch(request):
    organisation = request.dbsession.scalar(
        select(Organisation).where(Organisation.slug == request.POST.get("slug", ""))
    )
    if organisation is None or organisation.id not in request.roles.memberships:
        raise HTTPNotFound()
    request.session[CURRENT_KEY.format(tenant=request.tenant.id)] = organisation.id
    request.session.flash(
        request.localizer.translate(
            _("You now work as ${name}.", mapping={"name": organisation.name})
        )
    )
    return HTTPSeeOther(request.route_url("organisations_mine"))


@view_config(route_name="organisation", renderer=T + "show.jinja2", permission="view")
def show(context, request):
    organisation = context.organisation
    sections = []
    if request.has_permission("org.member", context):
        sections = sorted(
            (
                s
                for found in request.hooks.col_dashboard_sections(
                    request=request, organisation=organisation
                )
                for s in found or ()
            ),
            key=lambda s: (s.order, s.title),
        )
    return {
        "organisation": organisation,
        "sections": sections,
        # Cleaned on input too; cleaning again here covers rows written by other means.
        "description": Markup(
            nh3.clean(
                organisation.description or "", tags=v.RICH_TAGS, link_rel="noopener nofollow ugc"
            )
        ),
        "can_edit": bool(request.has_permission("org.edit", context)),
        "can_verify": bool(request.has_permission("org.verify", context)),
        "is_member": bool(request.has_permission("org.member", context)),
    }


def _org_values(organisation) -> dict:
    return {key: getattr(organisation, key) for key in (*EDITABLE, "cover_alt")}


@view_config(
    route_name="organisation_edit",
    request_method="GET",
    renderer=T + "edit.jinja2",
    permission="org.edit",
)
def edit_form(context, request):
    return _form(request, _org_values(context.organisation), {}, organisation=context.organisation)


@view_config(
    route_name="organisation_edit",
    request_method="POST",
    renderer=T + "edit.jinja2",
    permission="org.edit",
)
def edit(context, request):
    values, errors = v.validate(request.POST, organisation_rules(request))
    logo = _upload(request, "logo", {"image", "svg"}, errors, purpose="logo")
    # Only the city's administrators (and the organisation's owners and admins) see it.
    document = _upload(
        request,
        "verification_document",
        {"pdf", "image"},
        errors,
        purpose="verification",
        visibility="private",
    )
    cover = _cover(request, errors)
    if errors or cover is None:
        return _form(
            request,
            kept(request, "logo", "verification_document", "cover_file"),
            errors,
            status=400,
            organisation=context.organisation,
        )
    organisation = context.organisation
    request.find_service(IOrganisationService).update(organisation, values)
    if logo:
        organisation.logo = logo
    if cover.changed:
        organisation.cover = cover.key
    organisation.cover_alt = cover.alt if organisation.cover else ""
    if document:
        organisation.verification_document = document
    request.session.flash(request.localizer.translate(_("The organisation is saved.")))
    return HTTPSeeOther(request.route_url("organisation", slug=organisation.slug))


def _members_page(context, request, new_link: str | None = None, errors=None, status=200):
    organisation = context.organisation
    members = request.dbsession.scalars(
        select(Membership)
        .where(Membership.organisation_id == organisation.id)
        .order_by(Membership.id)
    ).all()
    invitations = request.dbsession.scalars(
        select(Invitation).where(
            Invitation.organisation_id == organisation.id,
            Invitation.revoked_at.is_(None),
            Invitation.accepted_at.is_(None),
        )
    ).all()
    request.response.status = status
    qr = (
        Markup(segno.make(new_link, error="m").svg_inline(scale=4, title=_("Invitation QR code")))
        if new_link
        else None
    )
    return {
        "organisation": organisation,
        "members": [m for m in members if m.user.deleted_at is None],
        "former_members": sum(1 for m in members if m.user.deleted_at is not None),
        "invitations": invitations,
        "roles": MEMBER_ROLES,
        "role_titles": ROLE_TITLES,
        "new_link": new_link,
        "qr": qr,
        "can_manage": bool(request.has_permission("org.manage", context)),
        "values": kept(request),
        "errors": v.translate_errors(request, errors or {}),
    }


@view_config(
    route_name="organisation_members",
    request_method="GET",
    renderer=T + "members.jinja2",
    permission="org.member",
)
def members(context, request):
    return _members_page(context, request)


@view_config(
    route_name="organisation_invite",
    request_method="POST",
    renderer=T + "members.jinja2",
    permission="org.manage",
)
def invite(context, request):
    values, errors = v.validate(
        request.POST, {"role": v.choice(MEMBER_ROLES), "email": v.email(required=False)}
    )
    my_role = request.roles.role_in(context.organisation)
    if values.get("role") == "owner" and my_role != "owner" and not request.user.is_platform_admin:
        errors["role"] = _("Only an owner can invite another owner.")
    if errors:
        return _members_page(context, request, errors=errors, status=400)
    secret = request.find_service(IOrganisationService).invite(
        context.organisation, request.user, values["role"], values["email"] or None
    )
    if values["email"]:
        request.session.flash(
            request.localizer.translate(
                _("The invitation is sent to ${email}.", mapping={"email": values["email"]})
            )
        )
        return HTTPSeeOther(
            request.route_url("organisation_members", slug=context.organisation.slug)
        )
    # A link invitation's secret is shown once: we keep only its hash.
    return _members_page(context, request, new_link=request.route_url("invitation", token=secret))


def _membership(context, request) -> Membership:
    membership = request.dbsession.scalar(
        select(Membership).where(
            Membership.id == int(request.matchdict["id"]),
            Membership.organisation_id == context.organisation.id,
        )
    )
    if membership is None:
        raise HTTPNotFound()
    return membership


@view_config(
    route_name="organisation_member_remove", request_method="POST", permission="org.manage"
)
def remove_member(context, request):
    membership = _membership(context, request)
    if (
        membership.role == "owner"
        and request.roles.role_in(context.organisation) != "owner"
        and not request.user.is_platform_admin
    ):
        message = _("Only an owner can remove an owner.")
    elif not request.find_service(IOrganisationService).remove_member(
        context.organisation, membership
    ):
        message = LAST_OWNER
    else:
        message = _("The member is removed.")
    request.session.flash(request.localizer.translate(message))
    return HTTPSeeOther(request.route_url("organisation_members", slug=context.organisation.slug))


@view_config(
    route_name="organisation_member_role",
    request_method="POST",
    renderer=T + "members.jinja2",
    permission="org.manage",
)
def change_role(context, request):
    membership = _membership(context, request)
    values, errors = v.validate(request.POST, {"role": v.choice(MEMBER_ROLES)})
    if errors:  # the page's other "role" field is the invitation's: say it for the whole page
        return _members_page(
            context, request, errors={"_form": _("Choose owner, admin or member.")}, status=400
        )
    role = values["role"]
    is_owner = (
        request.roles.role_in(context.organisation) == "owner" or request.user.is_platform_admin
    )
    if "owner" in (role, membership.role) and not is_owner:
        message = _(
            "Only an owner can make someone owner or change an owner's role; ask one of the "
            "organisation's owners."
        )
        return _members_page(context, request, errors={"_form": message}, status=403)
    if not request.find_service(IOrganisationService).change_role(
        context.organisation, membership, role
    ):
        return _members_page(context, request, errors={"_form": LAST_OWNER}, status=400)
    request.session.flash(
        request.localizer.translate(
            _(
                "${name} is now ${role}.",
                mapping={
                    "name": membership.user.display_name,
                    "role": request.localizer.translate(ROLE_TITLES[role]),
                },
            )
        )
    )
    return HTTPSeeOther(request.route_url("organisation_members", slug=context.organisation.slug))


@view_config(
    route_name="organisation_invitation_revoke", request_method="POST", permission="org.manage"
)
def revoke_invitation(context, request):
    invitation_id = int(request.matchdict["id"])
    invitation = request.dbsession.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.organisation_id == context.organisation.id
        )
    )
    if invitation is None:
        raise HTTPNotFound()
    invitation.revoked_at = utcnow()
    return HTTPSeeOther(request.route_url("organisation_members", slug=context.organisation.slug))


@view_config(
    route_name="invitation",
    request_method="GET",
    renderer=T + "invitation.jinja2",
    permission="view",
)
def invitation_page(request):
    invitation = request.find_service(IOrganisationService).find_invitation(
        request.matchdict["token"]
    )
    if invitation is None:
        request.response.status = 404
    return {"invitation": invitation}


@view_config(route_name="invitation", request_method="POST", permission="learner")
def accept_invitation(request):
    service = request.find_service(IOrganisationService)
    invitation = service.find_invitation(request.matchdict["token"])
    if invitation is None:
        raise HTTPNotFound(
            request.localizer.translate(
                _("This invitation has expired, was revoked or was already used.")
            )
        )
    service.accept(invitation, request.user)
    request.session[CURRENT_KEY.format(tenant=request.tenant.id)] = invitation.organisation_id
    request.session.flash(
        request.localizer.translate(
            _("Welcome to ${name}!", mapping={"name": invitation.organisation.name})
        )
    )
    return HTTPSeeOther(request.route_url("organisation", slug=invitation.organisation.slug))


def _admin_page(request, errors=None, status=200) -> dict:
    request.response.status = status
    found = request.dbsession.scalars(
        select(Organisation).order_by(Organisation.verified_at.is_not(None), Organisation.name)
    ).all()
    return {"organisations": found, "errors": v.translate_errors(request, errors or {})}


def _reason(request, required: bool) -> tuple[str, dict]:
    values, errors = v.validate(request.POST, {"reason": v.text(500, required=required)})
    if errors:
        errors["_form"] = _(
            "Say why in a sentence: the organisation's members receive it with the news."
        )
    return values.get("reason") or "", errors


@view_config(
    route_name="organisation_verify",
    request_method="POST",
    renderer=T + "admin.jinja2",
    permission="org.verify",
)
def verify(context, request):
    organisation = context.organisation
    reason, errors = _reason(request, required=False)
    if errors:
        return _admin_page(request, errors, status=400)
    method = "document" if organisation.verification_document else "manual"
    request.find_service(IOrganisationService).verify(organisation, method, reason=reason)
    request.session.flash(
        request.localizer.translate(_("${name} is verified.", mapping={"name": organisation.name}))
    )
    return HTTPSeeOther(request.route_url("admin_organisations"))


@view_config(
    route_name="organisation_suspend",
    request_method="POST",
    renderer=T + "admin.jinja2",
    permission="org.verify",
)
def suspend(context, request):
    suspended = v.checkbox(str(request.POST.get("suspended", "")))
    # A suspension needs its reason; a reinstatement may give one.
    reason, errors = _reason(request, required=suspended)
    if errors:
        return _admin_page(request, errors, status=400)
    request.find_service(IOrganisationService).suspend(context.organisation, suspended, reason)
    mapping = {"name": context.organisation.name}
    message = (
        _("${name} is suspended.", mapping=mapping)
        if suspended
        else _("${name} is reinstated.", mapping=mapping)
    )
    request.session.flash(request.localizer.translate(message))
    return HTTPSeeOther(request.route_url("admin_organisations"))


@view_config(route_name="admin_organisations", renderer=T + "admin.jinja2", permission="city.admin")
def admin_organisations(request):
    return _admin_page(request)
