"""``/api/v1/analytics/...``: the dashboards and the impact figures as JSON (in the OpenAPI)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound

from col_core.analytics.interfaces import IAnalyticsService
from col_core.analytics.period import Period, PeriodError
from col_core.analytics.tables import Suppressed
from col_core.analytics.views import requested_period
from col_core.api import ApiError
from col_core.db.meta import utcnow
from col_core.organisations.resources import organisation_factory

# A figure is a number, a text label, or {"fewer_than": k} when it counts too few people.
FIGURE = {
    "oneOf": [
        {"type": "number"},
        {"type": "string"},
        {"type": "null"},
        {
            "type": "object",
            "required": ["fewer_than"],
            "properties": {"fewer_than": {"type": "integer"}},
        },
    ]
}
PERIOD = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date", "description": "excluded"},
    },
}
DASHBOARD = {
    "type": "object",
    "required": ["period", "min_group_size", "tables"],
    "properties": {
        "period": PERIOD,
        "min_group_size": {"type": "integer"},
        "tables": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "title", "rows"],
                "properties": {
                    "key": {"type": "string"},
                    "title": {"type": "string"},
                    "rows": {
                        "type": "array",
                        "items": {"type": "object", "additionalProperties": FIGURE},
                    },
                },
            },
        },
    },
}
IMPACT = {
    "type": "object",
    "required": ["period", "min_group_size", "figures", "skills"],
    "properties": {
        "period": PERIOD,
        "min_group_size": {"type": "integer"},
        "cities": {"type": ["integer", "null"]},
        "figures": {"type": "object", "additionalProperties": FIGURE},
        "skills": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"skill": {"type": "string"}, "joins": {"type": "integer"}},
            },
        },
    },
}
PERIOD_PARAMETERS = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{label} date of the period, YYYY-MM-DD (default: the last six months)",
        "schema": {"type": "string", "format": "date"},
    }
    for name, label in (("from", "First"), ("to", "Last"))
]


def _period(request) -> Period:
    try:
        return requested_period(request)
    except PeriodError as error:
        translate = request.localizer.translate
        raise ApiError(
            translate(error.message),
            {name: translate(message) for name, message in error.fields.items()},
        ) from error


def _dashboard_json(request, period, tables) -> dict:
    analytics = request.find_service(IAnalyticsService)
    return {
        "period": period.as_dict(),
        "min_group_size": analytics.min_group_size(),
        "tables": [table.as_json() for table in tables],
    }


def city_dashboard(request):
    if request.tenant.is_global:
        raise HTTPNotFound()
    period = _period(request)
    tables = request.find_service(IAnalyticsService).city_dashboard(period)
    return _dashboard_json(request, period, tables)


def organisation_dashboard(context, request):
    period = _period(request)
    tables = request.find_service(IAnalyticsService).organisation_dashboard(
        context.organisation, period
    )
    return _dashboard_json(request, period, tables)


def impact(request):
    found = request.find_service(IAnalyticsService).impact(
        Period.last_months(utcnow().date()), network=request.tenant.is_global
    )
    return {
        "period": found["period"].as_dict(),
        "min_group_size": found["min_group_size"],
        "cities": found["cities"],
        "figures": {
            key: value.as_json() if isinstance(value, Suppressed) else value
            for key, _label, value in found["figures"]
        },
        "skills": [{"skill": label, "joins": joins} for label, joins in found["skills"]],
    }


def _ok(schema):
    return {200: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def includeme(config):
    denied = {
        403: {
            "description": "Not allowed",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    }
    config.add_api_view(
        city_dashboard,
        "/analytics/city",
        permission="city.admin",
        summary="The city dashboard's tables (city admins)",
        parameters=PERIOD_PARAMETERS,
        responses={**_ok(DASHBOARD), **denied},
    )
    config.add_api_view(
        organisation_dashboard,
        "/analytics/organisations/{slug}",
        permission="org.member",
        factory=organisation_factory,
        summary="An organisation's dashboard tables (its members)",
        parameters=PERIOD_PARAMETERS,
        responses={**_ok(DASHBOARD), **denied},
    )
    config.add_api_view(
        impact,
        "/analytics/impact",
        permission="view",
        summary="Public impact figures of the city, or of the whole network on "
        "the global site (small groups suppressed)",
        responses=_ok(IMPACT),
    )
