"""Search: one ``ISearchService`` with a database backend (default) and a Whoosh backend.

``col.search_backend`` chooses (``database`` or ``whoosh``); ``col.whoosh_dir`` holds the
Whoosh indexes.  Activities are indexed in the flush that writes them (``indexing``); other
plugins index their own documents and contribute them to rebuilds (``col_search_documents``).
"""

from col_core.activities.search.interfaces import ISearchService

__all__ = ["ISearchService", "skills_relabelled"]


def skills_relabelled(request, uris) -> int:
    """The labels of these skill concepts changed (a taxonomy imported in a new language):
    every city's activities tagged with them are indexed again, by ``search.activities`` jobs
    written in the request's transaction.  Returns how many activities the jobs name."""
    from col_core.activities.search.indexing import queue_tagged

    return queue_tagged(request.dbsession, request.registry["col.jobs"], uris)


def includeme(config):
    from sqlalchemy.orm import Session

    from col_core.activities.search import indexing
    from col_core.activities.search.services import configure, search_factory
    from col_core.db import listen

    configure(config)
    listen(Session, "after_flush", indexing.follow_flushes)
    # Sessions of the app know its plugins, which label skills in every language.
    factory = config.registry["col.session_factory"]
    factory.configure(
        info={**factory.kw.get("info", {}), indexing.PLUGINS_KEY: config.registry["col.plugins"]}
    )
    config.add_job_kind(indexing.SYNC_JOB, indexing.sync_job)
    config.register_service_factory(search_factory, ISearchService)
    config.include("col_core.activities.search.api")
