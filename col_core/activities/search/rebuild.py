"""Rebuilding a city's search index from its data (``col search reindex`` and its job)."""

from __future__ import annotations

from col_core.activities.search.documents import ACTIVITIES, activity_documents, plugin_labeller
from col_core.activities.search.interfaces import ISearchService

REINDEX_JOB = "search.reindex"


def city_documents(request, tenant) -> list:
    """Every document of ``tenant``: its published activities, then each plugin's."""
    found, _ = activity_documents(
        request.dbsession.connection(),
        ACTIVITIES.c.tenant_id == tenant.id,
        plugin_labeller(request.registry["col.plugins"]),
    )
    documents = list(found.get(tenant.id, ([], []))[0])
    for contributed in request.hooks.col_search_documents(request=request, tenant=tenant):
        documents.extend(contributed or ())
    return documents


def reindex_city(request, job) -> None:
    """The ``search.reindex`` job: rebuild the index of the job's city in one transaction."""
    request.find_service(ISearchService).reindex(city_documents(request, request.tenant))
