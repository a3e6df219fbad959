"""The badges plugin."""


def includeme(config):
    config.add_translation_domain(__name__, "col_badges", "plugins.badges:locale")
