"""Analytics and impact: organiser and city dashboards, the public impact page, learner feedback.

Figures come from a daily rollup table incremented by the core's event hooks in the events' own
transaction (``hooks``), and from SQL aggregates on indexed columns; ``col analytics rebuild``
recomputes the rollup.  See docs/analytics.md.
"""

from __future__ import annotations

import xstatic.pkg.leaflet

from col_core.activities.resources import activity_factory
from col_core.organisations.resources import organisation_factory

ROUTES = (
    ("analytics_city", "/analytics", None),
    ("analytics_city_csv", "/analytics/{table}.csv", None),
    ("impact", "/impact", None),
    ("analytics_organisation", "/organisations/{slug}/analytics", organisation_factory),
    (
        "analytics_organisation_csv",
        "/organisations/{slug}/analytics/{table}.csv",
        organisation_factory,
    ),
    ("analytics_activity", r"/activities/{id:\d+}/analytics", activity_factory),
    ("analytics_activity_csv", r"/activities/{id:\d+}/analytics/{table}.csv", activity_factory),
    ("activity_feedback", r"/activities/{id:\d+}/feedback", activity_factory),
)


def includeme(config):
    from col_core.analytics import hooks, rollup
    from col_core.analytics.interfaces import IAnalyticsService, IFeedbackService
    from col_core.analytics.services import AnalyticsService
    from col_core.analytics.services.feedback import FeedbackService

    config.register_service_factory(
        lambda context, request: AnalyticsService(request), IAnalyticsService
    )
    config.register_service_factory(
        lambda context, request: FeedbackService(request), IFeedbackService
    )
    # The core's features use the same hooks as plugins; analytics is always enabled.
    config.registry["col.plugins"].manager.register(hooks, name="core.analytics")
    # A big city's rebuild may take a while before a worker is taken to have died on it.
    config.add_job_kind(rollup.REBUILD_JOB, rollup.rebuild_job, lease_seconds=3600)
    for name, pattern, factory in ROUTES:
        config.add_route(name, pattern, factory=factory)
    # Leaflet comes from its PyPI package (XStatic) for the neighbourhood map.
    config.add_static_assets("analytics-static/leaflet", xstatic.pkg.leaflet.BASE_DIR)
    config.add_static_assets("analytics-static", "col_core.analytics:static")
    config.scan("col_core.analytics.views")
    config.include("col_core.analytics.api")
