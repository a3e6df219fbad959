"""GDPR self-service: download everything we hold about you; delete your account."""

from __future__ import annotations

import io
import zipfile

import orjson
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from col_core.files.interfaces import IStoredFiles
from col_core.i18n import _
from col_core.organisations.models import Membership
from col_core.security import validation as v
from col_core.security.interfaces import IAccountService
from col_core.security.models import ApiToken, CityAdmin, UserSession
from col_core.security.passwords import verify_password
from col_core.security.policy import logout
from col_core.security.views import T
from col_core.security.views.consent import consents_of
from col_core.storage import IFileStorage
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant


def as_json(value) -> bytes:
    """Indented JSON for the files of the data export (the core's and its domains')."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


def export_files(request, user) -> dict[str, bytes]:
    """Every file of the export, by path inside the ZIP (plugins add theirs by hook)."""
    session = request.dbsession
    # An account spans cities, so its export deliberately reads across tenants.
    with cross_tenant(session):
        tenants = {t.id: t.slug for t in session.scalars(select(Tenant))}
        memberships = [
            {
                "city": tenants.get(m.tenant_id),
                "organisation": m.organisation.name,
                "organisation_slug": m.organisation.slug,
                "role": m.role,
                "since": m.created_at.isoformat(),
            }
            for m in session.scalars(select(Membership).where(Membership.user_id == user.id))
        ]
        city_admin = [
            {"city": tenants.get(admin.tenant_id), "since": admin.created_at.isoformat()}
            for admin in session.scalars(select(CityAdmin).where(CityAdmin.user_id == user.id))
        ]
    consents = [
        {
            "city": city.slug,
            "document": c.document,
            "version": c.version,
            "accepted_at": c.created_at.isoformat(),
        }
        for city, c in consents_of(session, user)
    ]
    tokens = [
        {
            "name": t.name,
            "scope": t.scope,
            "created_at": t.created_at.isoformat(),
            "revoked": t.revoked_at is not None,
        }
        for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
    ]
    # Where the account is signed in: personal data too (browser and times; never the id).
    sessions = [
        {
            "browser": signed_in.user_agent,
            "signed_in_at": signed_in.created_at.isoformat(),
            "last_seen_at": signed_in.last_seen_at.isoformat(),
        }
        for signed_in in session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id)
            .order_by(UserSession.created_at)
        )
    ]
    account = {
        "email": user.email,
        "display_name": user.display_name,
        "email_verified_at": user.email_verified_at and user.email_verified_at.isoformat(),
        "preferred_locale": user.preferred_locale,
        "home_city": tenants.get(user.home_tenant_id),
        "birth_date": user.birth_date and user.birth_date.isoformat(),
        "guardian_email": user.guardian_email,
        "guardian_consent_at": user.guardian_consent_at and user.guardian_consent_at.isoformat(),
        "created_at": user.created_at.isoformat(),
        "picture": user.picture,
        "profile_public": user.profile_public,
    }
    files = {
        "account.json": as_json(account),
        "memberships.json": as_json(memberships),
        "consents.json": as_json(consents),
        "api_tokens.json": as_json(tokens),
        "sessions.json": as_json(sessions),
        "city_admin.json": as_json(city_admin),
    }
    # Every file the person uploaded, in every city (evidence, documents, pictures), and
    # what the platform records about each.
    storage = request.find_service(IFileStorage)
    owned = request.find_service(IStoredFiles).of_owner(user)
    files["files.json"] = as_json(
        [
            {
                "file": f"files/{stored.key}",
                "city": tenants.get(stored.tenant_id),
                "purpose": stored.purpose,
                "visibility": stored.visibility,
                "type": stored.content_type,
                "size": stored.size,
                "uploaded_at": stored.created_at.isoformat(),
            }
            for stored in owned
        ]
    )
    for key in {stored.key for stored in owned} | ({user.picture} if user.picture else set()):
        if storage.exists(key):
            files[f"files/{key}"] = storage.get(key)
    for extra in request.registry["col.plugins"].hook.col_account_export(
        request=request, user=user
    ):
        files.update(extra or {})
    return files


@view_config(
    route_name="privacy", request_method="GET", renderer=T + "privacy.jinja2", permission="learner"
)
def privacy(request):
    return {"values": {}, "errors": {}}


@view_config(route_name="export", request_method="POST", permission="learner", city_consent=False)
def export(request):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in sorted(export_files(request, request.user).items()):
            archive.writestr(path, content)
    response = Response(body=buffer.getvalue(), content_type="application/zip")
    response.content_disposition = 'attachment; filename="cities-of-learning-my-data.zip"'
    response.cache_control = "no-store"
    return response


@view_config(
    route_name="delete_account",
    request_method="POST",
    renderer=T + "privacy.jinja2",
    permission="learner",
    city_consent=False,
)
def delete_account(request):
    values, errors = v.validate(request.POST, {"password": v.password, "confirm": v.must_accept})
    user = request.user
    if not errors and not verify_password(user.password_hash, values["password"]):
        errors["password"] = _("This is not your current password.")
    if errors:
        request.response.status = 400
        return {
            "values": {"confirm": request.POST.get("confirm", "")},
            "errors": v.translate_errors(request, errors),
        }
    request.find_service(IAccountService).erase(user)
    # Every installed plugin hears of it, whatever this city enables: the account is global.
    request.registry["col.plugins"].hook.col_account_deleted(request=request, user=user)
    logout(request)
    request.session.flash(
        request.localizer.translate(_("Your account is deleted. Thank you for learning with us."))
    )
    return HTTPSeeOther(request.route_url("home"))
