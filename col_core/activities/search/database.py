"""The default backend: the database's own full-text search, in the same transaction as the data.

SQLite: an FTS5 table over ``search_documents`` (external content, kept by triggers) and an
R*Tree for viewports.  PostgreSQL: a generated, weighted ``tsvector`` column with a GIN index that
starts with ``tenant_id`` (btree_gin), and a btree on (tenant_id, lat, lon).  Both are written by
the statements that write the documents, so the index can never drift from the data.
"""

from __future__ import annotations

import math

from sqlalchemy import and_, case, column, func, literal_column, or_, select, table
from zope.interface import implementer

from col_core.activities.search import store
from col_core.activities.search.analysis import query_words
from col_core.activities.search.interfaces import ISearchService
from col_core.activities.search.query import (KM_PER_DEGREE, MODES, Document, Hit,
                                              SearchResults, distance_km)

T = store.TABLE
FTS = table("idx_search_fts", column("rowid"), column("rank"))
RTREE = table("idx_search_rtree", column("id"), column("min_lat"), column("max_lat"),
              column("min_lon"), column("max_lon"))
VECTOR = literal_column("search_documents.idx_search_vector")
TITLE_VECTOR = literal_column("search_documents.idx_search_title_vector")
# Everything a Document needs; the analysed terms_* columns are several times its size.
DOCUMENT_COLUMNS = tuple(c for c in T.c if not c.name.startswith("terms_"))
LOCATE_COLUMNS = (T.c.kind, T.c.key, T.c.title, T.c.url, T.c.category, T.c.lat, T.c.lon,
                  T.c.starts_at, T.c.online)


def fts5_expression(words) -> str:
    return " AND ".join(
        "(" + " OR ".join([f'"{form}"' for form in word.forms]
                          + ([f'"{word.prefix}"*'] if word.prefix else [])) + ")"
        for word in words)


def tsquery_expression(words) -> str:
    return " & ".join(
        "(" + " | ".join([f"'{form}'" for form in word.forms]
                         + ([f"'{word.prefix}':*"] if word.prefix else [])) + ")"
        for word in words)



def _has(col, value: str):
    return col.contains(f"|{value}|", autoescape=True)


@implementer(ISearchService)
class DatabaseSearch:
    backend = "database"

    def __init__(self, session, tenant_id: int, languages: tuple[str, ...]):
        self.session = session
        self.tenant_id = tenant_id
        self.languages = languages
        self.dialect = session.get_bind().dialect.name
        self._filter_clauses = {}

    # -- writing ----------------------------------------------------------------------------

    def index(self, documents):
        store.save(self.session, self.tenant_id, self.languages, as_documents(documents))

    def remove(self, kind, keys):
        store.remove(self.session, self.tenant_id, self.languages, kind, keys)

    def reindex(self, documents, progress=None):
        store.clear(self.session, self.tenant_id)
        batch = []
        for document in as_documents(documents):
            batch.append(document)
            if len(batch) == 1000:
                self.index(batch)
                progress and progress(len(batch))
                batch = []
        self.index(batch)
        progress and progress(len(batch))

    # -- reading ----------------------------------------------------------------------------

    def _text(self, query, tier=None):
        """(where clause, score expression) for the query's text, or (None, None).

        ``tier``: "title" keeps documents with every word in the title, "rest" the others.
        """
        words = query_words(query.text, self.languages)
        if not words:
            return None, None
        if self.dialect == "sqlite":
            expression = fts5_expression(words)
            in_title = f"{{terms_title}} : ({expression})"
            expression = {"title": in_title, "rest": f"({expression}) NOT {in_title}"}.get(
                tier, expression)
            clause = literal_column("idx_search_fts").op("MATCH")(expression)
            return clause, -FTS.c.rank
        tsquery = func.to_tsquery("simple", tsquery_expression(words))
        in_title, everywhere = TITLE_VECTOR.op("@@")(tsquery), VECTOR.op("@@")(tsquery)
        clause = {"title": in_title, "rest": and_(everywhere, ~in_title)}.get(tier, everywhere)
        return clause, func.ts_rank(TITLE_VECTOR if tier == "title" else VECTOR, tsquery)

    def _area(self, west, south, east, north):
        if self.dialect == "sqlite":
            return T.c.id.in_(select(RTREE.c.id).where(
                RTREE.c.max_lat >= south, RTREE.c.min_lat <= north,
                RTREE.c.max_lon >= west, RTREE.c.min_lon <= east))
        return and_(T.c.lat.between(south, north), T.c.lon.between(west, east))

    def _filters(self, query) -> list:
        # A search builds several statements from one query (a tier, the count), with the same
        # filters.
        if query not in self._filter_clauses:
            self._filter_clauses[query] = self._filter_clauses_of(query)
        return self._filter_clauses[query]

    def _filter_clauses_of(self, query) -> list:
        tenant = T.c.tenant_id
        if self.dialect == "sqlite" and (query.text.strip() or query.bbox or query.near):
            # Let the FTS5 or R*Tree index drive: SQLite's planner otherwise walks the city's
            # rows through the tenant index and probes the virtual table once per row (1 s
            # instead of 1 ms); "+ 0" keeps it from using an index on tenant_id.
            tenant = tenant + 0
        clauses = [tenant == self.tenant_id]
        if query.kinds:
            clauses.append(T.c.kind.in_(query.kinds))
        if query.keys is not None:
            clauses.append(T.c.key.in_(query.keys))  # an empty list compiles to "false"
        if query.categories:
            clauses.append(T.c.category.in_(query.categories))
        if query.skills:
            clauses.append(or_(*[_has(T.c.skills, skill) for skill in query.skills]))
        if not query.include_past:
            clauses.append(or_(T.c.ends_at.is_(None),
                               T.c.ends_at >= store.utc(query.current_time)))
        if query.date_from:
            clauses.append(or_(T.c.ends_at.is_(None), T.c.ends_at >= store.utc(query.date_from)))
        if query.date_to:
            clauses.append(or_(T.c.starts_at.is_(None), T.c.starts_at <= store.utc(query.date_to)))
        if query.bbox:
            clauses.append(self._area(*query.bbox))
        if query.near and query.within_km is not None:
            lat, lon = query.near
            dlat = query.within_km / KM_PER_DEGREE
            dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
            clauses.append(self._area(lon - dlon, lat - dlat, lon + dlon, lat + dlat))
            clauses.append(self._distance2(query) <= dlat * dlat)
        for mode in MODES:
            if query.mode == mode:
                clauses.append(T.c[mode].is_(True))
        if query.free:
            clauses.append(T.c.price == 0)
        if query.max_price is not None:
            clauses.append(and_(T.c.price.is_not(None), T.c.price <= query.max_price))
        if query.age is not None:
            clauses.append(or_(T.c.age_min.is_(None), T.c.age_min <= query.age))
            clauses.append(or_(T.c.age_max.is_(None), T.c.age_max >= query.age))
        if query.language:
            clauses.append(_has(T.c.languages, query.language))
        clauses.extend(_has(T.c.accessibility, feature) for feature in query.accessibility)
        return clauses

    @staticmethod
    def _distance2(query):
        """Squared equirectangular distance in degrees of latitude (plain arithmetic, no trig)."""
        lat, lon = query.near
        scale = math.cos(math.radians(lat))
        return (T.c.lon - lon) * (T.c.lon - lon) * scale * scale + (T.c.lat - lat) * (T.c.lat - lat)

    def _selection(self, columns, query, scored=False, tier=None):
        text_clause, score = self._text(query, tier)
        if scored:
            columns = [*columns, (literal_column("0.0") if score is None else score).label("score")]
        statement = select(*columns).where(*self._filters(query))
        if text_clause is not None:
            statement = statement.where(text_clause)
            if self.dialect == "sqlite":
                statement = statement.select_from(T).join(FTS, FTS.c.rowid == T.c.id)
        return statement, score

    def _order(self, query, score):
        undated_last = (T.c.starts_at.is_(None), T.c.starts_at)
        if query.sort == "distance":
            return (self._distance2(query), T.c.kind, T.c.key)
        if query.sort == "relevance" and score is not None:
            return (score.desc(), *undated_last, T.c.kind, T.c.key)
        return (*undated_last, T.c.kind, T.c.key)

    def search(self, query):
        if query.sort == "relevance" and query.text.strip():
            rows = self._ranked_in_tiers(query)
        else:
            rows = self._page(query, None, query.offset, query.limit)
        hits = []
        for row in rows:
            document = store.document_from_row(row)
            distance = (distance_km(*query.near, document.lat, document.lon)
                        if query.near and document.lat is not None else None)
            hits.append(Hit(document, float(row.score or 0.0), distance))
        if query.facets or (not rows and query.offset):  # facets, or a page past the end
            total, exact, facets = self._counts(query)
        elif len(rows) < query.limit:
            # The page is the last one, so it says how many there are without counting.
            total, exact, facets = query.offset + len(rows), True, {}
        else:
            total, exact, facets = (*_total(rows[0].counted, _count_limit(query)), {})
        return SearchResults(total=total, hits=hits, facets=facets, total_exact=exact)

    def _page(self, query, tier, offset, limit, counted=True):
        statement, score = self._selection(DOCUMENT_COLUMNS, query, scored=True, tier=tier)
        if counted and not query.facets:
            # The count rides along as a column the database computes once: a statement fewer
            # per search, which costs more in Python than the count does in the database.
            statement = statement.add_columns(
                self._count_statement(query).scalar_subquery().label("counted"))
        return self.session.connection().execute(
            statement.order_by(*self._order(query, score)).limit(limit).offset(offset)).all()

    def _ranked_in_tiers(self, query):
        """Documents with every word in their title first, then the others, each tier by bm25.

        Ranking costs about a microsecond a match with FTS5 and several with PostgreSQL, and a
        common word matches a tenth of a large city (15 to 30 ms at 100,000 activities with
        FTS5); titles hold a seventh of the words, so the title tier is that much cheaper and
        usually fills the page on its own.  PostgreSQL finds it through the title's own vector.
        """
        rows = self._page(query, "title", query.offset, query.limit)
        if len(rows) == query.limit:
            return rows
        if rows or not query.offset:
            in_title = query.offset + len(rows)
        else:
            statement, _ = self._selection([func.count()], query, tier="title")
            in_title = self.session.connection().execute(statement).scalar_one()
        # The first row carries the count: the rest tier counts only when the title tier is empty.
        return rows + self._page(query, "rest", max(0, query.offset - in_title),
                                 query.limit - len(rows), counted=not rows)

    def _counts(self, query):
        """(total, whether it is exact, facets)."""
        if not query.facets:
            return (*self._count_up_to_limit(query), {})
        # One grouped query gives the total and every facet; single-valued facets are summed,
        # so the groups are only category x languages x accessibility combinations.
        groups = [T.c.category, T.c.languages, T.c.accessibility]
        sums = [func.sum(case((T.c.online.is_(True), 1), else_=0)).label("online"),
                func.sum(case((T.c.in_person.is_(True), 1), else_=0)).label("in_person"),
                func.sum(case((T.c.price == 0, 1), else_=0)).label("free"),
                func.sum(case((T.c.price > 0, 1), else_=0)).label("paid")]
        statement, _ = self._selection([*groups, *sums, func.count().label("n")], query)
        rows = self.session.connection().execute(statement.group_by(*groups)).all()
        facets = {name: {} for name in ("category", "mode", "price", "language", "accessibility")}

        def bump(name, value, n):
            if n:
                facets[name][value] = facets[name].get(value, 0) + n

        for row in rows:
            if row.category:
                bump("category", row.category, row.n)
            for name, facet in (("online", "mode"), ("in_person", "mode"), ("free", "price"),
                                ("paid", "price")):
                bump(facet, name, getattr(row, name))
            for language in store.unpacked(row.languages):
                bump("language", language, row.n)
            for feature in store.unpacked(row.accessibility):
                bump("accessibility", feature, row.n)
        return sum(row.n for row in rows), True, facets

    def _count_up_to_limit(self, query):
        counted = self.session.connection().execute(self._count_statement(query)).scalar_one()
        return _total(counted, _count_limit(query))

    def _count_statement(self, query):
        statement, _ = self._selection([literal_column("1")], query)
        limit = _count_limit(query)
        if limit is not None:
            statement = statement.limit(limit + 1)
        return select(func.count()).select_from(statement.subquery())

    def locate(self, query):
        statement, score = self._selection(LOCATE_COLUMNS, query)
        statement = statement.where(T.c.lat.is_not(None)).order_by(*self._order(query, score))
        return self.session.connection().execute(
            statement.limit(query.limit + 1).offset(query.offset)).all()


def _count_limit(query) -> int | None:
    """How far matches are counted: the query's count limit, or the end of its page."""
    if query.count_limit is None:
        return None
    return max(query.count_limit, query.offset + query.limit)


def _total(counted: int, limit: int | None) -> tuple[int, bool]:
    """(total, exact) from a count made up to ``limit`` + 1."""
    if limit is not None and counted > limit:
        return limit, False
    return counted, True


def as_documents(documents):
    """query.Document from plugins' SearchDocuments (or query.Documents, unchanged)."""
    for document in documents:
        yield document if isinstance(document, Document) else Document.from_search_document(document)
