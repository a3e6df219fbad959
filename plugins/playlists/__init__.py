"""The playlists plugin."""


def includeme(config):
    config.add_translation_domain(__name__, "col_playlists", "plugins.playlists:locale")
