"""The composition root: ``main()`` builds the WSGI application, one part per line, in order."""

from __future__ import annotations

import gc

from pyramid.config import Configurator

from col_core import settings as col_settings
from col_core.plugins import configured_registry


def make_config(global_config=None, *, environ=None, **ini_settings) -> Configurator:
    """The configured app; ``environ`` replaces ``os.environ`` as the source of ``COL_*``
    settings (a live test server is configured by its settings alone)."""
    # Plugins are discovered first because they contribute setting defaults.
    plugins = configured_registry(col_settings.load(ini_settings, environ))
    plugin_defaults: dict[str, str] = {}
    for defaults in plugins.hook.col_settings_defaults():
        plugin_defaults.update(defaults or {})
    settings = col_settings.load(ini_settings, environ, plugin_defaults=plugin_defaults)

    config = Configurator(settings=settings)
    config.registry["col.plugins"] = plugins
    config.include("pyramid_services")  # request.find_service for every interface below
    config.include("col_core.db")  # engine, request.dbsession joined to pyramid_tm
    config.include("col_core.tenancy")  # request.tenant from host or /t/<slug>/, fails closed
    config.include("col_core.i18n")  # locale negotiation and translation domains
    config.include("col_core.security")  # sessions, CSRF, identity, permissions
    config.include("col_core.security.limits")  # bad input is a 4xx before any view reads it
    config.include("col_core.storage")  # IFileStorage
    config.include("col_core.files")  # IStoredFiles: owners and visibility; /files/<key>
    config.include("col_core.pictures")  # IPictures: covers re-encoded in several widths
    config.include("col_core.jobs")  # IJobQueue: jobs written in the transaction, run by workers
    config.include("col_core.mail")  # IMailer, the transport of the "mail" job
    config.include("col_core.notifications")  # INotifications: the bell's list and e-mails
    config.include("col_core.web")  # templates, layout, static assets, home pages, errors
    config.include("col_core.operations")  # /healthz, /readyz, /metrics, request ids, JSON logs
    config.include("col_core.cityadmin")  # legal pages; city admins' branding and texts page
    config.include("col_core.api")  # /api/v1 conventions and the OpenAPI document
    config.include("col_core.security.api")  # /api/v1/me and API tokens (needs the API directives)
    config.include("col_core.organisations")  # organisations, members, invitations, verification
    config.include("col_core.skills")  # the skill picker's search (a plugin's catalogue)
    config.include("col_core.activities")  # activities, participation, their pages and API
    config.include("col_core.activities.search")  # ISearchService; the index follows activities
    config.include("col_core.webhooks")  # subscriptions, signed deliveries (after api and jobs)
    config.include("col_core.analytics")  # dashboards, impact page, feedback (after activities)
    config.include("col_core.plugins")  # every plugin under its own route prefix, gated per tenant
    return config


def main(global_config=None, **ini_settings):
    """Paste/pserve (and gunicorn) entry point: build the WSGI app from ini settings and the
    environment."""
    app = make_config(global_config, **ini_settings).make_wsgi_app()
    # The configuration's objects live as long as the server: out of the garbage collector's
    # sight, its full collections no longer walk them again and again (5% of a search's time).
    gc.freeze()
    return app
