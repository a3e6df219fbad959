"""Cover pictures of activities, organisations and playlists: uploads checked and re-encoded in
several widths (``images``), stored as the city's public files (``IPictures``), shown with
``srcset`` or, without one, as the category's icon (``cover_image`` in templates)."""

from __future__ import annotations

from pyramid_jinja2 import ENV_CONFIG_PHASE


def includeme(config):
    from col_core.pictures.interfaces import IPictures
    from col_core.pictures.markup import category_icon_set, cover_image
    from col_core.pictures.services import Pictures

    config.register_service_factory(Pictures, IPictures)

    def install():
        environment = config.get_jinja2_environment()
        environment.globals["cover_image"] = cover_image
        environment.globals["category_icon_set"] = category_icon_set

    config.action(None, install, order=ENV_CONFIG_PHASE + 1)
