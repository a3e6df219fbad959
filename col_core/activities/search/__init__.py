"""Search: one ``ISearchService`` with a database backend (default) and a Whoosh backend.

``col.search_backend`` chooses (``database`` or ``whoosh``); ``col.whoosh_dir`` holds the
Whoosh indexes.  Activities are indexed in the flush that writes them (``indexing``); other
plugins index their own documents and contribute them to rebuilds (``col_search_documents``).
"""

from col_core.activities.search.interfaces import ISearchService

__all__ = ["ISearchService"]


def includeme(config):
    from col_core.activities.search import indexing  # noqa: F401  (registers the flush listener)
    from col_core.activities.search.services import configure, search_factory

    configure(config)
    config.register_service_factory(search_factory, ISearchService)
    config.include("col_core.activities.search.views")
