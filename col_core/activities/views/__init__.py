"""Public pages of an activity: the page itself, "add to calendar", joining and QR check-in.

Who may see the activity is the security policy's answer (``ActivityContext.visible``): a view
that runs may show it."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.i18n import TranslationStringFactory
from pyramid.response import Response
from pyramid.view import view_config

from col_core.activities.ical import activities_to_ical
from col_core.activities.interfaces import IParticipationService, ValidationFailed
from col_core.activities.resources import is_organiser
from col_core.activities.schemas.fields import category_names
from col_core.activities.viewing import count_view

_ = TranslationStringFactory("col")
T = "col_core.activities:templates/"


def _back(request, activity, message) -> HTTPSeeOther:
    request.session.flash(request.localizer.translate(message))
    invite = request.params.get("invite")
    query = {"invite": invite} if invite else {}
    return HTTPSeeOther(request.route_url("activity", id=activity.id, _query=query))


@view_config(route_name="activity", renderer=T + "show.jinja2", permission="view")
def show(context, request):
    activity = context.activity
    participations = request.find_service(IParticipationService)
    participation = context.participation
    joined = sum(1 for p in participations.participants(activity) if p.status == "joined")
    organiser = is_organiser(request, activity)
    if activity.status == "published" and not organiser:
        count_view(request, activity)
    sections = sorted(
        (
            s
            for found in request.hooks.col_activity_sections(
                request=request, activity=activity, participation=participation
            )
            for s in found or ()
        ),
        key=lambda s: (s.order, s.title),
    )
    return {
        "activity": activity,
        "participation": participation,
        "sections": sections,
        "organiser": organiser,
        "joined_count": joined,
        "places_left": None if activity.capacity is None else max(0, activity.capacity - joined),
        "invite": request.params.get("invite", ""),
        "category": category_names(request.tenant, request.locale_name).get(
            activity.category, activity.category
        ),
    }


@view_config(route_name="activity.ics", permission="view")
def ics(context, request):
    activity = context.activity
    return Response(
        activities_to_ical(request, [activity], name=activity.title),
        content_type="text/calendar",
        charset="utf-8",
        content_disposition=f'attachment; filename="activity-{activity.id}.ics"',
    )


@view_config(route_name="activity_join", request_method="POST", permission="learner")
def join(context, request):
    activity = context.activity
    try:
        participation = request.find_service(IParticipationService).join(activity, request.user)
    except ValidationFailed as error:
        return _back(request, activity, error.message)
    if participation.status == "waitlisted":
        return _back(
            request,
            activity,
            _(
                "The activity is full: you are on the waitlist and we "
                "will e-mail you when a place frees up."
            ),
        )
    return _back(request, activity, _("You have joined. See you there!"))


@view_config(route_name="activity_leave", request_method="POST", permission="learner")
def leave(context, request):
    activity = context.activity
    request.find_service(IParticipationService).leave(activity, request.user)
    return _back(request, activity, _("You have left this activity."))


@view_config(
    route_name="activity_attend",
    request_method="GET",
    renderer=T + "attend.jinja2",
    permission="learner",
)
def attend_form(request):
    """Scanning a session's QR code opens this page; only its button (a POST) checks in, so a
    link opened by a preview, a scanner app or another site changes nothing."""
    try:
        session = request.find_service(IParticipationService).check_in_session(
            request.matchdict["token"], request.user
        )
    except ValidationFailed as error:
        request.response.status = 422
        return {"session": None, "message": error.message}
    return {"session": session, "message": None}


@view_config(
    route_name="activity_attend",
    request_method="POST",
    renderer=T + "attended.jinja2",
    permission="learner",
)
def attend(request):
    try:
        participation = request.find_service(IParticipationService).attend_by_token(
            request.matchdict["token"], request.user
        )
    except ValidationFailed as error:
        request.response.status = 422
        return {"activity": None, "message": error.message}
    return {
        "activity": participation.activity,
        "message": _("You are checked in. Enjoy the session!"),
    }


def includeme(config):
    config.add_subscriber("col_core.activities.labels.add_labels", "pyramid.events.BeforeRender")
    config.scan("col_core.activities.views")  # views/dashboard.py too
