"""Analytics on the core's hooks: events increment the daily rollup in their own transaction."""

from __future__ import annotations

from markupsafe import Markup
from pyramid.i18n import TranslationStringFactory
from pyramid.renderers import render
from sqlalchemy import func, select

from col_core.activities.models import Activity
from col_core.analytics import rollup
from col_core.analytics.demo import seed_history
from col_core.analytics.interfaces import IAnalyticsService, IFeedbackService
from col_core.analytics.models import ActivityFeedback
from col_core.analytics.period import Period
from col_core.db.meta import utcnow
from col_core.hookspecs import Metric, NavItem, Section, hookimpl
from col_core.organisations.models import Organisation
from col_core.tenancy.models import Tenant

_ = TranslationStringFactory("col")


@hookimpl
def col_activity_joined(request, activity, participation):
    # Waiting lists are not joins yet; a learner promoted from one is counted then.
    if participation.status != "joined":
        return
    today = utcnow().date()
    rollup.increment(
        request.dbsession,
        activity.tenant_id,
        today,
        "joins",
        rollup.join_breakdown(activity, participation.user, today),
    )
    rollup.count_learner(request.dbsession, activity.tenant_id, participation.user_id, today)


@hookimpl
def col_activity_completed(request, activity, participation):
    rollup.increment(
        request.dbsession,
        activity.tenant_id,
        utcnow().date(),
        "completions",
        rollup.activity_pairs(activity),
    )


@hookimpl
def col_badge_awarded(request, assertion):
    activity = getattr(assertion, "activity", None)
    pairs = rollup.activity_pairs(activity) if activity is not None else [("", "")]
    tenant_id = getattr(assertion, "tenant_id", None) or request.tenant.id
    rollup.increment(request.dbsession, tenant_id, utcnow().date(), "badges", pairs)


@hookimpl
def col_attendance_marked(request, activity, attendance):
    rollup.increment(
        request.dbsession,
        attendance.tenant_id,
        attendance.marked_at.date(),
        "attendance",
        rollup.activity_pairs(activity),
    )


@hookimpl
def col_activities_viewed(request, day, views):
    amounts = {(day, "views", "activity", str(activity_id)): n for activity_id, n in views.items()}
    amounts[(day, "views", "", "")] = sum(views.values())
    rollup.add(request.dbsession, request.tenant.id, amounts)


@hookimpl
def col_metrics(request, scope, period):
    """The core's own contribution: how many learners gave feedback."""
    start, end = period.bounds()
    query = select(func.count(ActivityFeedback.id)).where(
        ActivityFeedback.created_at >= start, ActivityFeedback.created_at < end
    )
    if isinstance(scope, Organisation):
        query = query.join(Activity, Activity.id == ActivityFeedback.activity_id).where(
            Activity.organisation_id == scope.id
        )
    elif not isinstance(scope, Tenant):
        query = query.where(ActivityFeedback.activity_id == scope.id)
    label = request.localizer.translate(_("Feedback responses"))
    return [Metric("feedback.responses", label, request.dbsession.scalar(query), order=90)]


@hookimpl
def col_navigation(request):
    """The impact page for everyone; the dashboards for those allowed to see them (city admins
    the city's, an organisation's members their organisation's)."""
    t = request.localizer.translate
    items = [NavItem(t(_("Our impact")), request.route_url("impact"), order=85)]
    if request.tenant.is_global or getattr(request, "exception", None) is not None:
        return items  # an error page: the transaction may be unusable, so ask the database nothing
    if request.user is None:
        return items
    if request.roles.is_city_admin:
        items.append(NavItem(t(_("City dashboard")), request.route_url("analytics_city"), order=94))
    memberships = list(request.roles.memberships)
    if len(memberships) == 1:
        slug = request.dbsession.scalar(
            select(Organisation.slug).where(Organisation.id == memberships[0])
        )
        if slug is not None:
            items.append(
                NavItem(
                    t(_("Organisation dashboard")),
                    request.route_url("analytics_organisation", slug=slug),
                    order=92,
                )
            )
    elif memberships:  # each organisation's page leads to its dashboard
        items.append(
            NavItem(
                t(_("Organisation dashboards")), request.route_url("organisations_mine"), order=92
            )
        )
    return items


@hookimpl
def col_dashboard_sections(request, organisation):
    analytics = request.find_service(IAnalyticsService)
    activities = analytics.organisation_dashboard(
        organisation, Period.last_months(utcnow().date())
    )[0]
    keys = [key for key, _label in activities.columns]
    totals = {
        key: sum(row[keys.index(key)] for row in activities.rows)
        for key in ("views", "joins", "completions")
    }
    html = render(
        "col_core.analytics:templates/section.jinja2",
        {"organisation": organisation, "totals": totals},
        request=request,
    )
    return [
        Section(request.localizer.translate(_("Impact")), Markup(html), order=20, id="analytics")
    ]


@hookimpl
def col_home_sections(request):
    """Invite a signed-in learner to rate the activities they took part in lately."""
    if request.user is None or request.tenant is None or request.tenant.is_global:
        return []
    activities = request.find_service(IFeedbackService).awaiting(request.user)
    if not activities:
        return []
    html = render(
        "col_core.analytics:templates/feedback_section.jinja2",
        {"activities": activities},
        request=request,
    )
    return [
        Section(
            request.localizer.translate(_("How was it?")), Markup(html), order=15, id="feedback"
        )
    ]


@hookimpl(trylast=True)
def col_seed_demo(request, tenant):
    """After every plugin seeded its demo data: six months of figures for the dashboards."""
    if tenant.is_global:
        return None
    return seed_history(request, tenant)


@hookimpl
def col_account_export(request, user) -> dict[str, bytes]:
    """The person's feedback on activities, and the months (and days) in which they took part
    somewhere, as the city's figures count them."""
    from col_core.analytics.models import ActiveLearner
    from col_core.security.views.privacy import as_json
    from col_core.tenancy.scoping import cross_tenant

    session = request.dbsession
    # An account spans cities, so its export deliberately reads across tenants.
    with cross_tenant(session):
        cities = dict(session.execute(select(Tenant.id, Tenant.slug)).all())
        feedback = [
            {
                "city": cities.get(given.tenant_id),
                "activity_id": activity.id,
                "activity": activity.title,
                "rating": given.rating,
                "answers": given.answers,
                "given_at": given.created_at.isoformat(),
            }
            for given, activity in session.execute(
                select(ActivityFeedback, Activity)
                .join(Activity, Activity.id == ActivityFeedback.activity_id)
                .where(ActivityFeedback.user_id == user.id)
                .order_by(ActivityFeedback.created_at)
            )
        ]
        active = [
            {
                "city": cities.get(row.tenant_id),
                "month": row.month.isoformat()[:7],
                "days": [day for day in range(1, 32) if row.days >> (day - 1) & 1],
            }
            for row in session.scalars(
                select(ActiveLearner)
                .where(ActiveLearner.user_id == user.id)
                .order_by(ActiveLearner.month)
            )
        ]
    return {
        "analytics/feedback.json": as_json(feedback),
        "analytics/active_months.json": as_json(active),
    }
