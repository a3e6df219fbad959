"""Organisers' pages: create and edit badge classes, issue (by email or CSV), codes, revoke."""

from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import select

from col_core.activities.models import Activity
from col_core.files.interfaces import IStoredFiles
from col_core.skills import SkillsRefused, has_picker, picker_context, posted_uris, read_picks
from col_core.storage import UploadRejected
from plugins.badges import claims
from plugins.badges.artwork import ICON_CHOICES, ICON_NAMES, icon_preview
from plugins.badges.forms import parse_badge_class, parse_recipients
from plugins.badges.interfaces import IBadgeIssuer, IIssuerKeys
from plugins.badges.models import Assertion, BadgeClass, ClaimCode
from plugins.badges.services import IssueError, _
from plugins.badges.urls import urls_for

T = "plugins.badges:templates/"


def _translated(request, errors: dict) -> dict:
    return {key: request.localizer.translate(message) for key, message in errors.items()}


def _activities(request, organisation) -> list[Activity]:
    """What a badge can be attached to: the organisation's activities."""
    return list(
        request.dbsession.scalars(
            select(Activity)
            .where(Activity.organisation_id == organisation.id)
            .order_by(Activity.title)
        )
    )


def _form_context(request, organisation, values, errors, badge=None) -> dict:
    others = request.dbsession.scalars(
        select(BadgeClass).where(BadgeClass.archived_at.is_(None)).order_by(BadgeClass.name)
    )
    return {
        "organisation": organisation,
        "badge": badge,
        "values": values,
        "errors": _translated(request, errors),
        "icons": [(icon, ICON_NAMES[icon], icon_preview(icon)) for icon in ICON_CHOICES],
        "others": [b for b in others if badge is None or b.id != badge.id],
        "activities": _activities(request, organisation),
        "skills": picker_context(
            request,
            values.get("skills") or [],
            {s["uri"]: s.get("label", "") for s in (badge.skills or () if badge else ())},
        ),
    }


def _values_of(badge: BadgeClass) -> dict:
    return {
        "name": badge.name,
        "description": badge.description,
        "criteria": badge.criteria,
        "icon": badge.icon,
        "expires_after_days": badge.expires_after_days or "",
        "earning": badge.earning,
        "review": badge.review,
        "peer_reviews_required": badge.peer_reviews_required,
        "tasks": "\n".join(badge.tasks),
        "skills": [s["uri"] for s in badge.skills],
        "prerequisites": [str(b.id) for b in badge.prerequisites],
        "activity": str(badge.subject_id) if badge.subject_type == "activity" else "",
    }


def _save(request, badge: BadgeClass, organisation):
    """Apply the posted form to ``badge``; returns errors (nothing is changed when any)."""
    values, cleaned, required, errors = parse_badge_class(request.POST, request.dbsession, badge.id)
    values["skills"] = (
        posted_uris(request.POST)
        if has_picker(request.POST)
        else [s["uri"] for s in badge.skills or ()]
    )
    try:
        picked = read_picks(request, request.POST, list(badge.skills or ()))
    except SkillsRefused as error:
        errors["skills"], picked = error.message, None
    if picked is not None:
        cleaned["skills"] = [{"uri": s["uri"], "label": s["label"]} for s in picked]
    upload = request.POST.get("image")
    image_key = None
    if not errors and getattr(upload, "file", None) is not None:
        try:
            image_key = request.find_service(IStoredFiles).put(
                upload.file.read(), {"image", "svg"}, purpose="badge-image", visibility="public"
            )
        except UploadRejected as error:
            errors["image"] = str(error)
    subject = request.POST.get("activity", "")
    activity_ids = {str(a.id) for a in _activities(request, organisation)}
    if subject and subject not in activity_ids:
        errors["activity"] = _("Choose one of your organisation's activities.")
    if errors:
        return values, errors
    if not badge.is_default:  # the activity's own badge stays attached to it
        badge.subject_type, badge.subject_id = ("activity", int(subject)) if subject else ("", None)
    for name, value in cleaned.items():
        setattr(badge, name, value)
    if image_key:
        badge.image = image_key
    if badge.issuer is None:
        badge.issuer = request.find_service(IIssuerKeys).issuer_for(organisation)
    badge.set_prerequisites(required)
    return values, {}


@view_config(
    route_name="badges.manage_new",
    request_method="GET",
    renderer=T + "edit.jinja2",
    permission="org.edit",
)
def new_form(request):
    values = {
        "earning": "direct",
        "review": "organiser",
        "icon": "star",
        "activity": request.GET.get("activity", ""),
    }
    return _form_context(request, request.context.organisation, values, {})


@view_config(
    route_name="badges.manage_new",
    request_method="POST",
    renderer=T + "edit.jinja2",
    permission="org.edit",
)
def create(request):
    organisation = request.context.organisation
    badge = BadgeClass()
    values, errors = _save(request, badge, organisation)
    if errors:
        request.response.status = 400
        return _form_context(request, organisation, values, errors)
    request.dbsession.add(badge)
    request.dbsession.flush()
    return HTTPSeeOther(request.route_url("badges.manage_issue", badge=badge.id))


@view_config(
    route_name="badges.manage_edit",
    request_method="GET",
    renderer=T + "edit.jinja2",
    permission="org.edit",
)
def edit_form(request):
    badge = request.context.badge
    return _form_context(request, request.context.organisation, _values_of(badge), {}, badge)


@view_config(
    route_name="badges.manage_edit",
    request_method="POST",
    renderer=T + "edit.jinja2",
    permission="org.edit",
)
def edit(request):
    badge = request.context.badge
    values, errors = _save(request, badge, request.context.organisation)
    if errors:
        request.response.status = 400
        return _form_context(request, request.context.organisation, values, errors, badge)
    return HTTPSeeOther(request.route_url("badges.manage_issue", badge=badge.id))


def _issue_context(request, badge, **extra) -> dict:
    assertions = request.dbsession.scalars(
        select(Assertion)
        .where(Assertion.badge_class_id == badge.id)
        .order_by(Assertion.id.desc())
        .limit(200)
    )
    codes = request.dbsession.scalars(
        select(ClaimCode).where(ClaimCode.badge_class_id == badge.id).order_by(ClaimCode.id)
    )
    context = {
        "badge": badge,
        "assertions": list(assertions),
        "codes": list(codes),
        "urls": urls_for(request),
        "recipients": "",
        "rows": [],
        "row_errors": {},
        "issued": None,
        "errors": {},
    }
    context.update(extra)
    return context


@view_config(
    route_name="badges.manage_issue",
    request_method="GET",
    renderer=T + "issue.jinja2",
    permission="org.edit",
)
def issue_page(request):
    return _issue_context(request, request.context.badge)


@view_config(
    route_name="badges.manage_issue",
    request_method="POST",
    renderer=T + "issue.jinja2",
    permission="org.edit",
)
def issue(request):
    """Two steps: ``preview`` shows every row with its problem; ``issue`` awards the good ones."""
    badge = request.context.badge
    upload = request.POST.get("csv")
    text = request.POST.get("recipients", "")
    if getattr(upload, "file", None) is not None:
        text = upload.file.read().decode("utf-8-sig", "replace")
    rows, row_errors = parse_recipients(text)
    if not rows and not row_errors:
        request.response.status = 400
        return _issue_context(
            request,
            badge,
            errors={
                "recipients": request.localizer.translate(
                    _("Enter at least one email address, or upload a CSV file.")
                )
            },
        )
    issued = None
    if request.POST.get("action") == "issue":
        issued, refused = request.find_service(IBadgeIssuer).issue_many(badge, rows)
        row_errors.update(refused)
    if row_errors:
        request.response.status = 400 if issued is None else 200
    return _issue_context(
        request,
        badge,
        recipients=text,
        rows=rows,
        issued=issued,
        row_errors=_translated(request, row_errors),
    )


@view_config(route_name="badges.manage_codes", request_method="POST", permission="org.edit")
def create_code(request):
    badge = request.context.badge
    uses = request.POST.get("max_uses", "").strip()
    days = request.POST.get("valid_days", "").strip()
    problems = _code_problems(uses, days)
    if problems:
        return _render_issue(request, badge, errors=_translated(request, problems))
    max_uses = int(uses) if uses else None
    expires = None
    if days:
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=int(days))
    claims.new_code(request.dbsession, badge, max_uses=max_uses, expires_at=expires)
    issue_page = request.route_url("badges.manage_issue", badge=badge.id)
    return HTTPSeeOther(issue_page + "#codes")


def _code_problems(uses: str, days: str) -> dict:
    """Field errors of a new claim code's limits (both optional)."""
    problems = {}
    if uses and not (uses.isdigit() and int(uses) >= 1):
        problems["max_uses"] = _(
            "Enter how many times the code may be used (1 or more), or leave empty for no limit."
        )
    if days and not (days.isdigit() and 1 <= int(days) <= 3650):
        problems["valid_days"] = _("Enter for how many days the code works, or leave empty.")
    return problems


def _render_issue(request, badge, **extra):
    """The issue page for a form posted elsewhere (codes, revocation) that has errors."""
    response = render_to_response(
        T + "issue.jinja2", _issue_context(request, badge, **extra), request=request
    )
    response.status = 400
    return response


@view_config(route_name="badges.manage_revoke", request_method="POST", permission="org.edit")
def revoke(request):
    badge = request.context.badge
    assertion = request.dbsession.scalar(
        select(Assertion).where(
            Assertion.uid == request.matchdict["uid"], Assertion.badge_class_id == badge.id
        )
    )
    if assertion is None:
        raise HTTPNotFound()
    try:
        request.find_service(IBadgeIssuer).revoke(assertion, request.POST.get("reason", ""))
    except IssueError as error:
        return _render_issue(
            request, badge, errors={"reason": request.localizer.translate(error.args[0])}
        )
    return HTTPSeeOther(request.route_url("badges.manage_issue", badge=badge.id))
