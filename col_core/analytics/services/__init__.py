"""The default :class:`IAnalyticsService`: SQL aggregates on the rollup and on indexed columns."""

from __future__ import annotations

import datetime as dt

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import Integer, and_, cast, func, or_, select
from zope.interface import implementer

from col_core.activities.models import Activity, ActivitySkill, Participation
from col_core.analytics import figures, rollup
from col_core.analytics.interfaces import IAnalyticsService
from col_core.analytics.models import ActiveLearner, ActivityFeedback, DailyMetric
from col_core.analytics.tables import Labelled, Suppressed, Table
from col_core.i18n.formatting import format_month
from col_core.organisations.models import Organisation
from col_core.security.models import User
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant

_ = TranslationStringFactory("col")

DEFAULT_MIN_GROUP_SIZE = 5
#: The impact page's figures unless a city lists its own (``analytics.impact_metrics``).
DEFAULT_IMPACT_METRICS = ("activities", "joins", "organisers", "badges")
TOP_SKILLS = 10


def city_setting(tenant, name: str, default=None):
    """An ``analytics.*`` setting of the city: ``"analytics.name" = ...`` in tenant.toml's
    ``[settings]``, or the same written as a TOML table (``[settings.analytics]``)."""
    if tenant is None:
        return default
    nested = tenant.setting("analytics") or {}
    return tenant.setting(
        f"analytics.{name}", nested.get(name, default) if isinstance(nested, dict) else default
    )


def month_of(column, dialect: str):
    """ "YYYY-MM" of a date or datetime column, in SQL."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _most_joined_first(group: tuple[str, int]) -> tuple[int, str]:
    label, joins = group
    return -joins, label


@implementer(IAnalyticsService)
class AnalyticsService:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession
        self.dialect = self.db.get_bind().dialect.name
        self.t = request.localizer.translate
        self._sums: dict[tuple, dict] = {}

    # -- small groups ------------------------------------------------------------------------------

    def min_group_size(self) -> int:
        default = self.request.registry.settings.get(
            "analytics.min_group_size", DEFAULT_MIN_GROUP_SIZE
        )
        value = city_setting(self.request.tenant, "min_group_size", default)
        try:
            return max(1, int(value))
        except (TypeError, ValueError):
            return DEFAULT_MIN_GROUP_SIZE

    def protect(self, value):
        k = self.min_group_size()
        return Suppressed(k) if value is not None and value < k else value

    # -- reading the rollup -------------------------------------------------------------------------

    def totals(self, metrics, period) -> dict[str, int]:
        """{metric: city total over the period} of several metrics, in one query."""
        found = self.metric_sums(metrics, "", period)
        return {metric: sums.get("", 0) for metric, sums in found.items()}

    def rollup_sums(
        self, metric: str, dimension: str, period, by_month: bool = False, keys=None
    ) -> dict:
        """{key: total} (or {(key, month): total}) of one metric over the period, for every
        key or only ``keys``.  Remembered for the request: several tables share sums."""
        memo = (metric, dimension, period, by_month, tuple(keys) if keys is not None else None)
        if memo not in self._sums:
            self._sums[memo] = self.metric_sums((metric,), dimension, period, by_month, keys)[
                metric
            ]
        return self._sums[memo]

    def metric_sums(
        self, metrics, dimension: str, period, by_month: bool = False, keys=None
    ) -> dict[str, dict]:
        """{metric: {key (or (key, month)): total}} of several metrics in one query."""
        columns = [DailyMetric.metric, DailyMetric.key]
        if by_month:
            columns.append(month_of(DailyMetric.day, self.dialect))
        query = (
            select(*columns, func.sum(DailyMetric.value))
            .where(
                DailyMetric.metric.in_(metrics),
                DailyMetric.dimension == dimension,
                DailyMetric.day >= period.start,
                DailyMetric.day < period.end,
            )
            .group_by(*columns)
        )
        if keys is not None:
            query = query.where(DailyMetric.key.in_(keys))
        found: dict[str, dict] = {metric: {} for metric in metrics}
        for metric, key, *month, total in self.db.execute(query).all():
            found[metric][(key, *month) if month else key] = int(total)
        return found

    # -- live counts on indexed columns ---------------------------------------------------------------

    def activities_offered(self, period, group_by=None):
        """Published activities running during the period (always-open ones included)."""
        start, end = period.bounds()
        query = select(
            *([group_by] if group_by is not None else []), func.count(Activity.id)
        ).where(
            Activity.status == "published",
            or_(Activity.starts_at.is_(None), Activity.starts_at < end),
            or_(Activity.ends_at.is_(None), Activity.ends_at >= start),
        )
        if group_by is None:
            return self.db.scalar(query)
        return dict(self.db.execute(query.group_by(group_by)).all())

    def active_learners(self, period) -> int:
        """Distinct learners who took a place during the period, exactly: whole months from the
        learners' months, the period's first and last month through their days' bits."""
        # DISTINCT in a subquery lets PostgreSQL hash the learners instead of sorting them.
        learners = (
            select(ActiveLearner.user_id).distinct().where(*self._learner_months(period)).subquery()
        )
        return self.db.scalar(select(func.count()).select_from(learners))

    def active_by_month(self, period) -> dict[str, int]:
        """{"YYYY-MM": learners who took a place in that month, within the period}: the same
        rows as :meth:`active_learners` (one per learner and month), so no month can show more
        learners than the whole period."""
        month = month_of(ActiveLearner.month, self.dialect)
        return dict(
            self.db.execute(
                select(month, func.count()).where(*self._learner_months(period)).group_by(month)
            ).all()
        )

    def _learner_months(self, period) -> tuple:
        """Conditions on the learners' months that took a place during ``period``."""
        first, last = (
            period.start.replace(day=1),
            (period.end - dt.timedelta(days=1)).replace(day=1),
        )
        days = ActiveLearner.days
        # Bits of the days from the period's first day on, and up to its last day.
        from_start = rollup.ALL_DAYS & ~(rollup.day_bit(period.start) - 1)
        to_end = (rollup.day_bit(period.end - dt.timedelta(days=1)) << 1) - 1
        if first == last:
            within = and_(ActiveLearner.month == first, days.op("&")(from_start & to_end) != 0)
        else:
            within = or_(
                and_(ActiveLearner.month > first, ActiveLearner.month < last),
                and_(ActiveLearner.month == first, days.op("&")(from_start) != 0),
                and_(ActiveLearner.month == last, days.op("&")(to_end) != 0),
            )
        return (
            ActiveLearner.tenant_id == self.request.tenant.id,
            ActiveLearner.month >= first,
            ActiveLearner.month <= last,
            within,
        )

    def organisers(self, period) -> int:
        return self.db.scalar(
            select(func.count(Organisation.id)).where(Organisation.created_at < period.bounds()[1])
        )

    def month_label(self, month: str) -> Labelled:
        """A "YYYY-MM" month as a table cell: named in the request's language, ISO in exports."""
        return Labelled(month, format_month(self.request, dt.date.fromisoformat(month + "-01")))

    def month_of(self, column):
        return month_of(column, self.dialect)

    def participant_names(self, participation_ids) -> dict[int, str]:
        rows = self.db.execute(
            select(Participation.id, User.display_name)
            .join(User, User.id == Participation.user_id)
            .where(Participation.id.in_(participation_ids))
        ).all()
        return dict(rows)

    def plugin_metrics(self, scope, period) -> list:
        found = [
            metric
            for metrics in self.request.hooks.col_metrics(
                request=self.request, scope=scope, period=period
            )
            for metric in metrics or ()
        ]
        return sorted(found, key=lambda metric: (metric.order, metric.key))

    # -- dashboards --------------------------------------------------------------------------------

    def headline(self, period) -> list[tuple[str, str, int, bool]]:
        """(key, label, value, counts people) of the city's headline figures."""
        t = self.t
        total = self.totals(
            ("joins", "learners", "completions", "attendance", "views", "badges"), period
        )
        figures_ = [
            ("activities", t(_("Activities offered")), self.activities_offered(period), False),
            ("joins", t(_("Joins")), total.get("joins", 0), True),
            ("active", t(_("Active learners")), self.active_learners(period), True),
            ("learners", t(_("New learners")), total.get("learners", 0), True),
            ("completions", t(_("Completions")), total.get("completions", 0), True),
            ("attendance", t(_("Attendances")), total.get("attendance", 0), True),
            ("views", t(_("Activity page views")), total.get("views", 0), False),
            ("organisers", t(_("Registered organisers")), self.organisers(period), False),
            ("badges", t(_("Badges issued")), total.get("badges", 0), True),
        ]
        figures_ += [
            (m.key, m.label, m.value, m.people)
            for m in self.plugin_metrics(self.request.tenant, period)
        ]
        return figures_

    def city_dashboard(self, period) -> list[Table]:
        return figures.city_tables(self, period)

    def organisation_dashboard(self, organisation, period) -> list[Table]:
        return figures.organisation_tables(self, organisation, period)

    def activity_report(self, activity) -> list[Table]:
        return figures.activity_tables(self, activity)

    # -- public impact -------------------------------------------------------------------------------

    def impact(self, period, network: bool = False) -> dict:
        if not network:
            return self._impact(period, self.request.tenant)
        with cross_tenant(self.db):
            return self._impact(period, self.request.tenant, network=True)

    def _impact(self, period, scope, network: bool = False) -> dict:
        t = self.t
        total = self.totals(("joins", "badges"), period)
        figures_ = [
            ("activities", self.activities_offered(period), False),
            ("joins", total.get("joins", 0), True),
            ("organisers", self.organisers(period), False),
            ("badges", total.get("badges", 0), True),
        ]
        # Only figures meant for the public, and of those only the ones the city publishes.
        extra = [m for m in self.plugin_metrics(scope, period) if m.public]
        figures_ += [(m.key, m.value, m.people) for m in extra]
        published = self.impact_metrics(network)
        figures_ = [figure for figure in figures_ if figure[0] in published]
        labels = {
            "activities": t(_("activities")),
            "joins": t(_("joins")),
            "organisers": t(_("organisers")),
            "badges": t(_("badges")),
            **{m.key: m.label for m in extra},
        }
        skills = self.top_skills(period, limit=5)
        cities = None
        if network:
            cities = self.db.scalar(
                select(func.count(Tenant.id)).where(
                    Tenant.kind != "global", Tenant.active.is_(True)
                )
            )
        return {
            "period": period,
            "figures": [
                (key, labels.get(key), self.protect(v) if people else v)
                for key, v, people in figures_
            ],
            "skills": skills,
            "cities": cities,
            "min_group_size": self.min_group_size(),
            "title": t(_("Our impact")),
        }

    def impact_metrics(self, network: bool = False) -> tuple[str, ...]:
        """The keys of the figures the city publishes on its impact page: its own list
        (``analytics.impact_metrics``), else the core's four counts."""
        if network:
            return DEFAULT_IMPACT_METRICS
        chosen = city_setting(self.request.tenant, "impact_metrics", None)
        if not isinstance(chosen, (list, tuple)) or not all(isinstance(k, str) for k in chosen):
            return DEFAULT_IMPACT_METRICS
        return tuple(chosen)

    def top_skills(self, period, limit: int = TOP_SKILLS) -> list[tuple[str, object]]:
        """(label, joins) of the skills of the most joined activities; small groups left out."""
        sums = self.rollup_sums("joins", "skill", period)
        k = self.min_group_size()
        top = sorted(((joins, uri) for uri, joins in sums.items() if joins >= k), reverse=True)
        top = top[:limit]
        labels = (
            dict(
                self.db.execute(
                    select(ActivitySkill.concept_uri, func.max(ActivitySkill.label))
                    .where(ActivitySkill.concept_uri.in_([uri for _, uri in top]))
                    .group_by(ActivitySkill.concept_uri)
                ).all()
            )
            if top
            else {}
        )
        return [(labels.get(uri) or uri, joins) for joins, uri in top]

    def skill_groups(self, period, limit: int = 200) -> list[tuple[str, int]]:
        """(group label, joins) of the most joined skills, grouped by the plugins that know
        them (``col_skill_groups``); empty when no plugin groups skills."""
        sums = self.rollup_sums("joins", "skill", period)
        most_joined = sorted(sums, key=lambda uri: sums[uri], reverse=True)[:limit]
        if not most_joined:
            return []
        answers = self.request.hooks.col_skill_groups(request=self.request, uris=most_joined)
        group_of: dict[str, str] = {}
        for answer in answers:
            group_of.update(answer or {})
        totals: dict[str, int] = {}
        for uri in most_joined:
            if uri in group_of:
                label = group_of[uri]
                totals[label] = totals.get(label, 0) + sums[uri]
        return sorted(totals.items(), key=_most_joined_first)

    def feedback_by(self, group, where) -> dict:
        """{group: (responses, average rating)} of feedback, in SQL."""
        query = (
            select(
                group,
                func.count(ActivityFeedback.id),
                func.avg(cast(ActivityFeedback.rating, Integer)),
            )
            .join(Activity, Activity.id == ActivityFeedback.activity_id)
            .where(*where)
            .group_by(group)
        )
        return {key: (count, float(avg or 0)) for key, count, avg in self.db.execute(query).all()}
