"""The web shell: Jinja2 templates, the branded layout, static assets, home and error pages."""

from __future__ import annotations

import orjson
from pyramid.renderers import JSON


def _orjson_serializer(value, default=None, **_kw) -> str:
    return orjson.dumps(value, default=default, option=orjson.OPT_NON_STR_KEYS).decode()


def includeme(config):
    settings = config.get_settings()
    settings.setdefault("jinja2.extensions", "jinja2.ext.i18n")
    settings.setdefault("jinja2.autoescape", "true")
    settings.setdefault("jinja2.trim_blocks", "true")
    settings.setdefault("jinja2.lstrip_blocks", "true")
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".jinja2")
    config.include("col_core.web.templating")
    config.include("col_core.web.headers")  # CSP, frames, referrer, caching, HSTS
    # Plain dicts serialised by orjson: several times faster than json on the hot JSON paths.
    config.add_renderer("json", JSON(serializer=_orjson_serializer))
    config.include("col_core.web.assets")  # hashed static URLs, gzip
    config.add_static_assets("static", "col_core.web:static")
    config.add_route("home", "/")
    config.add_replica_routes("home")  # col_core.db.replicas
    config.scan("col_core.web.views")
