"""A playlist's dashboard and its CSV exports, for the playlist's organisers and city admins."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPForbidden
from pyramid.i18n import TranslationStringFactory
from pyramid.view import view_config

from col_core.analytics.period import PeriodError
from col_core.web.public import (
    csv_query,
    csv_response,
    page,
    period_refused,
    requested_period,
)
from plugins.playlists.analytics import playlist_tables
from plugins.playlists.resources import is_organiser

_ = TranslationStringFactory("col_playlists")
T = "plugins.playlists:templates/"


def _allowed(request, playlist) -> None:
    """Members of the playlist's organisation, and the city's admins; another city's playlist
    is never found (404 from the tenant-scoped factory)."""
    if not (is_organiser(request, playlist) or request.has_permission("city.admin")):
        raise HTTPForbidden(
            request.localizer.translate(
                _("Only the playlist's organisers and the city's administrators see its dashboard.")
            )
        )


@view_config(
    route_name="playlists.analytics", renderer=T + "analytics.jinja2", permission="learner"
)
def dashboard(context, request):
    playlist = context.playlist
    _allowed(request, playlist)
    title = request.localizer.translate(
        _("Dashboard of “${playlist}”", mapping={"playlist": playlist.title})
    )
    try:
        period = requested_period(request)
    except PeriodError as error:
        request.response.status = 400
        return {**page(request, title, [], errors=error.fields, period=None), "playlist": playlist}
    return {
        **page(
            request,
            title,
            playlist_tables(request, playlist, period),
            period=period,
            csv=lambda key: request.route_url(
                "playlists.analytics_csv",
                id=playlist.id,
                table=key,
                _query=csv_query(request, period),
            ),
        ),
        "playlist": playlist,
    }


@view_config(route_name="playlists.analytics_csv", permission="learner")
def dashboard_csv(context, request):
    playlist = context.playlist
    _allowed(request, playlist)
    try:
        period = requested_period(request)
    except PeriodError as error:
        return period_refused(request, error)
    return csv_response(
        request,
        playlist_tables(request, playlist, period),
        request.matchdict["table"],
        f"playlist-{playlist.id}",
    )


def includeme(config):
    config.scan(__name__)
