"""The global site's search: every active city's public activities, in one query.

The global site owns no documents.  Its ``ISearchService`` reads the cities' documents in
``search_documents`` with the database backend's statements, its one tenant filter widened to
``tenant_id IN (the active cities)``: one statement for the whole network, which the indexes that
start with ``tenant_id`` (PostgreSQL's GIN and btrees, SQLite's FTS5 and R*Tree driving) serve
as they serve one city, so it scales to hundreds of cities with no fan-out.  The table is kept
by every backend, so the global site searches it with the Whoosh backend too: Whoosh keeps one
index per city, and merging hundreds of them per request would not scale (docs/search.md).

Isolation stays central and explicit: each read runs in a ``cross_tenant()`` block (the one
sanctioned way across cities, which row-level security checks on PostgreSQL), and whatever the
query says, it only ever sees what discovery shows publicly: activity documents (indexed only
while published and public, ``documents.is_discoverable``), current ones, of active cities.
Each hit's URL is its city's own activity page, and the city is named in its ``extra``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

from sqlalchemy import and_, bindparam, func, select
from zope.interface import implementer

from col_core.activities.models import Activity
from col_core.activities.search import store
from col_core.activities.search.documents import languages_of
from col_core.activities.search.interfaces import ISearchService
from col_core.activities.search.query import Document, Located, SearchQuery
from col_core.activities.search.services.database import DatabaseSearch
from col_core.tenancy.hosts import addresses
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import TenantContextError, cross_tenant

T = store.TABLE
VERSIONS = store.VERSIONS
_CITIES = "col.network.cities"
# The only kind the network shows: what discovery shows publicly.
KINDS = ("activity",)


@dataclass(frozen=True)
class City:
    id: int
    slug: str
    name: str
    activity_url: str  # with "__key__" for the activity's id


def active_cities(request) -> list[City]:
    """Every active city (never the global site), with its name in the page's language and
    its activity pages' address on its own host (read once per request)."""
    known = request.environ.get(_CITIES)
    if known is not None:
        return known
    configured = addresses(request.registry)
    tenants = request.dbsession.scalars(
        select(Tenant).where(Tenant.active, Tenant.kind != "global").order_by(Tenant.name)
    ).all()
    known = request.environ[_CITIES] = [
        City(
            tenant.id,
            tenant.slug,
            tenant.display_name(request.locale_name),
            request.route_url("activity", id="__key__", _app_url=configured.origin(tenant).url),
        )
        for tenant in tenants
    ]
    return known


def network_version(session, cities: list[City]) -> tuple[tuple, object]:
    """(version, changed_at) of the network's documents, for feeds' ETags: changes with any
    active city's documents and with which cities are active."""
    ids = [city.id for city in cities]
    with cross_tenant(session):
        row = (
            session.connection()
            .execute(
                select(func.count(), func.sum(VERSIONS.c.version), func.max(VERSIONS.c.changed_at))
                .where(VERSIONS.c.tenant_id.in_(ids))
                .execution_options(**store.FILTERED)
            )
            .one()
        )
    return (tuple(ids), row[0], row[1]), store._aware(row[2])


@implementer(ISearchService)
class NetworkSearch(DatabaseSearch):
    """``ISearchService`` of the global site (reads only; see the module's docstring)."""

    columns = (*DatabaseSearch.columns, T.c.tenant_id)
    locate_columns = (*DatabaseSearch.locate_columns, T.c.tenant_id)
    one_city = False

    def __init__(self, session, tenant_id: int, cities: list[City], languages: tuple[str, ...]):
        super().__init__(session, tenant_id, languages)
        self.cities = {city.id: city for city in cities}
        self.by_slug = {city.slug: city for city in cities}

    # -- no writes: the documents are the cities' ---------------------------------------------

    def index(self, documents):
        raise TenantContextError("The global site has no documents of its own to index.")

    def remove(self, kind, keys):
        raise TenantContextError("The global site has no documents of its own to remove.")

    def reindex(self, documents, progress=None):
        """Nothing to rebuild (a rebuild of every tenant may include the global site), but no
        document may be written as the global site's."""
        if list(documents):
            raise TenantContextError("The global site has no documents of its own to rebuild.")

    # -- reading: public, current activities of active cities only -------------------------

    @staticmethod
    def public(query: SearchQuery) -> SearchQuery:
        kinds = tuple(kind for kind in query.kinds or KINDS if kind in KINDS)
        return query.but(kinds=kinds or ("-",), include_past=False)

    def search(self, query):
        query = self.public(query)
        with cross_tenant(self.session):
            results = super().search(query)
            if query.facets:
                results.facets["city"] = self._city_counts(query.but(cities=()))
        return results

    def locate(self, query):
        with cross_tenant(self.session):
            rows = super().locate(self.public(query))
        return [self._located(row) for row in rows]

    def grid(self, query, columns, rows):
        with cross_tenant(self.session):
            return super().grid(self.public(query), columns, rows)

    def _tenant_ids(self, query) -> list[int]:
        if not query.cities:
            return list(self.cities)
        return [self.by_slug[slug].id for slug in query.cities if slug in self.by_slug]

    def _add_tenant(self, filters, query, index_driven: bool) -> None:
        # As the city's filter: SQLite lets the FTS5 or R*Tree index drive ("+ 0").
        filters.add(
            ("tenants", index_driven),
            lambda: (T.c.tenant_id + 0 if index_driven else T.c.tenant_id).in_(
                bindparam("tenants", expanding=True)
            ),
            tenants=self._tenant_ids(query) or [-1],
        )

    def _document(self, row) -> Document:
        document = store.document_from_row(row)
        city = self.cities[row.tenant_id]
        return replace(
            document,
            url=document.url or city.activity_url.replace("__key__", document.key),
            extra={**document.extra, "city": city.name, "city_slug": city.slug},
        )

    def _located(self, row) -> Located:
        city = self.cities[row.tenant_id]
        url = row.url or city.activity_url.replace("__key__", row.key)
        return Located(
            row.kind,
            row.key,
            row.title,
            url,
            row.category,
            row.lat,
            row.lon,
            row.starts_at,
            row.online,
            row.cover,
            city.name,
        )

    def _city_counts(self, query) -> dict[str, int]:
        """Matches per city (slug), without the query's own city filter."""
        filters, words = self._prepared(query)

        def build():
            statement, _ = self._selection(
                [T.c.tenant_id, func.count().label("n")], filters, bool(words)
            )
            return statement.group_by(T.c.tenant_id)

        values = dict(filters.values)
        if words:
            values.update(self._text_values(words))
        shape = ("cities", bool(words), *filters.shape)
        rows = self._execute(shape, build, values).all()
        return {self.cities[row.tenant_id].slug: row.n for row in rows if row.n}


def make_network_search(request) -> NetworkSearch:
    cities = active_cities(request)
    languages = languages_of(request.tenant)
    return NetworkSearch(request.dbsession, request.tenant.id, cities, languages)


@contextlib.contextmanager
def network_activities(request, documents) -> Iterator[list]:
    """The discoverable activities of the network search's ``documents``, in their order, for
    the length of the block (their sessions and organisations load within it): the global
    site's calendar feed reads them across cities, still only public ones of active cities."""
    keys = _activity_keys(documents)
    statement = _public_in_network(request, keys)
    with cross_tenant(request.dbsession) as session:
        found = session.scalars(statement).all()
        yield in_search_order(found, keys)


def _activity_keys(documents) -> list[int]:
    activities = [document for document in documents if document.kind == "activity"]
    return [int(document.key) for document in activities if document.key.isdigit()]


def _public_in_network(request, keys: list[int]):
    """The statement selecting the discoverable activities of ``keys`` in active cities."""
    cities = {city.id for city in active_cities(request)}
    public = and_(Activity.tenant_id.in_(cities), Activity.is_discoverable)
    return select(Activity).where(Activity.id.in_(keys), public)


def in_search_order(activities, keys: list[int]) -> list:
    """``activities`` in the order of their ``keys`` (the search's order)."""
    position = {key: index for index, key in enumerate(keys)}
    return sorted(activities, key=lambda activity: position[activity.id])
