"""The esco plugin."""


def includeme(config):
    config.add_translation_domain(__name__, "col_esco", "plugins.esco:locale")
