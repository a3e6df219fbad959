"""Dashboard pages, CSV exports, the public impact page and the feedback form."""

from __future__ import annotations

import datetime as dt
import os

import xstatic.pkg.leaflet
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.i18n import TranslationStringFactory
from pyramid.response import Response
from pyramid.view import view_config

from col_core.activities.interfaces import IActivityService, ValidationFailed
from col_core.analytics import charts
from col_core.analytics.interfaces import IAnalyticsService, IFeedbackService
from col_core.analytics.period import Period, PeriodError, parse_period
from col_core.db.meta import utcnow
from col_core.web.maps import city_tiles

_ = TranslationStringFactory("col")
T = "col_core.analytics:templates/"


def requested_period(request) -> Period:
    return parse_period(request.params, utcnow().date(), _)


def city_only(request) -> None:
    if request.tenant.is_global:
        raise HTTPNotFound()


def page(request, title, tables, **values) -> dict:
    """What the dashboard template needs: tables with their charts, and the period form."""
    describe = request.localizer.translate(_("Chart; the same figures are in the table below."))
    values.setdefault("errors", {})
    leaflet = None
    if any(table.chart == "map" and table.rows for table in tables):
        leaflet = {
            kind: request.static_url(os.path.join(xstatic.pkg.leaflet.BASE_DIR, f"leaflet.{kind}"))
            for kind in ("js", "css")
        }
    period = values.get("period")
    values["last_day"] = period.end - dt.timedelta(days=1) if period else None
    locale = request.localizer.locale_name
    charted = [
        (table, charts.render(table, describe, nonce=request.csp_nonce, locale=locale))
        for table in tables
    ]
    return {
        "title": title,
        "charted": charted,
        "params": request.params,
        "leaflet": leaflet,
        "tiles": city_tiles(request),
        **values,
    }


def _dashboard(request, title, build, csv_route, **route_args):
    try:
        period = requested_period(request)
    except PeriodError as error:
        request.response.status = 400
        return page(request, title, [], errors=error.fields, period=None)
    return page(
        request,
        title,
        build(period),
        period=period,
        csv=lambda key: request.route_url(
            csv_route, table=key, **route_args, _query=csv_query(request, period)
        ),
    )


def period_query(period: Period) -> dict:
    return {"from": period.start.isoformat(), "to": (period.end - dt.timedelta(days=1)).isoformat()}


def csv_query(request, period: Period | None = None) -> dict:
    """A CSV link's query: the page's period, and the language the page is read in, so that
    the file's headers are in the reader's language however they chose it (``?lang=``)."""
    return {**(period_query(period) if period else {}), "lang": request.localizer.locale_name}


def csv_response(request, tables, key: str, filename: str) -> Response:
    table = next((table for table in tables if table.key == key), None)
    if table is None:
        raise HTTPNotFound()
    translate = request.localizer.translate

    def coded(key: str, label: str) -> str:
        # Months are coded as ISO writes them; categories by their slug in the city's settings.
        header = _("${column} (ISO)") if key == "month" else _("${column} (code)")
        return translate(header, mapping={"column": label})

    body = table.as_csv(lambda k: translate(_("fewer than ${k}", mapping={"k": k})), coded)
    return Response(
        body,
        content_type="text/csv",
        charset="utf-8",
        content_disposition=f'attachment; filename="{filename}-{key}.csv"',
    )


def period_refused(request, error: PeriodError) -> Response:
    translate = request.localizer.translate
    lines = [translate(error.message)]
    for name, message in error.fields.items():
        lines.append(f"{name}: {translate(message)}")
    lines.append("")  # the text ends with a line break
    body = "\n".join(lines)
    return Response(body, status=400, content_type="text/plain", charset="utf-8")


# -- city ------------------------------------------------------------------------------------------


@view_config(route_name="analytics_city", renderer=T + "dashboard.jinja2", permission="city.admin")
def city_dashboard(request):
    city_only(request)
    analytics = request.find_service(IAnalyticsService)
    return _dashboard(request, _("City dashboard"), analytics.city_dashboard, "analytics_city_csv")


@view_config(route_name="analytics_city_csv", permission="city.admin")
def city_csv(request):
    city_only(request)
    try:
        period = requested_period(request)
    except PeriodError as error:
        return period_refused(request, error)
    tables = request.find_service(IAnalyticsService).city_dashboard(period)
    return csv_response(request, tables, request.matchdict["table"], request.tenant.slug)


# -- organisations and activities ----------------------------------------------------------------


@view_config(
    route_name="analytics_organisation", renderer=T + "dashboard.jinja2", permission="org.member"
)
def organisation_dashboard(context, request):
    analytics = request.find_service(IAnalyticsService)
    organisation = context.organisation
    found = _dashboard(
        request,
        organisation.name,
        lambda period: analytics.organisation_dashboard(organisation, period),
        "analytics_organisation_csv",
        slug=organisation.slug,
    )
    activities = request.find_service(IActivityService).for_organisation(organisation)
    found["reports"] = [
        (activity.title, request.route_url("analytics_activity", id=activity.id))
        for activity in activities
    ]
    # Plugins' dashboards of the organisation's other things (col_analytics_reports).
    found["more_reports"] = [
        report
        for reports in request.hooks.col_analytics_reports(
            request=request, organisation=organisation
        )
        for report in reports or ()
    ]
    return found


@view_config(route_name="analytics_organisation_csv", permission="org.member")
def organisation_csv(context, request):
    try:
        period = requested_period(request)
    except PeriodError as error:
        return period_refused(request, error)
    tables = request.find_service(IAnalyticsService).organisation_dashboard(
        context.organisation, period
    )
    return csv_response(request, tables, request.matchdict["table"], context.organisation.slug)


@view_config(
    route_name="analytics_activity", renderer=T + "activity.jinja2", permission="org.member"
)
def activity_report(context, request):
    activity = context.activity
    tables = request.find_service(IAnalyticsService).activity_report(activity)
    return {
        **page(request, activity.title, tables),
        "activity": activity,
        "feedback": request.find_service(IFeedbackService).results(activity),
        "questions": request.find_service(IFeedbackService).questions(),
        "csv": lambda key: request.route_url(
            "analytics_activity_csv", id=activity.id, table=key, _query=csv_query(request)
        ),
    }


@view_config(route_name="analytics_activity_csv", permission="org.member")
def activity_csv(context, request):
    tables = request.find_service(IAnalyticsService).activity_report(context.activity)
    return csv_response(
        request, tables, request.matchdict["table"], f"activity-{context.activity.id}"
    )


# -- public impact -------------------------------------------------------------------------------


@view_config(route_name="impact", renderer=T + "impact.jinja2", permission="view")
def impact(request):
    period = Period.last_months(utcnow().date())
    analytics = request.find_service(IAnalyticsService)
    return analytics.impact(period, network=request.tenant.is_global)


# -- learner feedback -----------------------------------------------------------------------------


def _feedback_form(request, activity, values, errors, status=200):
    request.response.status = status
    return {
        "activity": activity,
        "questions": request.find_service(IFeedbackService).questions(),
        "values": values,
        "errors": errors,
    }


@view_config(
    route_name="activity_feedback",
    request_method="GET",
    renderer=T + "feedback.jinja2",
    permission="learner",
)
def feedback_form(context, request):
    feedback = request.find_service(IFeedbackService)
    activity = context.activity
    if not feedback.may_give(activity, request.user):
        raise HTTPNotFound(
            request.localizer.translate(
                _("You can give feedback on activities you took part in, once they have started.")
            )
        )
    mine = feedback.mine(activity, request.user)
    values = {"rating": str(mine.rating), **mine.answers} if mine else {}
    return _feedback_form(request, activity, values, {})


@view_config(
    route_name="activity_feedback",
    request_method="POST",
    renderer=T + "feedback.jinja2",
    permission="learner",
)
def give_feedback(context, request):
    feedback = request.find_service(IFeedbackService)
    activity = context.activity
    if not feedback.may_give(activity, request.user):
        raise HTTPNotFound(
            request.localizer.translate(
                _("You can give feedback on activities you took part in, once they have started.")
            )
        )
    try:
        feedback.give(activity, request.user, request.POST)
    except ValidationFailed as error:
        return _feedback_form(request, activity, dict(request.POST), error.fields, status=400)
    request.session.flash(request.localizer.translate(_("Thank you for your feedback!")))
    return HTTPSeeOther(request.route_url("activity", id=activity.id))
