"""The default backend: the database's own full-text search, in the same transaction as the data.

SQLite: an FTS5 table over ``search_documents`` (external content, kept by triggers) and an
R*Tree for viewports.  PostgreSQL: a generated, weighted ``tsvector`` column with a GIN index that
starts with ``tenant_id`` (btree_gin).  Both: a btree on (tenant_id, lat, lon, kind, ends_at) for
viewports and the map's grid.  All are written by the statements that write the documents, so
the index can never drift from the data.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from collections.abc import Sized
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal_column,
    null,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter, ColumnClause
from sqlalchemy.sql.schema import Column
from zope.interface import implementer

from col_core.activities.search import bulk, spelling, store
from col_core.activities.search.analysis import query_words
from col_core.activities.search.interfaces import ISearchService
from col_core.activities.search.query import (
    FACETS,
    KM_PER_DEGREE,
    MODES,
    Document,
    GridCell,
    Hit,
    SearchQuery,
    SearchResults,
    distance_km,
    facet_queries,
    merged_cells,
)
from col_core.db import hints  # noqa: F401  (SQLite renders INDEXED BY)

T = store.TABLE
FTS = table("idx_search_fts", column("rowid"), column("rank"))
# SQLite: the FTS5 index's rowid is (city << 32) + the document's id (a migration's generated
# column), so each city's documents are one range of rowids, which a search seeks to in every
# word's doclist instead of stepping through every city's matches.
CITY_ROWID_SHIFT = 32
DOCUMENT_ID_MASK = (1 << CITY_ROWID_SHIFT) - 1
RTREE = table(
    "idx_search_rtree",
    column("id"),
    column("min_lat"),
    column("max_lat"),
    column("min_lon"),
    column("max_lon"),
)
VECTOR: ColumnClause[Any] = literal_column("search_documents.idx_search_vector")
TITLE_VECTOR: ColumnClause[Any] = literal_column("search_documents.idx_search_title_vector")
# What a Document holds, no more: the analysed terms_* columns are several times its size, and
# every column read is one more value for the sorter to carry and for Python to convert.
DOCUMENT_COLUMNS = tuple(
    T.c[f.name] for f in dataclasses.fields(Document) if f.name != "skill_labels"
)
LOCATE_COLUMNS = (
    T.c.kind,
    T.c.key,
    T.c.title,
    T.c.url,
    T.c.category,
    T.c.lat,
    T.c.lon,
    T.c.starts_at,
    T.c.online,
    # The list beside the map shows each point's picture (JSON's ->> on both databases).
    T.c.extra["cover"].as_string().label("cover"),
)

# PostgreSQL: a query's unfinished last word, after other words, is matched as the city's terms
# that complete it, when there are no more than this.  GIN reads every posting of a prefix (every
# city's) before it can skip any: "celanceru arbe" took 37 ms at 100,000 activities, "arbe"
# completing to 19 terms; as whole terms GIN skips through them to the other words' documents
# (4.7 ms).  Documents are ranked by the query as typed, so the order is the same.
PREFIX_COMPLETIONS_MAX = 64
RANKED = "ranked"  # the bound tsquery that PostgreSQL ranks by
_COMPLETIONS = text(
    "SELECT term FROM idx_search_terms WHERE tenant_id = :tenant AND term LIKE :pattern"
    " ESCAPE '/' LIMIT :limit"
)
# Typo tolerance reads the whole index's vocabulary (and its version) on SQLite, candidates then
# checked in the city, and the city's own vocabulary on PostgreSQL, as completing a word does
# (_completions_of); reviewed.
VOCABULARY = {"filters_tenant_itself": "spelling: candidates are checked in the city"}
# Whether each engine's database has pg_trgm (without it, no typo tolerance on PostgreSQL).
_TRIGRAMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _has_trigrams(connection) -> bool:
    engine = connection.engine
    if engine not in _TRIGRAMS:
        _TRIGRAMS[engine] = bool(
            connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
        )
    return _TRIGRAMS[engine]


# SQLite's FTS5 index holds every city's documents, and each match of a word is checked against
# the city and the filters by reading its row (about 2 KB) before it is ranked: a second city of
# the same size doubled a search's time.  This index (a migration's, on SQLite only) holds what
# the checks and the order read, keyed by the row id; a statement that reads nothing else reads
# it instead of the rows.  Its columns are asked of the database once per engine.
NARROW_INDEX = "idx_search_documents_narrow"
_NARROW_COLUMNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _narrow_columns(connection) -> frozenset[str]:
    engine = connection.engine
    if engine not in _NARROW_COLUMNS:
        rows = connection.exec_driver_sql(f"PRAGMA index_info({NARROW_INDEX})")
        _NARROW_COLUMNS[engine] = frozenset(row[2] for row in rows)
    return _NARROW_COLUMNS[engine]


def _columns_read(statement) -> set[str]:
    """The names of the document table's columns that ``statement`` reads."""
    return {
        element.name
        for element in visitors.iterate(statement)
        if isinstance(element, Column) and element.table is T
    }


# fts5vocab counts each term's documents by reading its whole doclist: the terms of one initial
# took 20 ms at 10,000 activities, growing with the index.  Each process keeps them until any
# city's documents change (its search version, bumped in the same transaction).
_VOCABULARY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_INDEX_VERSION = text("SELECT count(*), sum(version), max(changed_at) FROM search_versions")


def _initial_terms(connection, initial: str) -> list[tuple[str, int]]:
    """(term, documents) of the SQLite index's terms starting with ``initial``."""
    version = tuple(connection.execute(_INDEX_VERSION, execution_options=VOCABULARY).one())
    kept = _VOCABULARY.setdefault(connection.engine, {})
    if kept.get("version") != version:
        kept.clear()
        kept["version"] = version
    if initial not in kept:
        rows = connection.execute(
            text("SELECT term, doc FROM idx_search_vocab WHERE term >= :low AND term < :high"),
            {"low": initial, "high": chr(ord(initial) + 1)},
            execution_options=VOCABULARY,
        )
        kept[initial] = [(row.term, row.doc) for row in rows]
    return kept[initial]


# Statements are built once per query shape (which filters, tier, order and count) and run with the
# query's values as bound parameters: building a statement and its cache key cost SQLAlchemy more
# Python time than the database took to answer a search (docs/performance.md).
_STATEMENTS: dict[tuple, object] = {}
MAX_STATEMENTS = 1024


def _alternatives(word) -> tuple[list[str], str | None]:
    """(forms, prefix) of a query word; a form the prefix already covers adds nothing but work."""
    if not word.prefix:
        return list(word.forms), None
    return [form for form in word.forms if not form.startswith(word.prefix)], word.prefix


def fts5_expression(words) -> str:
    return " AND ".join(
        "("
        + " OR ".join([f'"{form}"' for form in forms] + ([f'"{prefix}"*'] if prefix else []))
        + ")"
        for forms, prefix in map(_alternatives, words)
    )


def tsquery_expression(words) -> str:
    return " & ".join(
        "("
        + " | ".join([f"'{form}'" for form in forms] + ([f"'{prefix}':*"] if prefix else []))
        + ")"
        for forms, prefix in map(_alternatives, words)
    )


def _has(col, name: str):
    """``col`` (a |-packed list) holds the value bound to ``name`` (a pattern from _packed_like)."""
    return col.like(bindparam(name), escape="/")


def _packed_like(value: str) -> str:
    return f"%|{_like_escaped(value)}|%"


def _like_escaped(value: str) -> str:
    """``value`` as itself in a LIKE pattern with ESCAPE '/'."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


SIDES = ("west", "south", "east", "north")


def _area(rtree: bool, prefix: str):
    """Within the box bound to ``{prefix}_west`` ... ``{prefix}_north``: through SQLite's
    R*Tree, or the (tenant, lat, lon, kind, ends_at) btree."""
    sides: list[BindParameter[float]] = [bindparam(f"{prefix}_{side}") for side in SIDES]
    west, south, east, north = sides
    if rtree:
        return T.c.id.in_(
            select(RTREE.c.id).where(
                RTREE.c.max_lat >= south,
                RTREE.c.min_lat <= north,
                RTREE.c.max_lon >= west,
                RTREE.c.min_lon <= east,
            )
        )
    return and_(T.c.lat.between(south, north), T.c.lon.between(west, east))


def _area_values(prefix: str, box) -> dict:
    return {f"{prefix}_{side}": value for side, value in zip(SIDES, box, strict=False)}


def _distance2():
    """Squared equirectangular distance from the bound point, in degrees of latitude (plain
    arithmetic, no trig)."""
    lat, lon = bindparam("near_lat"), bindparam("near_lon")
    return (T.c.lon - lon) * (T.c.lon - lon) * bindparam("near_scale2") + (T.c.lat - lat) * (
        T.c.lat - lat
    )


# SQLite reads a box this wide (degrees of longitude: a tile at zoom 11 or lower, most of a
# city) through the btree for the map's grid, and a smaller one through the R*Tree.  At 100,000
# activities a zoom-11 tile's grid took 170 ms from the btree's 63,000 entries where the R*Tree
# handed over 28,000 rows to read (490 ms); at zoom 12, 92 ms against 75.
COVERED_BOX_DEGREES = 0.15


class _Filters:
    """A query's filters: ``shape`` names them (never their values), ``values`` binds them, and
    ``clauses()`` builds their SQL, which only a statement of a new shape needs."""

    def __init__(self):
        self.shape: list = []
        self.values: dict = {}
        self._builders: list = []

    def add(self, token, build, **values):
        self.shape.append(token)
        self.values.update(values)
        self._builders.append(build)

    def clauses(self) -> list:
        return [build() for build in self._builders]


@implementer(ISearchService)
class DatabaseSearch:
    backend = "database"
    # What a page of hits and a map's rows read (the network search adds the city).
    columns: tuple = DOCUMENT_COLUMNS
    locate_columns: tuple = LOCATE_COLUMNS
    # One city's documents: SQLite seeks the text's matches in the city's range of rowids, and
    # PostgreSQL completes an unfinished word from the city's vocabulary (_completed).
    one_city = True

    def __init__(self, session, tenant_id: int, languages: tuple[str, ...]):
        self.session = session
        self.tenant_id = tenant_id
        self.languages = languages
        self.dialect = session.get_bind().dialect.name
        self._prepared_queries: dict = {}
        self._completions: dict[str, list[str] | None] = {}
        self._narrow: frozenset[str] | None = None

    # -- writing ----------------------------------------------------------------------------

    def index(self, documents):
        store.save(self.session, self.tenant_id, self.languages, as_documents(documents))

    def remove(self, kind, keys):
        store.remove(self.session, self.tenant_id, self.languages, kind, keys)

    def reindex(self, documents, progress=None):
        count = len(documents) if isinstance(documents, Sized) else None
        documents = as_documents(documents)
        # A savepoint: a rebuild that fails (a plugin's documents) leaves the old index whole,
        # even for a caller that commits anyway.
        with self.session.begin_nested():
            if not bulk.wanted(self.session.connection(), self.tenant_id, count):
                store.clear(self.session, self.tenant_id)
                _write_batches(documents, self.index, progress)
                return
            with bulk.loading(self.session, self.tenant_id, self.languages) as write:
                _write_batches(documents, write, progress)

    # -- reading ----------------------------------------------------------------------------

    def _prepared(self, query, covered: bool = False) -> tuple[_Filters, list]:
        """(filters, words) of ``query``; a search runs several statements of the same query.
        ``covered``: SQLite reads the box through the btree, not the R*Tree (see _grid)."""
        key = (query, covered)
        if key not in self._prepared_queries:
            words = query_words(query.text, self.languages)
            filters = self._filters_of(query, bool(words), covered)
            self._prepared_queries[key] = (filters, words)
        return self._prepared_queries[key]

    def _filters_of(self, query, text: bool, covered: bool = False) -> _Filters:
        """The query's filters, by theme: what, when, where, and on what terms."""
        filters = _Filters()
        rtree = self.dialect == "sqlite" and not (covered and not text)
        # Let the FTS5 or R*Tree index drive: SQLite's planner otherwise walks the city's rows
        # through the tenant index and probes the virtual table once per row (1 s instead of
        # 1 ms); "+ 0" keeps it from using an index on tenant_id.
        index_driven = self.dialect == "sqlite" and bool(
            text or (query.bbox and rtree) or query.near
        )
        self._add_tenant(filters, query, index_driven)
        self._add_what(filters, query)
        self._add_when(filters, query)
        self._add_where(filters, query, rtree)
        self._add_terms(filters, query)
        return filters

    def _add_tenant(self, filters: _Filters, query, index_driven: bool) -> None:
        filters.add(
            ("tenant", index_driven),
            lambda: (T.c.tenant_id + 0 if index_driven else T.c.tenant_id) == bindparam("tenant"),
            tenant=self.tenant_id,
        )
        if self.dialect == "sqlite":  # for the text's match (_match)
            low = self.tenant_id << CITY_ROWID_SHIFT
            filters.values.update(city_rowid_low=low, city_rowid_high=low + DOCUMENT_ID_MASK)

    def _add_what(self, filters: _Filters, query) -> None:
        """Kinds, categories, keys and skills."""
        if query.kinds:
            filters.add(
                "kinds",
                lambda: T.c.kind.in_(bindparam("kinds", expanding=True)),
                kinds=list(query.kinds),
            )
        if query.categories:
            filters.add(
                "categories",
                lambda: T.c.category.in_(bindparam("categories", expanding=True)),
                categories=list(query.categories),
            )
        if query.keys is not None:  # an empty list matches nothing
            filters.add(
                "keys",
                lambda: T.c.key.in_(bindparam("keys", expanding=True)),
                keys=list(query.keys),
            )
        if query.skills:
            skills = {f"skill_{i}": _packed_like(skill) for i, skill in enumerate(query.skills)}
            filters.add(
                ("skills", len(skills)),
                lambda: or_(*[_has(T.c.skills, name) for name in skills]),
                **skills,
            )

    def _add_when(self, filters: _Filters, query) -> None:
        """Current activities only (unless past ones are asked for), and the dates asked."""
        if not query.include_past:
            filters.add(
                "current",
                lambda: or_(T.c.ends_at.is_(None), T.c.ends_at >= bindparam("now")),
                now=store.utc(query.current_time),
            )
        if query.date_from:
            filters.add(
                "date_from",
                lambda: or_(T.c.ends_at.is_(None), T.c.ends_at >= bindparam("date_from")),
                date_from=store.utc(query.date_from),
            )
        if query.date_to:
            filters.add(
                "date_to",
                lambda: or_(T.c.starts_at.is_(None), T.c.starts_at <= bindparam("date_to")),
                date_to=store.utc(query.date_to),
            )

    def _add_where(self, filters: _Filters, query, rtree: bool) -> None:
        """The map's box, the distance from a point, and whether an activity has a place."""
        if query.bbox:
            filters.add(
                ("bbox", rtree), lambda: _area(rtree, "bbox"), **_area_values("bbox", query.bbox)
            )
        if query.near:
            self._add_near(filters, query)
        if query.located is not None:
            located = query.located
            filters.add(
                ("located", located),
                lambda: T.c.lat.is_not(None) if located else T.c.lat.is_(None),
            )

    def _add_near(self, filters: _Filters, query) -> None:
        """Bind the point (for ordering by distance) and keep what is within ``within_km``."""
        lat, lon = query.near
        scale = math.cos(math.radians(lat))
        filters.values.update(near_lat=lat, near_lon=lon, near_scale2=scale**2)
        if query.within_km is None:
            return
        dlat = query.within_km / KM_PER_DEGREE
        dlon = dlat / max(scale, 1e-6)
        box = (lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        filters.add(
            "within",
            lambda: and_(
                _area(self.dialect == "sqlite", "near"), _distance2() <= bindparam("near_radius2")
            ),
            near_radius2=dlat * dlat,
            **_area_values("near", box),
        )

    def _add_terms(self, filters: _Filters, query) -> None:
        """How the activity is offered: mode, price, age, language and accessibility."""
        if query.mode in MODES:
            mode = query.mode
            filters.add(mode, lambda: T.c[mode].is_(True))
        if query.free:
            filters.add("free", lambda: T.c.price == 0)
        if query.max_price is not None:
            filters.add(
                "max_price",
                lambda: and_(T.c.price.is_not(None), T.c.price <= bindparam("max_price")),
                max_price=query.max_price,
            )
        if query.age is not None:
            filters.add(
                "age",
                lambda: and_(
                    or_(T.c.age_min.is_(None), T.c.age_min <= bindparam("age")),
                    or_(T.c.age_max.is_(None), T.c.age_max >= bindparam("age")),
                ),
                age=query.age,
            )
        if query.language:
            filters.add(
                "language",
                lambda: _has(T.c.languages, "language"),
                language=_packed_like(query.language),
            )
        if query.accessibility:
            features = {
                f"access_{i}": _packed_like(feature)
                for i, feature in enumerate(query.accessibility)
            }
            filters.add(
                ("accessibility", len(features)),
                lambda: and_(*[_has(T.c.accessibility, name) for name in features]),
                **features,
            )

    def _match_value(self, words, tier=None) -> str:
        """The text search's bound value: an FTS5 or tsquery expression.

        ``tier``: "title" keeps documents with every word in the title, "rest" the others.
        """
        if self.dialect != "sqlite":
            completed = self._completed(words)
            return tsquery_expression(completed)
        expression = fts5_expression(words)
        in_title = f"{{terms_title}} : ({expression})"
        return {"title": in_title, "rest": f"({expression}) NOT {in_title}"}.get(tier, expression)

    def _text_values(self, words, tier=None, name="match") -> dict:
        """The text's bound values: as matched (``name``) and, on PostgreSQL, as typed, which
        it ranks by (RANKED)."""
        values = {name: self._match_value(words, tier)}
        if self.dialect != "sqlite":
            values[RANKED] = tsquery_expression(words)
        return values

    def _completed(self, words):
        """``words``, the unfinished last one after others as the terms that complete it (see
        PREFIX_COMPLETIONS_MAX): the city's vocabulary holds every term of its documents."""
        if len(words) < 2 or not self.one_city:
            return words
        *before, last = words
        completions = self._completions_of(last.prefix) if last.prefix else None
        if completions is None:
            return words
        forms = dict.fromkeys((*last.forms, *completions))
        return [*before, dataclasses.replace(last, forms=tuple(forms), prefix=None)]

    def _completions_of(self, prefix: str) -> list[str] | None:
        """The city's terms that start with ``prefix``, or None if they are too many."""
        if prefix not in self._completions:
            values = {"tenant": self.tenant_id, "pattern": f"{_like_escaped(prefix)}%"}
            terms = self.session.connection().execute(
                _COMPLETIONS,
                {**values, "limit": PREFIX_COMPLETIONS_MAX + 1},
                execution_options=VOCABULARY,
            )
            found = sorted(terms.scalars())
            quotable = all("'" not in term and "\\" not in term for term in found)
            few = len(found) <= PREFIX_COMPLETIONS_MAX
            self._completions[prefix] = found if few and quotable else None
        return self._completions[prefix]

    def _match(self, tier, name):
        """(where clause, score expression) for the text bound to ``name``."""
        text = bindparam(name)
        if self.dialect == "sqlite":  # the tier is in the expression
            fts_match = literal_column("idx_search_fts").op("MATCH")(text)
            if self.one_city:
                city = FTS.c.rowid.between(
                    bindparam("city_rowid_low"), bindparam("city_rowid_high")
                )
                fts_match = and_(fts_match, city)
            return fts_match, -FTS.c.rank
        tsquery = func.to_tsquery("simple", text)
        # Ranked by the words as typed (RANKED), matched with the last one completed: the
        # rank of a prefix is not that of its terms.
        as_typed = func.to_tsquery("simple", bindparam(RANKED))
        in_title = TITLE_VECTOR.op("@@")(tsquery)
        everywhere = VECTOR.op("@@")(tsquery)
        if tier == "title":
            return in_title, func.ts_rank(TITLE_VECTOR, as_typed)
        score = func.ts_rank(VECTOR, as_typed)
        if tier == "rest":
            return and_(everywhere, ~in_title), score
        return everywhere, score

    def _selection(self, columns, filters, text, tier=None, scored=False, match="match"):
        """SELECT ``columns`` where the filters hold (and the text bound to ``match``, if
        ``text``); returns (statement, score expression or None)."""
        text_clause = score = None
        if text:
            text_clause, score = self._match(tier, match)
        if scored:
            no_score = literal_column("0.0")
            score_column = (no_score if score is None else score).label("score")
            columns = [*columns, score_column]
        statement = select(*columns).where(*filters.clauses())
        if text_clause is None:
            return statement, score
        statement = statement.where(text_clause)
        if self.dialect == "sqlite":
            document_id = FTS.c.rowid.op("&")(literal_column(str(DOCUMENT_ID_MASK)))
            statement = statement.select_from(T).join(FTS, T.c.id == document_id)
        return statement, score

    def _narrow_index(self) -> frozenset[str]:
        if self._narrow is None:
            sqlite = self.dialect == "sqlite"
            self._narrow = _narrow_columns(self.session.connection()) if sqlite else frozenset()
        return self._narrow

    def _narrowed(self, statement):
        """``statement`` (matching text) reads the documents through SQLite's narrow index when
        that holds every column it reads: the matches are checked and ranked without their rows."""
        narrow = self._narrow_index()
        if narrow and _columns_read(statement) <= narrow:
            return statement.with_hint(T, f"INDEXED BY {NARROW_INDEX}", "sqlite")
        return statement

    def _execute(self, shape: tuple, build, values: dict):
        """Run the statement of ``shape`` (built by ``build()`` the first time) with ``values``."""
        shape = (self.dialect, bool(self._narrow_index()), *shape)
        statement = _STATEMENTS.get(shape)
        if statement is None:
            if len(_STATEMENTS) >= MAX_STATEMENTS:
                _STATEMENTS.clear()
            # Each statement binds its city (the tenant filter above, tuned per shape for the
            # planner), so the ORM wall leaves it be; reviewed (docs/security.md).
            statement = _STATEMENTS[shape] = build().execution_options(
                filters_tenant_itself="search: every statement binds :tenant"
            )
        return self.session.connection().execute(statement, values)

    @staticmethod
    def _order(sort, score):
        tie_breakers = (T.c.kind, T.c.key)
        if sort == "distance":
            return (_distance2(), *tie_breakers)
        undated_last = (T.c.starts_at.is_(None), T.c.starts_at)
        by_date = (*undated_last, *tie_breakers)
        if sort == "relevance" and score is not None:
            return (score.desc(), *by_date)
        return by_date

    # -- typo tolerance (spelling) -------------------------------------------------------------

    def search(self, query):
        results, corrected = spelling.forgiving(
            self._search, query, self._corrected, lambda results: results.total
        )
        results.corrected = corrected
        return results

    def locate(self, query):
        return spelling.forgiving(self._locate, query, self._corrected, bool)[0]

    def grid(self, query, columns, rows):
        cells = spelling.forgiving(
            lambda q: self._grid(q, columns, rows), query, self._corrected, bool
        )[0]
        return merged_cells(cells)

    def _corrected(self, text: str) -> str | None:
        return spelling.corrected_text(text, self.languages, self._has_match, self._vocabulary)

    def _has_match(self, word) -> bool:
        """Whether ``word`` matches any document of the city, ended ones included."""
        filters = self._filters_of(SearchQuery(include_past=True), True)

        def build():
            matching = self._narrowed(self._selection([literal_column("1")], filters, True)[0])
            if self.dialect == "postgresql":
                matching = _planned_whole(matching)
            return matching.limit(1)

        found = self._execute(
            ("has match", *filters.shape),
            build,
            {**filters.values, **self._text_values([word])},
        ).first()
        return found is not None

    def _vocabulary(self, word: str) -> list[tuple[str, int]]:
        """(term, documents) of indexed terms that may be near ``word``: on SQLite those with
        its first letter (from every city: candidates are checked in this one), on PostgreSQL
        the city's terms that share enough trigrams with it."""
        connection = self.session.connection()
        if self.dialect == "sqlite":
            return _initial_terms(connection, word[0])
        if not _has_trigrams(connection):
            return []
        # similarity() of a swapped pair of letters is low ("phyton" and "python": 0.17), so
        # the threshold of pg_trgm's % is lowered, for this transaction only.
        connection.execute(text("SELECT set_config('pg_trgm.similarity_threshold', '0.15', true)"))
        rows = connection.execute(
            text(
                "SELECT term FROM idx_search_terms WHERE tenant_id = :tenant AND term % :word"
                " ORDER BY similarity(term, :word) DESC LIMIT 50"
            ),
            {"tenant": self.tenant_id, "word": word},
            execution_options=VOCABULARY,
        )
        return [(row.term, 0) for row in rows]

    # -- searching ----------------------------------------------------------------------------

    def _search(self, query):
        _, words = self._prepared(query)
        if query.sort == "relevance" and words:
            rows, counted = self._ranked_in_tiers(query)
        else:
            rows = self._page(query, None, query.offset, query.limit)
            counted = _counted_of(rows, query)
        hits = []
        for row in rows:
            document = self._document(row)
            distance = (
                distance_km(*query.near, document.lat, document.lon)
                if query.near and document.lat is not None
                else None
            )
            hits.append(Hit(document, float(row.score or 0.0), distance))
        if query.facets or (not rows and query.offset):  # facets, or a page past the end
            total, exact, facets = self._counts(query)
        elif len(rows) < query.limit:
            # The page is the last one, so it says how many there are without counting.
            total, exact, facets = query.offset + len(rows), True, {}
        else:
            total, exact = _total(counted, _count_limit(query))
            facets = {}
        return SearchResults(total=total, hits=hits, facets=facets, total_exact=exact)

    def _document(self, row) -> Document:
        return store.document_from_row(row)

    def _page(self, query, tier, offset, limit):
        filters, words = self._prepared(query)
        text = bool(words)
        # The count rides along as a column the database computes once: a statement fewer per
        # search, which costs more in Python than the count does in the database.
        counted = not query.facets
        count_limit = _count_limit(query)
        values = {**filters.values, "limit": limit, "offset": offset, "page_end": offset + limit}
        if text:
            values.update(self._text_values(words, tier))
        if counted:
            values.update(self._count_values(query))

        # SQLite ranks the matches through its narrow index, then reads the page's rows: a sort
        # that carried every match's whole row cost more than the ranking.
        narrow = text and bool(self._narrow_index())

        def build():
            columns = [T.c.tenant_id, T.c.id] if narrow else self.columns
            if counted and tier:
                columns = [*columns, func.count().over().label("matched")]
            statement, score = self._selection(columns, filters, text, tier, scored=True)
            statement = (
                statement.order_by(*self._order(query.sort, score))
                .limit(bindparam("limit"))
                .offset(bindparam("offset"))
            )
            if narrow:
                statement = self._rows_of(self._narrowed(statement), query.sort)
            if counted:
                matched = statement.selected_columns.matched if tier else None
                statement = statement.add_columns(
                    self._counted(filters, text, tier, count_limit is not None, matched)
                )
            return statement

        shape = ("page", text, tier, query.sort, counted, count_limit is not None, *filters.shape)
        return self._execute(shape, build, values).all()

    def _rows_of(self, ranked, sort):
        """The whole rows of the documents ``ranked`` chose, in its order, with its score (and
        its count of matches, if it has one)."""
        page = ranked.subquery("ranked")
        added = [column for column in page.c if column.name in ("score", "matched")]
        whole_rows = select(*self.columns, *added).join_from(page, T, _row_of(page))
        return whole_rows.order_by(*self._order(sort, page.c.score))

    def _counted(self, filters, text, tier, limited, matched):
        """The ``counted`` column: how many documents match, up to the count's limit + 1.

        A tier's statement ranks all of its matches, and counting them as it goes
        (``matched``, a window over them) costs little; counting every match on its own costs
        more than the ranking does on PostgreSQL (a second scan of the word's matches, whose
        plan it often misjudges under the limit).  So the rest tier's matches are counted as
        they are ranked, and the title tier's matches answer the count when they pass its
        limit, or leave the page short (the rest tier's count then completes theirs): only a
        page filled by fewer title matches than the limit counts every match.
        """
        if tier == "rest":
            return matched.label("counted")
        whole = self._count_statement(filters, text, limited).scalar_subquery()
        if tier != "title":
            return whole.label("counted")
        title_says = [(matched < bindparam("page_end"), null())]
        if limited:
            title_says.append((matched >= bindparam("count_limit"), matched))
        return case(*title_says, else_=whole).label("counted")

    def _ranked_in_tiers(self, query):
        """Documents with every word in their title first, then the others, each tier by bm25.

        Ranking costs about a microsecond a match with FTS5 and several with PostgreSQL, and a
        common word matches a tenth of a large city (15 to 30 ms at 100,000 activities with
        FTS5); titles hold a seventh of the words, so the title tier is that much cheaper and
        usually fills the page on its own.  PostgreSQL finds it through the title's own vector.
        Returns (rows, their count of matches, see ``_counted``).
        """
        rows = self._page(query, "title", query.offset, query.limit)
        if len(rows) == query.limit:
            return rows, _counted_of(rows, query)
        return self._completed_by_the_rest(query, rows)

    def _completed_by_the_rest(self, query, rows):
        """The title tier's short page ``rows`` completed by the rest tier, and their count."""
        in_title = self._in_title(query, rows)
        rest_offset = max(0, query.offset - in_title)
        rest = self._page(query, "rest", rest_offset, query.limit - len(rows))
        return rows + rest, _counted_of(rest, query, before=in_title)

    def _in_title(self, query, rows) -> int:
        """How many documents have every word in their title, ``rows`` being the title tier's
        short page: it says so, unless the offset passed them all."""
        if rows or not query.offset:
            return query.offset + len(rows)
        filters, words = self._prepared(query)
        return self._execute(
            ("title count", *filters.shape),
            lambda: self._selection([func.count()], filters, True, "title")[0],
            {**filters.values, **self._text_values(words, "title")},
        ).scalar_one()

    def _counts(self, query):
        """(total, whether it is exact, facets)."""
        if not query.facets:
            return (*self._count_up_to_limit(query), {})
        total, facets = self._facets(query)
        # A facet whose filter is set is counted without it (query.FACET_FILTERS): one more
        # grouped statement per such facet, none when no facet filter is set.
        for facet, wider in facet_queries(query).items():
            facets[facet] = self._facets(wider)[1][facet]
        return total, True, facets

    def _facets(self, query):
        """(total, facets) of the matches of ``query``, in one grouped statement."""
        filters, words = self._prepared(query)
        # One grouped query gives the total and every facet; single-valued facets are summed,
        # so the groups are only category x languages x accessibility combinations.
        groups = [T.c.category, T.c.languages, T.c.accessibility]
        has_text = bool(words)

        def build():
            columns = [*groups, *_SUMMED_FACETS, func.count().label("n")]
            statement, _ = self._selection(columns, filters, has_text)
            return statement.group_by(*groups)

        values = dict(filters.values)
        if has_text:
            values.update(self._text_values(words))
        shape = ("facets", has_text, *filters.shape)
        rows = self._execute(shape, build, values).all()
        total = sum(row.n for row in rows)
        return total, _facet_counts(rows)

    def _count_up_to_limit(self, query):
        filters, words = self._prepared(query)
        limited = _count_limit(query) is not None
        counted = self._execute(
            ("count", bool(words), limited, *filters.shape),
            lambda: self._count_statement(filters, bool(words), limited),
            {**filters.values, **self._count_values(query)},
        ).scalar_one()
        return _total(counted, _count_limit(query))

    def _count_values(self, query) -> dict:
        """The values of ``_count_statement``: its text and where it stops."""
        _, words = self._prepared(query)
        limit = _count_limit(query)
        values: dict[str, object] = {} if limit is None else {"count_limit": limit + 1}
        if words:
            values.update(self._text_values(words, name="count_match"))
        return values

    def _count_statement(self, filters, text, limited):
        statement, _ = self._selection([literal_column("1")], filters, text, match="count_match")
        if text:
            statement = self._narrowed(statement)
            if limited and self.dialect == "postgresql":
                statement = _planned_whole(statement)
        if limited:
            statement = statement.limit(bindparam("count_limit"))
        return select(func.count()).select_from(statement.subquery())

    def _locate(self, query):
        filters, words = self._prepared(query)

        def build():
            statement, score = self._selection(self.locate_columns, filters, bool(words))
            return (
                statement.where(T.c.lat.is_not(None))
                .order_by(*self._order(query.sort, score))
                .limit(bindparam("limit"))
                .offset(bindparam("offset"))
            )

        values = {**filters.values, "limit": query.limit + 1, "offset": query.offset}
        if words:
            values.update(self._text_values(words))
        return self._execute(
            ("locate", bool(words), query.sort, *filters.shape), build, values
        ).all()

    def _cell_number(self, offset, scale):
        """The whole number of cells ``offset`` (degrees from the box's edge) spans."""
        spanned = offset * scale
        return func.floor(spanned) if self.dialect != "sqlite" else cast(spanned, Integer)

    def _grid(self, query, columns, rows):
        """One grouped statement: the cell number of each point computed from its latitude and
        longitude, the box's filter choosing rows (the (tenant, lat, lon, kind, ends_at) btree,
        which holds the map's usual filters, or on SQLite the R*Tree for a small box)."""
        west, south, east, north = query.bbox
        filters, words = self._prepared(query, covered=east - west >= COVERED_BOX_DEGREES)

        def build():
            column = self._cell_number(T.c.lon - bindparam("grid_west"), bindparam("grid_x"))
            row = self._cell_number(bindparam("grid_north") - T.c.lat, bindparam("grid_y"))
            # One grouping key: SQLite sorts it a third faster than the pair.
            cell = column * bindparam("grid_stride") + row
            statement, _ = self._selection(
                [
                    cell.label("cell"),
                    func.count().label("n"),
                    func.avg(T.c.lat).label("lat"),
                    func.avg(T.c.lon).label("lon"),
                    func.min(T.c.lat).label("south"),
                    func.min(T.c.lon).label("west"),
                    func.max(T.c.lat).label("north"),
                    func.max(T.c.lon).label("east"),
                ],
                filters,
                bool(words),
            )
            return statement.where(T.c.lat.is_not(None)).group_by(cell)

        values = {
            **filters.values,
            "grid_west": west,
            "grid_north": north,
            "grid_x": columns / (east - west),
            "grid_y": rows / (north - south),
            "grid_stride": rows + 1,  # rows 0 to ``rows``: a point on the south edge
        }
        if words:
            values.update(self._text_values(words))
        found = self._execute(("grid", bool(words), *filters.shape), build, values).all()
        # A point on the east or south edge counts as the last cell's.
        return [
            GridCell(
                min(max(column, 0), columns - 1),
                min(max(row, 0), rows - 1),
                r.n,
                float(r.lat),
                float(r.lon),
                r.south,
                r.west,
                r.north,
                r.east,
            )
            for r in found
            for column, row in [divmod(int(r.cell), rows + 1)]
        ]


def _planned_whole(statement):
    """The rows of ``statement`` (matching text), planned for all of them (PostgreSQL), to be
    read under a LIMIT.

    Under a LIMIT PostgreSQL plans for the first matches.  It estimates that a word with its
    prefix matches at least 0.5% of the documents, so it expects to meet them soon in a walk
    through the city.  A misspelt word matches none, and that walk read every row (70 to 110 ms
    at 100,000 activities, against 0.5 ms through the index); a rarer word than it thinks, in
    a count up to a hundred, read half the city (71 ms, against 3 ms).  A MATERIALIZED CTE is
    planned on its own, for every row."""
    return select(literal_column("1")).select_from(
        statement.cte("matching").prefix_with("MATERIALIZED")
    )


def _count_where(condition):
    return func.sum(case((condition, 1), else_=0))


# The single-valued facets, summed in each group of the facets statement: (column, facet).
_SUMMED = {"online": "mode", "in_person": "mode", "free": "price", "paid": "price"}
_SUMMED_FACETS = [
    _count_where(T.c.online.is_(True)).label("online"),
    _count_where(T.c.in_person.is_(True)).label("in_person"),
    _count_where(T.c.price == 0).label("free"),
    _count_where(T.c.price > 0).label("paid"),
]


def _facet_counts(rows) -> dict[str, dict[str, int]]:
    """Each facet's value counts, added up over the rows of the grouped facets statement."""
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}

    def bump(name, value, n):
        if n:
            facets[name][value] = facets[name].get(value, 0) + n

    for row in rows:
        if row.category:
            bump("category", row.category, row.n)
        for summed, facet in _SUMMED.items():
            bump(facet, summed, getattr(row, summed))
        for language in store.unpacked(row.languages):
            bump("language", language, row.n)
        for feature in store.unpacked(row.accessibility):
            bump("accessibility", feature, row.n)
    return facets


def _counted_of(rows, query, before: int = 0) -> int | None:
    """The count of matches the page's rows carry, plus ``before`` (those of the tier before
    theirs); None without rows (the page is short and says the total itself) or with facets
    (counted on their own)."""
    if not rows or query.facets:
        return None
    return before + rows[0].counted


def _row_of(page):
    """The join of a page of ranked documents to their rows."""
    return and_(T.c.tenant_id == page.c.tenant_id, T.c.id == page.c.id)


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


def _write_batches(documents, write, progress) -> None:
    batch = []
    for document in documents:
        batch.append(document)
        if len(batch) == 1000:
            write(batch)
            progress and progress(len(batch))
            batch = []
    write(batch)
    progress and progress(len(batch))


def as_documents(documents):
    """query.Document from plugins' SearchDocuments (or query.Documents, unchanged)."""
    for document in documents:
        yield (
            document if isinstance(document, Document) else Document.from_search_document(document)
        )
