"""The map plugin."""


def includeme(config):
    config.add_translation_domain(__name__, "col_map", "plugins.map:locale")
