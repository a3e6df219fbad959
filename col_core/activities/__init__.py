"""Activities: what organisations publish, and learners' participation in them."""

from __future__ import annotations

from col_core.activities.interfaces import IActivityService, IGeocoder, IParticipationService
from col_core.activities.resources import activity_factory
from col_core.organisations.resources import organisation_factory

ROUTES = (
    # the pages of an activity (views/__init__.py)
    ("activity", r"/activities/{id:\d+}", activity_factory),
    ("activity.ics", r"/activities/{id:\d+}.ics", activity_factory),
    ("activity_join", r"/activities/{id:\d+}/join", activity_factory),
    ("activity_leave", r"/activities/{id:\d+}/leave", activity_factory),
    ("activity_attend", "/attend/{token}", None),
    # organisers' pages (views/dashboard.py)
    ("org_activities", "/organisations/{slug}/activities", organisation_factory),
    ("activity_new", "/organisations/{slug}/activities/new", organisation_factory),
    ("activity_edit", r"/activities/{id:\d+}/edit", activity_factory),
    ("activity_archive", r"/activities/{id:\d+}/archive", activity_factory),
    ("activity_duplicate", r"/activities/{id:\d+}/duplicate", activity_factory),
    ("activity_participants", r"/activities/{id:\d+}/participants", activity_factory),
    ("activity_session_qr", r"/activities/{id:\d+}/sessions/{session:\d+}/qr", activity_factory),
)


def includeme(config):
    from col_core.activities import hooks
    from col_core.activities.services import ActivityService
    from col_core.activities.services.geocoding import geocoder_factory
    from col_core.activities.services.participation import ParticipationService
    from col_core.activities.viewing import ACTIVITY_VIEWS, announce_views

    config.register_service_factory(
        lambda context, request: ActivityService(request), IActivityService
    )
    config.register_service_factory(
        lambda context, request: ParticipationService(request), IParticipationService
    )
    config.register_service_factory(geocoder_factory(config.get_settings()), IGeocoder)
    # Registered after the installed plugins, so our demo seeding runs before theirs (pluggy
    # calls later registrations first) and after the people seeding (``tryfirst``).
    config.registry["col.plugins"].manager.register(hooks, name="core.activities")
    config.add_tally_kind(ACTIVITY_VIEWS, announce_views)
    config.include("col_core.activities.api")
    for name, pattern, factory in ROUTES:
        config.add_route(name, pattern, factory=factory)
    config.include("col_core.activities.views")
    # Public pages and the search, which GETs may read from a replica (col_core.db.replicas).
    config.add_replica_routes(
        "activity",
        "activity.ics",
        "api.get.search",
        "api.get.activities",
        "api.get.activities.{id}",
    )
