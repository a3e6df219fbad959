"""Organisers' pages: their activities, the activity form, participants, attendance and QR codes."""

from __future__ import annotations

import os

import segno
import xstatic.pkg.leaflet
from babel import Locale
from markupsafe import Markup
from pyramid.httpexceptions import HTTPNoContent, HTTPNotFound, HTTPSeeOther
from pyramid.i18n import TranslationStringFactory
from pyramid.view import view_config
from sqlalchemy import select

from col_core.activities.forms import (
    form_data,
    form_errors,
    form_values,
    kept_values,
    language_choices,
)
from col_core.activities.interfaces import (
    IActivityService,
    IParticipationService,
    ValidationFailed,
)
from col_core.activities.models import (
    ACCESSIBILITY,
    ACTIVITY_TYPES,
    SCHEDULE_KINDS,
    VISIBILITIES,
    ActivitySession,
    Participation,
)
from col_core.activities.repeats import WEEKDAYS
from col_core.activities.schemas.fields import category_names
from col_core.organisations.models import Organisation
from col_core.pictures.forms import read_cover
from col_core.pictures.images import PictureRejected
from col_core.security.policy import publishing_blocked
from col_core.security.validation import record_id
from col_core.skills import SkillsRefused, picker_context, read_picks
from col_core.tenancy.scoping import get_city_row
from col_core.web.maps import city_tiles

_ = TranslationStringFactory("col")
T = "col_core.activities:templates/"


def _translated(request, errors: dict) -> dict:
    return {name: request.localizer.translate(text) for name, text in errors.items()}


@view_config(route_name="org_activities", renderer=T + "dashboard.jinja2", permission="org.member")
def organisation_activities(context, request):
    activities = request.find_service(IActivityService).for_organisation(
        context.organisation, include_archived=True
    )
    return {"organisation": context.organisation, "activities": activities}


@view_config(route_name="activity_new", request_method="POST", permission="org.member")
def new_activity(context, request):
    activity, _errors = request.find_service(IActivityService).create(
        context.organisation, request.user, {"title": request.POST.get("title", "")}
    )
    return HTTPSeeOther(request.route_url("activity_edit", id=activity.id))


def _form_page(request, activity, values, errors, status=200, notice=None):
    request.response.status = status
    others = request.dbsession.scalars(
        select(Organisation)
        .where(Organisation.id != activity.organisation_id)
        .order_by(Organisation.name)
    ).all()
    return {
        "activity": activity,
        "values": values,
        "errors": _translated(request, errors),
        "notice": notice,
        "types": ACTIVITY_TYPES,
        "visibilities": VISIBILITIES,
        "schedule_kinds": SCHEDULE_KINDS,
        "accessibility": ACCESSIBILITY,
        "categories": category_names(request.tenant, request.locale_name),
        "organisations": others,
        "languages": language_choices(
            values.get("languages") or [], request.tenant.locales, request.locale_name
        ),
        "weekdays": weekday_names(request),
        "skills": picker_context(
            request,
            values.get("skills", [skill.concept_uri for skill in activity.skills]),
            {skill.concept_uri: skill.label for skill in activity.skills},
        ),
        "map": place_picker(request),
        "can_publish": bool(request.has_permission("org.publish", request.context)),
        "publishing_blocked": publishing_blocked(request, activity.organisation),
    }


def weekday_names(request) -> list[tuple[str, str]]:
    """(RFC 5545 day, its name in the reader's language), Monday first."""
    names = Locale.parse(request.locale_name).days["format"]["wide"]
    return [(day, names[number]) for number, day in enumerate(WEEKDAYS)]


def place_picker(request) -> dict:
    """What the place picker's map needs: the city's centre, zoom and tiles, and Leaflet."""
    own = request.tenant.map or {}
    tile_url, attribution = city_tiles(request)
    return {
        "center": ",".join(str(float(v)) for v in own.get("center") or (54.6872, 25.2797)),
        "zoom": int(own.get("zoom", 12)),
        "tiles": tile_url,
        "attribution": attribution,
        # Leaflet is served from its XStatic package (registered by col_core.analytics).
        "leaflet": {
            kind: request.static_url(os.path.join(xstatic.pkg.leaflet.BASE_DIR, f"leaflet.{kind}"))
            for kind in ("js", "css")
        },
    }


def skills_of(activity) -> list[dict]:
    return [
        {"uri": skill.concept_uri, "label": skill.label, "version": skill.version}
        for skill in activity.skills
    ]


@view_config(
    route_name="activity_edit",
    request_method="GET",
    renderer=T + "edit.jinja2",
    permission="org.member",
)
def edit_form(context, request):
    return _form_page(request, context.activity, form_values(context.activity), {})


@view_config(
    route_name="activity_edit",
    request_method="POST",
    renderer=T + "edit.jinja2",
    permission="org.member",
)
def edit(context, request):
    """Save (a draft keeps every valid field; a published activity changes all or nothing),
    publish, or autosave from the page's script (204, nothing to render)."""
    activity, action = context.activity, request.POST.get("action", "save")
    service = request.find_service(IActivityService)
    data, repeat_errors = form_data(request.POST)
    try:
        picked = read_picks(request, request.POST, skills_of(activity))
    except SkillsRefused as error:
        return _form_page(
            request,
            activity,
            kept_values(request.POST),
            {"skills": error.message},
            status=400,
            notice=_("Some fields need your attention."),
        )
    if picked is not None:
        data["skills"] = picked
    try:
        cover = read_cover(request, request.POST)
    except PictureRejected as error:
        return _form_page(
            request,
            activity,
            kept_values(request.POST),
            {"cover": error.message},
            status=422,
            notice=_("Some fields need your attention."),
        )
    if cover.changed:
        data["cover"] = cover.key
        if cover.key is None:
            data["cover_alt"] = ""
    try:
        if activity.status == "draft":
            errors = {**form_errors(service.autosave(activity, data)), **repeat_errors}
            if action == "autosave":
                return HTTPNoContent()
            if action == "publish":
                if not request.has_permission("org.publish", context):
                    raise ValidationFailed(publishing_blocked(request, activity.organisation))
                if errors:
                    raise ValidationFailed(_("Some fields need your attention."), errors)
                service.publish(activity)
                request.session.flash(request.localizer.translate(_("Published.")))
                return HTTPSeeOther(request.route_url("activity", id=activity.id))
            if errors:
                return _form_page(
                    request,
                    activity,
                    kept_values(request.POST),
                    errors,
                    notice=_("Draft saved. Some fields still need your attention."),
                )
        else:
            if repeat_errors:
                raise ValidationFailed(_("Some fields need your attention."), repeat_errors)
            service.update(activity, data)
    except ValidationFailed as error:
        return _form_page(
            request,
            activity,
            kept_values(request.POST),
            form_errors(error.fields),
            status=422,
            notice=error.message,
        )
    request.session.flash(request.localizer.translate(_("Saved.")))
    return HTTPSeeOther(request.route_url("activity_edit", id=activity.id))


@view_config(route_name="activity_archive", request_method="POST", permission="org.member")
def archive(context, request):
    request.find_service(IActivityService).archive(context.activity)
    request.session.flash(request.localizer.translate(_("Archived. It stays on record.")))
    return HTTPSeeOther(request.route_url("org_activities", slug=context.organisation.slug))


@view_config(route_name="activity_duplicate", request_method="POST", permission="org.member")
def duplicate(context, request):
    copy = request.find_service(IActivityService).duplicate(context.activity, request.user)
    request.session.flash(request.localizer.translate(_("This is a copy; check the dates.")))
    return HTTPSeeOther(request.route_url("activity_edit", id=copy.id))


@view_config(
    route_name="activity_participants",
    request_method="GET",
    renderer=T + "participants.jinja2",
    permission="org.member",
)
def participants(context, request):
    people = request.find_service(IParticipationService).participants(context.activity)
    return {"activity": context.activity, "participants": people}


@view_config(route_name="activity_participants", request_method="POST", permission="org.member")
def participants_update(context, request):
    """One form for one learner or many: mark present at a session, or completed."""
    activity = context.activity
    service = request.find_service(IParticipationService)
    ids = [record_id(v) for v in request.POST.getall("participation") if record_id(v)]
    chosen = (
        list(
            request.dbsession.scalars(
                select(Participation).where(
                    Participation.activity_id == activity.id, Participation.id.in_(ids)
                )
            )
        )
        if ids
        else []
    )
    if not chosen:
        request.session.flash(request.localizer.translate(_("Choose at least one person.")))
    elif request.POST.get("action") == "complete":
        done = service.complete(chosen, request.user)
        request.session.flash(
            request.localizer.translate(
                _("${count} marked as completed.", mapping={"count": len(done)})
            )
        )
    else:
        session_id = record_id(request.POST.get("session", ""))
        session = (
            get_city_row(request.dbsession, ActivitySession, session_id) if session_id else None
        )
        if session is None or session.activity_id != activity.id:
            request.session.flash(request.localizer.translate(_("Choose a session.")))
        else:
            marked = sum(service.mark_attendance(p, session) for p in chosen)
            request.session.flash(
                request.localizer.translate(
                    _("${count} marked as present.", mapping={"count": marked})
                )
            )
    return HTTPSeeOther(request.route_url("activity_participants", id=activity.id))


@view_config(route_name="activity_session_qr", renderer=T + "qr.jinja2", permission="org.member")
def session_qr(context, request):
    activity = context.activity
    session_id = int(request.matchdict["session"])
    session = get_city_row(request.dbsession, ActivitySession, session_id)
    if session is None or session.activity_id != context.activity.id:
        raise HTTPNotFound()
    participation = request.find_service(IParticipationService)
    token = participation.session_token(session)
    url = request.route_url("activity_attend", token=token)
    title = request.localizer.translate(_("Check-in code"))
    return {"activity": activity, "session": session, "url": url, "svg": _qr_svg(url, title)}


def _qr_svg(url: str, title: str) -> Markup:
    """The QR code of ``url`` as inline SVG, titled for screen readers."""
    qr_code = segno.make(url, error="m")
    return Markup(qr_code.svg_inline(scale=8, title=title, border=2))
