"""The playlists plugin: learning pathways with completion rules and automatic badges.

Pages live under ``/playlists`` (the plugin's prefix), the JSON API under ``/api/v1``.
"""

from pyramid.i18n import TranslationStringFactory

from plugins.playlists import webhooks
from plugins.playlists.interfaces import IPlaylistBuilder, IPlaylistProgress, IPlaylistTemplates

_ = TranslationStringFactory("col_playlists")


def includeme(config):
    config.add_translation_domain(__name__, "col_playlists", "plugins.playlists:locale")
    webhooks.register(config)  # playlist.completed (col_core.webhooks)
    config.add_notification_kind(  # col_core.notifications
        "playlist", _("A playlist you follow changed, or one of its activities opens or closes")
    )
    config.register_service_factory("plugins.playlists.services.builder_factory", IPlaylistBuilder)
    config.register_service_factory(
        "plugins.playlists.progress.progress_factory", IPlaylistProgress
    )
    config.register_service_factory(
        "plugins.playlists.copying.templates_factory", IPlaylistTemplates
    )
    config.include("plugins.playlists.views.pages")
    config.include("plugins.playlists.views.api")
    config.include("plugins.playlists.views.analytics")
