"""The tables of each dashboard, assembled from :class:`AnalyticsService` queries.

Counts of people pass through ``service.protect`` here, once, so the HTML page, the chart, the CSV
and the JSON of a table can never disagree about what is suppressed.
"""

from __future__ import annotations

from babel import Locale
from pyramid.i18n import TranslationStringFactory
from sqlalchemy import distinct, func, select

from col_core.activities.models import Activity, ActivitySession, Attendance, Participation
from col_core.activities.schemas.fields import category_names
from col_core.analytics import rollup
from col_core.analytics.models import ActivityFeedback
from col_core.analytics.tables import Labelled, Table

_ = TranslationStringFactory("col")

#: Headline figures that are sums of the "By month" table's cells.
ADDITIVE = ("joins", "completions", "badges")
AGE_LABELS = {
    "under-15": _("Under 15"),
    "15-19": _("15 to 19"),
    "20-24": _("20 to 24"),
    "25-29": _("25 to 29"),
    "30-plus": _("30 and over"),
}


def _language(code: str, locale: str) -> str:
    try:
        return Locale.parse(code).get_display_name(locale) or code
    except (ValueError, TypeError):
        return code


def city_tables(service, period) -> list[Table]:
    """The city dashboard's tables, in the page's order (the skill groups only when a plugin
    groups skills)."""
    series = _month_series(service, period)
    tables = [
        _headline(service, period, series),
        _by_month(service, period, series),
        _by_category(service, period),
        _joins_by_age(service, period),
        _joins_by_language(service, period),
        _joins_by_neighbourhood(service, period),
        _top_skills(service, period),
        _skills_by_group(service, period),
    ]
    return [table for table in tables if table is not None]


def _month_series(service, period) -> dict:
    """Each month's joins, active learners, completions and badges: the cells of "By month"."""
    series = {metric: service.rollup_sums(metric, "", period, by_month=True) for metric in ADDITIVE}
    # Learners are counted from the same rows as the headline's active learners.
    series["active"] = {("", month): n for month, n in service.active_by_month(period).items()}
    return {metric: series[metric] for metric in ("joins", "active", "completions", "badges")}


def _headline(service, period, series) -> Table:
    """This period's headline figures beside the previous period's."""
    t, protect = service.t, service.protect
    now = {key: value for key, _label, value, _people in service.headline(period)}
    # The headline's sums are the sums of the month cells (the same rollup rows), so the two
    # can never disagree; each is suppressed on its own figure.
    now.update({metric: sum(series[metric].values()) for metric in ADDITIVE})

    def row(key, label, before, people):
        value = now.get(key, 0)
        if people:
            return [label, protect(value), protect(before)]
        return [label, value, before]

    return Table(
        "headline",
        t(_("At a glance")),
        [
            ("figure", t(_("Figure"))),
            ("period", t(_("This period"))),
            ("previous", t(_("Previous period"))),
        ],
        [row(*figure) for figure in service.headline(period.previous())],
        chart="bar",
    )


def _by_month(service, period, series) -> Table:
    t, protect = service.t, service.protect

    def row(month):
        counts = [protect(cells.get(("", month), 0)) for cells in series.values()]
        return [service.month_label(month), *counts]

    return Table(
        "months",
        t(_("By month")),
        [
            ("month", t(_("Month"))),
            ("joins", t(_("Joins"))),
            ("active", t(_("Active learners"))),
            ("completions", t(_("Completions"))),
            ("badges", t(_("Badges issued"))),
        ],
        [row(month) for month in period.months()],
        chart="line",
    )


def _by_category(service, period) -> Table:
    t, protect = service.t, service.protect
    offered = service.activities_offered(period, group_by=Activity.category)
    joins = service.rollup_sums("joins", "category", period)
    completions = service.rollup_sums("completions", "category", period)
    feedback = service.feedback_by(Activity.category, _feedback_in(period))
    k = service.min_group_size()
    request = service.request
    names = category_names(request.tenant, request.locale_name)

    def row(category):
        return [
            Labelled(category, names.get(category, category)) if category else t(_("No category")),
            offered.get(category, 0),
            protect(joins.get(category, 0)),
            protect(completions.get(category, 0)),
            _rating(feedback.get(category), k, protect),
        ]

    return Table(
        "categories",
        t(_("By category")),
        [
            ("category", t(_("Category"))),
            ("activities", t(_("Activities"))),
            ("joins", t(_("Joins"))),
            ("completions", t(_("Completions"))),
            ("rating", t(_("Average rating"))),
        ],
        [row(category) for category in sorted(set(offered) | set(joins))],
        chart="bar",
    )


def _joins_by_age(service, period) -> Table:
    t = service.t
    ages = service.rollup_sums("joins", "age", period)
    return Table(
        "ages",
        t(_("Joins by age")),
        [("age", t(_("Age"))), ("joins", t(_("Joins")))],
        [[t(label), service.protect(ages.get(key, 0))] for key, label in AGE_LABELS.items()],
        chart="bar",
    )


def _joins_by_language(service, period) -> Table:
    t = service.t
    locale = service.request.localizer.locale_name
    languages = service.rollup_sums("joins", "language", period)
    most_first = sorted(languages.items(), key=lambda item: -item[1])
    return Table(
        "languages",
        t(_("Joins by language")),
        [("language", t(_("Language"))), ("joins", t(_("Joins")))],
        [[_language(code, locale), service.protect(joins)] for code, joins in most_first],
        chart="bar",
    )


def _joins_by_neighbourhood(service, period) -> Table:
    """Joins per square of about 1 km, leaving out squares of fewer than k joins."""
    t, k = service.t, service.min_group_size()
    cells = service.rollup_sums("joins", "cell", period)
    shown = [(key, joins) for key, joins in sorted(cells.items()) if joins >= k]
    return Table(
        "map",
        t(_("Joins by neighbourhood")),
        [
            ("latitude", t(_("Latitude"))),
            ("longitude", t(_("Longitude"))),
            ("joins", t(_("Joins"))),
        ],
        [[*rollup.cell_centre(key), joins] for key, joins in shown],
        chart="map",
        note=t(
            _(
                "Squares of about 1 km; squares with fewer than ${k} joins are left out.",
                mapping={"k": k},
            )
        ),
    )


def _top_skills(service, period) -> Table:
    t = service.t
    return Table(
        "skills",
        t(_("Most popular skills")),
        [("skill", t(_("Skill"))), ("joins", t(_("Joins")))],
        [list(row) for row in service.top_skills(period)],
        chart="bar",
    )


def _skills_by_group(service, period) -> Table | None:
    """Joins per group of skills, when a plugin groups skills (``col_skill_groups``)."""
    t = service.t
    groups = service.skill_groups(period)
    if not groups:
        return None
    return Table(
        "skill_groups",
        t(_("Skills by group")),
        [("group", t(_("Group of skills"))), ("joins", t(_("Joins")))],
        [[label, service.protect(joins)] for label, joins in groups],
        chart="bar",
        note=t(_("A join counts once for each skill of the activity.")),
    )


def _feedback_in(period):
    start, end = period.bounds()
    return (ActivityFeedback.created_at >= start, ActivityFeedback.created_at < end)


def _rating(found, k, protect):
    """Average rating, or suppressed when fewer than k learners answered."""
    if not found:
        return protect(0)
    count, average = found
    return round(average, 1) if count >= k else protect(count)


def organisation_tables(service, organisation, period) -> list[Table]:
    """Read from the rollup's "activity" and "organisation" breakdowns: a few rows per activity
    and day, however many participations the city has."""
    t, db = service.t, service.db
    activities = db.execute(
        select(Activity.id, Activity.title)
        .where(Activity.organisation_id == organisation.id)
        .order_by(Activity.starts_at.desc(), Activity.id)
    ).all()
    keys = [str(id_) for id_, _title in activities]
    names = ("views", "joins", "attendance", "completions", "badges")
    found = service.metric_sums(names, "activity", period, keys=keys)
    feedback = service.feedback_by(
        ActivityFeedback.activity_id, (Activity.organisation_id == organisation.id,)
    )
    k = service.min_group_size()
    tables = [
        Table(
            "activities",
            t(_("Activities")),
            [("activity", t(_("Activity")))]
            + [
                (n, t(label))
                for n, label in zip(
                    names,
                    (
                        _("Page views"),
                        _("Joins"),
                        _("Attendances"),
                        _("Completions"),
                        _("Badges issued"),
                    ),
                    strict=False,
                )
            ]
            + [("rating", t(_("Average rating")))],
            [
                [title]
                + [found[n].get(str(id_), 0) for n in names]
                + [_rating(feedback.get(id_), k, service.protect)]
                for id_, title in activities
            ],
            chart="bar",
        )
    ]
    trend = service.metric_sums(
        ("joins", "completions"), "organisation", period, by_month=True, keys=[str(organisation.id)]
    )
    tables.append(
        Table(
            "trend",
            t(_("Trend by month")),
            [
                ("month", t(_("Month"))),
                ("joins", t(_("Joins"))),
                ("completions", t(_("Completions"))),
            ],
            [
                [service.month_label(m)]
                + [trend[n].get((str(organisation.id), m), 0) for n in trend]
                for m in period.months()
            ],
            chart="line",
        )
    )
    metrics = service.plugin_metrics(organisation, period)
    if metrics:
        tables.append(
            Table(
                "more",
                t(_("More figures")),
                [("figure", t(_("Figure"))), ("value", t(_("Value")))],
                [[m.label, service.protect(m.value) if m.people else m.value] for m in metrics],
            )
        )
    return tables


def activity_tables(service, activity) -> list[Table]:
    """The participants of one activity and their progress (for its organisers)."""
    t, db = service.t, service.db
    sessions = db.scalar(
        select(func.count(ActivitySession.id)).where(ActivitySession.activity_id == activity.id)
    )
    rows = db.execute(
        select(
            Participation.id,
            Participation.status,
            Participation.created_at,
            Participation.completed_at,
            func.count(distinct(Attendance.id)),
        )
        .outerjoin(Attendance, Attendance.participation_id == Participation.id)
        .where(Participation.activity_id == activity.id)
        # By the whole key, so that PostgreSQL lets the row's other columns be read.
        .group_by(Participation.tenant_id, Participation.id)
        .order_by(Participation.created_at, Participation.id)
    ).all()
    names = service.participant_names([row[0] for row in rows])
    statuses = {"joined": t(_("Joined")), "waitlisted": t(_("Waiting list")), "left": t(_("Left"))}
    return [
        Table(
            "participants",
            t(_("Participants' progress")),
            [
                ("name", t(_("Participant"))),
                ("status", t(_("Status"))),
                ("joined", t(_("Joined on"))),
                ("attended", t(_("Sessions attended"))),
                ("sessions", t(_("Sessions"))),
                ("completed", t(_("Completed on"))),
            ],
            [
                [
                    names.get(pid, ""),
                    statuses.get(status, status),
                    created.date().isoformat(),
                    attended,
                    sessions,
                    completed.date().isoformat() if completed else "",
                ]
                for pid, status, created, completed, attended in rows
            ],
        )
    ]
