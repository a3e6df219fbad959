"""Search: one ``ISearchService`` with a database backend (default) and a Whoosh backend.

``col.search_backend`` chooses (``database`` or ``whoosh``); ``col.whoosh_dir`` holds the
Whoosh indexes.  Activities are indexed in the flush that writes them (``indexing``); other
plugins index their own documents and contribute them to rebuilds (``col_search_documents``).
"""

from col_core.activities.search.interfaces import ISearchService

__all__ = ["ISearchService"]


def includeme(config):
    from sqlalchemy.orm import Session

    from col_core.activities.search import indexing
    from col_core.activities.search.services import configure, search_factory
    from col_core.db import listen

    configure(config)
    listen(Session, "after_flush", indexing.follow_flushes)
    config.register_service_factory(search_factory, ISearchService)
    config.include("col_core.activities.search.api")
