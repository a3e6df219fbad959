"""The contracts of analytics; views, commands and plugins find them with ``request.find_service``."""

from __future__ import annotations

from zope.interface import Interface


class IAnalyticsService(Interface):
    """Figures about the request's city (or, for the network page, every city).

    Every figure is computed by SQL aggregates (on the daily rollup, or on indexed columns of one
    organisation's rows); nothing loads rows into Python to count them.  Counts of people go
    through :meth:`protect`, so no figure under the city's small-group threshold leaves the
    service: callers render what they get.  Dashboards are returned as lists of
    :class:`col_core.analytics.tables.Table`, ready for HTML, CSV and JSON alike.
    """

    def min_group_size() -> int:
        """k: the smallest count of people shown (setting ``analytics.min_group_size``, which a
        city may override in its settings)."""

    def protect(value):
        """``value``, or a :class:`Suppressed` marker when it counts fewer than k people."""

    def month_label(month: str):
        """A table cell for the month "YYYY-MM": shown by its name in the request's language
        ("November 2026"), exported as "2026-11" too (a :class:`Labelled` cell)."""

    def active_learners(period) -> int:
        """How many distinct learners took a place in the city during ``period`` (exact, to
        the day; read from one row per learner and month, never from the participations)."""

    def city_dashboard(period) -> list:
        """The city dashboard's tables for ``period`` (headline, with active learners, beside the
        previous period; by month, by category, age band, language, map squares, skills, feedback)."""

    def organisation_dashboard(organisation, period) -> list:
        """An organisation's tables: per activity, trend by month, and plugin figures."""

    def activity_report(activity) -> list:
        """One activity's participants and their progress, and its feedback results."""

    def impact(period, network: bool = False) -> dict:
        """Public headline figures and top skills of the city (or of every city, ``network``)."""


class IFeedbackService(Interface):
    """Learners' feedback on activities: the city's questions, answers, and anonymous results."""

    def questions() -> list:
        """The city's questions as ``[{"id", "text"}]`` translated for the request."""

    def may_give(activity, user) -> bool:
        """Whether ``user`` took part in ``activity`` and it has started (or they completed it)."""

    def give(activity, user, data) -> object:
        """Validate and store (or replace) the learner's feedback; raises
        ``ValidationFailed`` with field errors."""

    def awaiting(user, limit: int = 5) -> list:
        """Activities the learner took part in lately (started, joined) and has not rated."""

    def results(activity) -> dict:
        """Rating count, average and distribution, and answers; individual answers only when at
        least k learners responded."""
