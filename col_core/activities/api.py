"""The activities JSON API under ``/api/v1`` (every operation is in ``/api/openapi.json``)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory
from sqlalchemy import select

from col_core.activities.interfaces import (
    IActivityService,
    IGeocoder,
    IParticipationService,
    ValidationFailed,
)
from col_core.activities.models import Activity, ActivitySession, Participation
from col_core.activities.resources import activity_factory, is_organiser
from col_core.activities.schemas import SCHEMAS, json_response, ref
from col_core.activities.serialise import activity_json, participation_json
from col_core.api import ApiError
from col_core.organisations.models import Organisation
from col_core.organisations.resources import OrganisationResource, organisation_factory
from col_core.security.validation import record_id, whole_number
from col_core.tenancy.scoping import get_city_row

_ = TranslationStringFactory("col")
PAGE_SIZE = 50
MAX_PAGE = 10_000


def _translate(request, message):
    return request.localizer.translate(message)


def refused(request, error: ValidationFailed, status: int = 422) -> ApiError:
    return ApiError(
        _translate(request, error.message),
        fields={name: _translate(request, text) for name, text in error.fields.items()},
        status=status,
    )


def json_body(request) -> dict:
    try:
        body = request.json_body
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(
            _translate(request, _("Send a JSON object as the request body.")), status=400
        )
    return body


def id_list(request, body: dict, name: str) -> list[int]:
    values = body.get(name)
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        or len(values) > 1000
    ):
        raise ApiError(
            _translate(request, _("Some fields need your attention.")),
            fields={name: _translate(request, _("Give a list of ids."))},
            status=422,
        )
    return values


def out(request, activity) -> dict:
    organiser = is_organiser(request, activity)
    participation = request.find_service(IParticipationService).participation(
        activity, request.user
    )
    return activity_json(
        request,
        activity,
        organiser=organiser,
        participant=participation is not None and participation.status == "joined",
    )


# -- activities --------------------------------------------------------------------------------


def list_activities(request):
    page = whole_number(request.params.get("page", "1"), 1, MAX_PAGE)
    if page is None:
        raise ApiError(
            _translate(request, _("The page must be a number.")),
            fields={"page": _translate(request, _("Enter a whole number."))},
        )
    query = request.find_service(IActivityService).discoverable()
    query = query.order_by(Activity.starts_at.is_(None), Activity.starts_at, Activity.id)
    rows = list(
        request.dbsession.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    )
    return {
        "items": [out(request, a) for a in rows[:PAGE_SIZE]],
        "page": page,
        "next_page": page + 1 if len(rows) > PAGE_SIZE else None,
    }


def create_activity(request):
    body = json_body(request)
    organisation_id = record_id(body.get("organisation_id"))
    organisation = (
        get_city_row(request.dbsession, Organisation, organisation_id) if organisation_id else None
    )
    if organisation is None:
        raise ApiError(
            _translate(request, _("Some fields need your attention.")),
            fields={
                "organisation_id": _translate(request, _("Choose an organisation of this city."))
            },
            status=422,
        )
    if not request.has_permission("org.member", OrganisationResource(request, organisation)):
        raise ApiError(
            _translate(request, _("Only members of the organisation can do this.")), status=403
        )
    try:
        activity, errors = request.find_service(IActivityService).create(
            organisation, request.user, body
        )
    except ValidationFailed as error:
        raise refused(request, error) from error
    request.response.status = 201
    return {
        "activity": out(request, activity),
        "fields": {name: _translate(request, text) for name, text in errors.items()},
    }


def get_activity(context, request):
    return out(request, context.activity)


def update_activity(context, request):
    try:
        request.find_service(IActivityService).update(context.activity, json_body(request))
    except ValidationFailed as error:
        raise refused(request, error) from error
    return out(request, context.activity)


def autosave_activity(context, request):
    try:
        errors = request.find_service(IActivityService).autosave(
            context.activity, json_body(request)
        )
    except ValidationFailed as error:
        raise refused(request, error, status=422 if error.fields else 409) from error
    return {
        "activity": out(request, context.activity),
        "fields": {name: _translate(request, text) for name, text in errors.items()},
    }


def publish_activity(context, request):
    try:
        request.find_service(IActivityService).publish(context.activity)
    except ValidationFailed as error:
        raise refused(request, error, status=422 if error.fields else 403) from error
    return out(request, context.activity)


def archive_activity(context, request):
    request.find_service(IActivityService).archive(context.activity)
    return out(request, context.activity)


def duplicate_activity(context, request):
    copy = request.find_service(IActivityService).duplicate(context.activity, request.user)
    request.response.status = 201
    return out(request, copy)


def organisation_activities(context, request):
    activities = request.find_service(IActivityService).for_organisation(
        context.organisation, include_archived=request.params.get("archived") == "1"
    )
    return {"items": [activity_json(request, a, organiser=True) for a in activities]}


# -- participation -----------------------------------------------------------------------------


def join_activity(context, request):
    try:
        participation = request.find_service(IParticipationService).join(
            context.activity, request.user
        )
    except ValidationFailed as error:
        raise refused(request, error, status=409) from error
    request.response.status = 201
    return participation_json(participation)


def leave_activity(context, request):
    participations = request.find_service(IParticipationService)
    participations.leave(context.activity, request.user)
    participation = participations.participation(context.activity, request.user)
    if participation is None:
        raise HTTPNotFound(_translate(request, _("You have not joined this activity.")))
    return participation_json(participation)


def list_participants(context, request):
    people = request.find_service(IParticipationService).participants(context.activity)
    return {"items": [participation_json(p, with_person=True) for p in people]}


def _participations(request, activity, ids: list[int]) -> list:
    found = list(
        request.dbsession.scalars(
            select(Participation).where(
                Participation.activity_id == activity.id, Participation.id.in_(ids)
            )
        )
    )
    if len(found) != len(set(ids)):
        raise ApiError(
            _translate(request, _("Some fields need your attention.")),
            fields={
                "participation_ids": _translate(
                    request, _("Some of these people have not joined this activity.")
                )
            },
            status=422,
        )
    return found


def mark_attendance(context, request):
    body = json_body(request)
    session_id = record_id(body.get("session_id"))
    session = get_city_row(request.dbsession, ActivitySession, session_id) if session_id else None
    if session is None or session.activity_id != context.activity.id:
        raise ApiError(
            _translate(request, _("Some fields need your attention.")),
            fields={"session_id": _translate(request, _("Choose a session of this activity."))},
            status=422,
        )
    service = request.find_service(IParticipationService)
    marked = [
        p.id
        for p in _participations(
            request, context.activity, id_list(request, body, "participation_ids")
        )
        if service.mark_attendance(p, session)
    ]
    return {"marked": marked}


def mark_completion(context, request):
    body = json_body(request)
    participations = _participations(
        request, context.activity, id_list(request, body, "participation_ids")
    )
    done = request.find_service(IParticipationService).complete(participations, request.user)
    return {"completed": [p.id for p in done]}


def attend_by_code(request):
    token = json_body(request).get("token")
    try:
        participation = request.find_service(IParticipationService).attend_by_token(
            token if isinstance(token, str) else "", request.user
        )
    except ValidationFailed as error:
        raise refused(request, error, status=422) from error
    return participation_json(participation)


# -- registration ------------------------------------------------------------------------------

ACTIVITY_OUT = json_response("The activity", ref("Activity"))
PARTICIPATION_OUT = json_response("The learner's participation", ref("Participation"))
LIST_OUT = json_response(
    "Activities",
    {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": ref("Activity")},
            "page": {"type": "integer"},
            "next_page": {"type": ["integer", "null"]},
        },
    },
)
DRAFT_OUT = json_response(
    "The draft and the fields that still need attention",
    {
        "type": "object",
        "required": ["activity", "fields"],
        "properties": {
            "activity": ref("Activity"),
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
)
IDS_IN = {
    "type": "object",
    "required": ["participation_ids"],
    "properties": {
        "participation_ids": {"type": "array", "items": {"type": "integer"}},
        "session_id": {"type": "integer"},
    },
}
ERROR = json_response("Refused", ref("Error"))

# (view, pattern, method, permission, summary, responses, request body); ``{id}`` routes load the
# activity (ActivityContext) and ``{slug}`` routes the organisation, for the security policy.
OPERATIONS = [
    (
        list_activities,
        "/activities",
        "GET",
        "view",
        "List discoverable activities (50 a page)",
        {200: LIST_OUT},
        None,
    ),
    (
        create_activity,
        "/activities",
        "POST",
        "learner",
        "Start a draft activity for one of your organisations",
        {201: DRAFT_OUT, 403: ERROR, 422: ERROR},
        ref("ActivityInput"),
    ),
    (
        get_activity,
        "/activities/{id}",
        "GET",
        "view",
        "Get an activity (404 when it is hidden from you)",
        {200: ACTIVITY_OUT, 404: ERROR},
        None,
    ),
    (
        update_activity,
        "/activities/{id}",
        "PATCH",
        "org.member",
        "Change an activity (all or nothing; a published one must stay publishable)",
        {200: ACTIVITY_OUT, 403: ERROR, 422: ERROR},
        ref("ActivityInput"),
    ),
    (
        autosave_activity,
        "/activities/{id}/draft",
        "PUT",
        "org.member",
        "Autosave a draft: valid fields are kept, the others reported",
        {200: DRAFT_OUT, 403: ERROR, 409: ERROR, 422: ERROR},
        ref("ActivityInput"),
    ),
    # Members may ask; the service says why the organisation may not publish yet (a 403 with
    # the reason, where the permission check would only say "forbidden").
    (
        publish_activity,
        "/activities/{id}/publish",
        "POST",
        "org.member",
        "Publish an activity",
        {200: ACTIVITY_OUT, 403: ERROR, 422: ERROR},
        None,
    ),
    (
        archive_activity,
        "/activities/{id}/archive",
        "POST",
        "org.member",
        "Archive an activity (it stays on record)",
        {200: ACTIVITY_OUT, 403: ERROR},
        None,
    ),
    (
        duplicate_activity,
        "/activities/{id}/duplicate",
        "POST",
        "org.member",
        "Copy an activity into a new draft",
        {201: ACTIVITY_OUT, 403: ERROR},
        None,
    ),
    (
        join_activity,
        "/activities/{id}/participation",
        "POST",
        "learner",
        "Join an activity (or its waitlist when it is full)",
        {201: PARTICIPATION_OUT, 403: ERROR, 404: ERROR, 409: ERROR},
        None,
    ),
    (
        leave_activity,
        "/activities/{id}/participation",
        "DELETE",
        "learner",
        "Leave an activity (the waitlist moves up)",
        {200: PARTICIPATION_OUT, 403: ERROR, 404: ERROR},
        None,
    ),
    (
        list_participants,
        "/activities/{id}/participants",
        "GET",
        "org.member",
        "Participants and waitlist, in order",
        {
            200: json_response(
                "Participants",
                {
                    "type": "object",
                    "required": ["items"],
                    "properties": {"items": {"type": "array", "items": ref("Participation")}},
                },
            ),
            403: ERROR,
        },
        None,
    ),
    (
        mark_attendance,
        "/activities/{id}/attendance",
        "POST",
        "org.member",
        "Mark participants present at a session",
        {
            200: json_response(
                "Newly marked",
                {
                    "type": "object",
                    "required": ["marked"],
                    "properties": {"marked": {"type": "array", "items": {"type": "integer"}}},
                },
            ),
            403: ERROR,
            422: ERROR,
        },
        IDS_IN,
    ),
    (
        mark_completion,
        "/activities/{id}/completion",
        "POST",
        "org.member",
        "Mark participants as having completed the activity",
        {
            200: json_response(
                "Newly completed",
                {
                    "type": "object",
                    "required": ["completed"],
                    "properties": {"completed": {"type": "array", "items": {"type": "integer"}}},
                },
            ),
            403: ERROR,
            422: ERROR,
        },
        IDS_IN,
    ),
    (
        attend_by_code,
        "/attendance",
        "POST",
        "learner",
        "Check in at a session with the token of its QR code",
        {200: PARTICIPATION_OUT, 403: ERROR, 422: ERROR},
        {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}},
    ),
    (
        organisation_activities,
        "/organisations/{slug}/activities",
        "GET",
        "org.member",
        "An organisation's activities, drafts included (organisers)",
        {200: LIST_OUT, 403: ERROR},
        None,
    ),
]


# -- the place picker's address search ---------------------------------------------------------

PLACE = {
    "type": "object",
    "required": ["name", "address", "latitude", "longitude", "source"],
    "properties": {
        "name": {"type": "string"},
        "address": {"type": "string"},
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        "source": {
            "enum": ["city", "geocoder"],
            "description": "The city's own places (its venues and StarterKit list) or the "
            "deployment's geocoder.",
        },
    },
}
PLACE_QUERY = {
    "name": "q",
    "in": "query",
    "required": True,
    "schema": {"type": "string", "minLength": 2, "maxLength": 200},
    "description": "Part of an address or of a place's name; accents and case do not matter.",
}


def activity_places(context, request):
    """The place picker's address search for an activity's organisers (the city's geocoder)."""
    query = request.GET.get("q", "").strip()
    if not 2 <= len(query) <= 200:
        message = _translate(
            request, _("Type from 2 to 200 characters of an address or a place's name.")
        )
        raise ApiError(message, fields={"q": message})
    found = request.find_service(IGeocoder).search(query)
    return {"items": [place.as_json() for place in found]}


def _add_places(config):
    config.add_openapi_schema("Place", PLACE)
    config.add_api_view(
        activity_places,
        r"/activities/{id:\d+}/places",
        name="api.get.activities.{id}.places",
        permission="org.member",
        factory=activity_factory,
        tags=["activities"],
        summary="Places matching an address or a name, for an activity's place picker (organisers)",
        parameters=[PLACE_QUERY],
        responses={
            200: json_response(
                "The city's own places first",
                {
                    "type": "object",
                    "required": ["items"],
                    "properties": {"items": {"type": "array", "items": ref("Place")}},
                },
            ),
            403: ERROR,
        },
    )


def includeme(config):
    _add_places(config)
    for name, schema in SCHEMAS.items():
        config.add_openapi_schema(name, schema)
    for view, pattern, method, permission, summary, responses, body in OPERATIONS:
        route = f"api.{method.lower()}.{pattern.strip('/').replace('/', '.')}"
        factory = (
            activity_factory
            if "{id}" in pattern
            else organisation_factory
            if "{slug}" in pattern
            else None
        )
        # Ids are digits, so later paths such as /activities/search are not taken for an id.
        pattern = pattern.replace("{id}", r"{id:\d+}")
        config.add_api_view(
            view,
            pattern,
            method=method,
            name=route,
            permission=permission,
            summary=summary,
            responses=responses,
            request_body=body,
            factory=factory,
            tags=["activities"],
        )
