"""Activities: what organisations publish, and learners' participation in them."""

from __future__ import annotations

from col_core.activities.interfaces import IActivityService, IGeocoder, IParticipationService


def includeme(config):
    from col_core.activities import hooks
    from col_core.activities.geocoding import geocoder_factory
    from col_core.activities.participation import ParticipationService
    from col_core.activities.services import ActivityService
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
    config.include("col_core.activities.views")
    # Public pages and the search, which GETs may read from a replica (col_core.db.replicas).
    config.add_replica_routes(
        "activity",
        "activity.ics",
        "api.get.search",
        "api.get.activities",
        "api.get.activities.{id}",
    )
