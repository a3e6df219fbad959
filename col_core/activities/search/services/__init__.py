"""Choosing and building the search backend (setting ``col.search_backend``)."""

from __future__ import annotations

from pyramid.exceptions import ConfigurationError

from col_core.activities.search.documents import languages_of
from col_core.activities.search.rebuild import REINDEX_JOB, reindex_city
from col_core.activities.search.services.database import DatabaseSearch
from col_core.activities.search.services.network import make_network_search
from col_core.activities.search.services.whoosh_backend import (
    JOB_KIND,
    WhooshSearch,
    apply_committed_change,
    follow_commits,
)

BACKENDS = ("database", "whoosh")


def make_search(settings, session, tenant) -> DatabaseSearch | WhooshSearch:
    """The configured backend for ``tenant``, working in ``session``'s transaction."""
    languages = languages_of(tenant)
    if settings["col.search_backend"] == "whoosh":
        return WhooshSearch(session, tenant.id, languages, settings["col.whoosh_dir"])
    return DatabaseSearch(session, tenant.id, languages)


def search_factory(context, request):
    if request.tenant.is_global:
        # Every active city's public activities (network.py), whatever the backend.
        return make_network_search(request)
    return make_search(request.registry.settings, request.dbsession, request.tenant)


def configure(config) -> None:
    settings = config.get_settings()
    backend = settings.setdefault("col.search_backend", "database")
    if backend not in BACKENDS:
        raise ConfigurationError(
            f"col.search_backend must be one of {', '.join(BACKENDS)}, not {backend!r}."
        )
    # A big city's rebuild may take a while before a worker is taken to have died on it.
    config.add_job_kind(REINDEX_JOB, reindex_city, lease_seconds=3600)
    if backend == "whoosh":
        config.add_job_kind(JOB_KIND, apply_committed_change)
        follow_commits(config.registry["col.session_factory"], config.registry["col.jobs"])
