"""The search service contract, shared by every backend (see the conformance suite)."""

from __future__ import annotations

from zope.interface import Attribute, Interface


class ISearchService(Interface):
    """Full-text search with filters, sorting and facets over one city's documents (on the
    global site: every active city's public, current activities, read-only; ``network``).

    An instance serves one request (or one CLI transaction) and one tenant.  Backends analyse
    text with ``col_core.activities.search.analysis`` so that they all find the same documents:
    language-aware stems for the city's languages, accent and case folding, the query's last
    word matching as a prefix (as-you-type), and typo tolerance (``spelling``).  Filters mean exactly what ``query.matches`` says.
    """

    backend = Attribute("The backend's name: 'database' or 'whoosh'.")

    def index(documents):
        """Add or replace ``documents`` (``hookspecs.SearchDocument`` or ``query.Document``).

        The change is part of the current transaction: it is visible to searches once committed
        and vanishes with a rollback.  Filter fields travel in the document's ``extra``.
        """

    def remove(kind, keys):
        """Remove documents of ``kind`` with these keys, in the current transaction."""

    def search(query):
        """Answer a ``query.SearchQuery`` with ``query.SearchResults``.

        Hits are sorted by relevance (ties by start date), date (soonest first, always-open
        last) or distance (needs ``query.near``); ``total`` counts every match, ``facets``
        counts matches per category, mode, price, language and accessibility feature (when
        ``query.facets``), each facet whose filter is set counted without that filter
        (``query.FACET_FILTERS``), so the other values of a chosen facet stay on offer;
        a search that finds nothing is tried again with its misspelt words corrected
        (``spelling``), unless ``query.exact``: ``corrected`` then says what was searched.
        Ended documents are left out unless ``query.include_past``.
        """

    def locate(query):
        """Documents with coordinates matching ``query`` (``query.bbox`` is the viewport), as
        light rows (``query.Located``: ``kind, key, title, url, category, lat, lon, starts_at,
        online``, by name and by position), in the query's order from ``query.offset``, at
        most ``query.limit`` of them plus one, so that the caller can tell it was capped; its
        words are corrected as ``search`` corrects them.
        """

    def grid(query, columns, rows):
        """The located documents matching ``query`` in ``query.bbox`` (required), counted per
        cell of the box cut into ``columns`` x ``rows`` equal cells (``query.GridCell``, by
        column then row, empty cells left out): the map's clusters, computed by the database
        (GROUP BY a cell number computed from latitude and longitude) where it can; its words
        are corrected as ``search`` corrects them.
        """

    def reindex(documents, progress=None):
        """Replace every document of the city with ``documents`` and rebuild any derived index.

        ``progress(n)`` is called as documents are written (for a progress bar).
        """
