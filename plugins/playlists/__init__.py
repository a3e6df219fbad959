"""The playlists plugin: learning pathways with completion rules and automatic badges.

Pages live under ``/playlists`` (the plugin's prefix), the JSON API under ``/api/v1``.
"""

from pyramid.i18n import TranslationStringFactory

from col_core.organisations.resources import organisation_factory
from plugins.playlists import webhooks
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistProgress, IPlaylistTemplates
from plugins.playlists.resources import dashboard_factory, item_factory, playlist_factory

_ = TranslationStringFactory("col_playlists")

ROUTES = (
    # pages (views/pages.py)
    ("playlists.list", "/", None),
    ("playlists.page", r"/{id:\d+}", playlist_factory),
    ("playlists.start", r"/{id:\d+}/start", playlist_factory),
    ("playlists.edit", r"/{id:\d+}/edit", playlist_factory),
    ("playlists.publish", r"/{id:\d+}/publish", playlist_factory),
    ("playlists.new", "/new/{slug}", organisation_factory),
    ("playlists.consent", r"/items/{item:\d+}/consent", item_factory),
    ("playlists.templates", "/templates/{slug}", organisation_factory),
    ("playlists.copy", r"/templates/{slug}/{template:\d+}", organisation_factory),
    # a playlist's dashboard (views/analytics.py)
    ("playlists.analytics", r"/{id:\d+}/analytics", dashboard_factory),
    ("playlists.analytics_csv", r"/{id:\d+}/analytics/{table}.csv", dashboard_factory),
)


def includeme(config):
    config.add_translation_domain(__name__, "col_playlists", "plugins.playlists:locale")
    webhooks.register(config)  # playlist.completed (col_core.webhooks)
    config.add_notification_kind(  # col_core.notifications
        "playlist", _("A playlist you follow changed, or one of its activities opens or closes")
    )
    config.register_service_factory("plugins.playlists.services.builder_factory", IPlaylistBuilder)
    config.register_service_factory(
        "plugins.playlists.services.progress.progress_factory", IPlaylistProgress
    )
    config.register_service_factory(
        "plugins.playlists.services.copying.templates_factory", IPlaylistTemplates
    )
    for name, pattern, factory in ROUTES:
        config.add_route(name, pattern, factory=factory)
    config.include("plugins.playlists.views.pages")
    config.include("plugins.playlists.api")
    config.include("plugins.playlists.views.analytics")
