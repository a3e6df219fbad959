"""What each database does with the search's statements, as the application runs them.

PostgreSQL: row-level security once cost every search its full-text index (a policy's condition
comes before any of the query's that is not LEAKPROOF, and `@@` is not): each search read every
row of its city, 116 ms at 100,000 activities instead of a few.  These tests ask the planner,
as the application's role and for a city of 20,000 documents, whether the matching is an index
condition (docs/performance.md, "Row-level security and the search indexes"), and whether a
page of title matches counts every match again (docs/performance.md, "Counting what is
ranked").

SQLite: its FTS5 index holds every city's documents, and each match was checked against the
city and the filters by reading its whole row; a second city of the same size doubled a search's
time.  A search now seeks to its city's range of the index's rowids, and checks and ranks the
matches through a narrow index (docs/performance.md, "Every city's documents in one FTS5
index").
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from col_core.activities.search.query import Document
from col_core.activities.search.services.database import NARROW_INDEX, DatabaseSearch
from col_core.tenancy.scoping import bind_connection, tenant_context

CITY_SIZE = 20000  # enough that reading the city through any other index costs more, and that
# a word estimated to match 0.5% of it would be expected early in a scan (LIMIT 1)


@pytest.fixture
def city(factories):
    """A city of ``CITY_SIZE`` documents, one of them about beekeeping, with its statistics
    (as autovacuum leaves a table), so that the index the planner takes is a matter of cost."""
    city = factories.tenant("vilnius")
    session = factories.session
    documents = [
        Document(kind="activity", key=str(n), title=f"Pottery evening {n}", body="Clay and glaze")
        for n in range(CITY_SIZE - 1)
    ]
    documents.append(Document(kind="activity", key="bees", title="Beekeeping for beginners"))
    # A word in 30 titles and 60 more bodies: a page of titles below the count's limit.
    documents += [
        Document(kind="activity", key=f"raku-{n}", title=f"Raku firing {n}") for n in range(30)
    ]
    documents += [
        Document(kind="activity", key=f"kiln-{n}", title=f"Kiln day {n}", body="Raku too")
        for n in range(60)
    ]
    with tenant_context(session, city):
        DatabaseSearch(session, city.id, ("en",)).reindex(documents)
        session.commit()
    session.execute(text("ANALYZE search_documents"))
    session.execute(text("ANALYZE idx_search_terms"))
    session.commit()
    return city


def statements_of(engine, request, marker: str) -> list[tuple[str, dict]]:
    """The statements that ``request()`` sends and that contain ``marker``, with their values."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if marker in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        request()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert sent, f"no statement with {marker!r} was sent"
    return sent


def searched(engine, app, params: dict, marker: str) -> tuple[dict, list[tuple[str, dict]]]:
    """The answer of a search for ``params``, and the statements it sent that contain
    ``marker``."""
    found: dict = {}
    sent = statements_of(
        engine, lambda: found.update(app.get("/api/v1/search", params).json), marker
    )
    return found, sent


def plan_of(engine, city, statement: str, parameters: dict, explain="EXPLAIN") -> list[str]:
    """The plan of ``statement`` run as the app's role bound to ``city``."""
    with engine.connect() as connection:
        bind_connection(connection, city.id, None, "tenant")
        plan = connection.exec_driver_sql(f"{explain} {statement}", parameters).scalars().all()
        connection.rollback()
    return plan


def index_conditions(engine, city, statement: str, parameters: dict) -> list[str]:
    """The plan's index conditions (and their rechecks) for ``statement``."""
    plan = plan_of(engine, city, statement, parameters)
    return [line for line in plan if "Index Cond" in line or "Recheck Cond" in line]


def test_a_search_matches_words_in_its_full_text_index(postgresql_engine, testapp, city):
    app = testapp.for_tenant(city)
    sent = statements_of(
        postgresql_engine, lambda: app.get("/api/v1/search", {"q": "beekeeping"}), "@@"
    )
    for statement, parameters in sent:
        conditions = index_conditions(postgresql_engine, city, statement, parameters)
        assert any("@@" in line for line in conditions), "\n".join(conditions)


def test_a_misspelt_word_is_checked_and_corrected_through_the_index(
    postgresql_engine, testapp, city
):
    """Typo tolerance asks whether each word and each candidate matches anything, then searches
    again: every one of those statements reads the index too."""
    app = testapp.for_tenant(city)
    found, sent = searched(postgresql_engine, app, {"q": "beekeping"}, "@@")
    assert found["corrected"] == "beekeeping"
    assert len(sent) > 2
    for statement, parameters in sent:
        conditions = index_conditions(postgresql_engine, city, statement, parameters)
        assert any("@@" in line for line in conditions), "\n".join(conditions)


def test_a_page_of_titles_past_the_count_limit_is_not_counted_again(
    postgresql_engine, testapp, city
):
    """The title tier counts its matches as it ranks them; when they pass the count's limit,
    the count of every match (a second scan of the word's matches, half of the statement's
    time at 100,000 activities) is never run."""
    app = testapp.for_tenant(city)
    found, [(statement, parameters)] = searched(postgresql_engine, app, {"q": "pottery"}, "@@")
    assert (found["total"], found["total_exact"]) == (100, False)
    lines = plan_of(postgresql_engine, city, statement, parameters, "EXPLAIN ANALYZE")
    counts = [line for line in lines if "Aggregate" in line]
    assert counts and all("never executed" in line for line in counts), "\n".join(lines)


def test_a_page_of_fewer_titles_than_the_limit_counts_every_match_planned_whole(
    postgresql_engine, testapp, city
):
    """A page filled by fewer title matches than the count's limit counts every match, in a
    MATERIALIZED CTE that PostgreSQL plans for all of them: under the count's LIMIT it planned
    for the first hundred and, overestimating a word with its prefix, walked half the city to
    find them (71 ms at 100,000 activities, against 8 through the index)."""
    app = testapp.for_tenant(city)
    found, [(statement, parameters)] = searched(postgresql_engine, app, {"q": "raku"}, "@@")
    assert (found["total"], found["total_exact"]) == (90, True)
    lines = plan_of(postgresql_engine, city, statement, parameters, "EXPLAIN ANALYZE")
    plan = "\n".join(lines)
    assert "CTE Scan on matching" in plan and "idx_search_documents_gin" in plan, plan
    assert not any("Aggregate" in line and "never executed" in line for line in lines), plan


def test_an_unfinished_word_after_another_is_matched_as_the_terms_it_begins(
    postgresql_engine, testapp, city
):
    """GIN reads every posting of a prefix, every city's, before it can skip any; the terms
    that complete the word it skips through to the other words' documents (docs/performance.md,
    "Completing the word being typed").  The documents are still ranked by the words as
    typed."""
    app = testapp.for_tenant(city)
    found, sent = searched(postgresql_engine, app, {"q": "beekeeping beg"}, "@@")
    assert [item["key"] for item in found["items"]] == ["bees"]
    for statement, parameters in sent:
        assert "'beginn'" in parameters["match"] and ":*" not in parameters["match"]
        assert parameters.get("ranked", "'beg':*").endswith("'beg':*)")
        conditions = index_conditions(postgresql_engine, city, statement, parameters)
        assert not any(":*" in line for line in conditions), "\n".join(conditions)


def test_a_word_that_begins_too_many_terms_stays_a_prefix(postgresql_engine, testapp, city):
    """ "12" begins a thousand of the city's terms (its documents' numbers): matched as a
    prefix, as a word typed alone is."""
    app = testapp.for_tenant(city)
    found, sent = searched(postgresql_engine, app, {"q": "pottery 12"}, "@@")
    assert (found["total"], found["total_exact"]) == (100, False)
    assert all("'12':*" in parameters["match"] for _statement, parameters in sent)


@pytest.fixture
def two_cities(factories):
    """Two cities with the same activities, in the one FTS5 index."""
    cities = [factories.tenant("vilnius"), factories.tenant("kaunas")]
    session = factories.session
    for city in cities:
        documents = [
            Document(
                kind="activity",
                key=str(n),
                title=f"Pottery evening {n}",
                category="arts",
                price=0,
                accessibility=("wheelchair",) if n % 10 == 0 else (),
            )
            for n in range(200)
        ]
        with tenant_context(session, city):
            DatabaseSearch(session, city.id, ("en",)).reindex(documents)
            session.commit()
    return cities


def sqlite_plan(engine, statement: str, parameters: dict) -> list[str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return [row[-1] for row in rows]


@pytest.mark.parametrize(
    "params", [{"q": "pottery"}, {"q": "pottery", "category": "arts", "free": "1"}]
)
def test_sqlite_checks_and_ranks_a_words_matches_through_the_narrow_index(
    sqlite_engine, testapp, two_cities, params
):
    """Every statement that matches words seeks to the city's range of the FTS5 index's rowids
    (FTS5 shows the bounds as "<" and ">" in its plan), reads the documents' filters and order
    from the narrow index, and whole rows only for the page it returns."""
    app = testapp.for_tenant(two_cities[0])
    found, sent = searched(sqlite_engine, app, params, "MATCH")
    # 200 matches in the city, counted up to a hundred (400 in the index).
    assert (found["total"], found["total_exact"], len(found["items"])) == (100, False, 20)
    for statement, parameters in sent:
        plan = sqlite_plan(sqlite_engine, statement, parameters)
        assert any(f"COVERING INDEX {NARROW_INDEX}" in line for line in plan), "\n".join(plan)
        fts_scans = [line for line in plan if "VIRTUAL TABLE" in line]
        assert fts_scans and all("><" in line for line in fts_scans), "\n".join(plan)


def test_sqlite_reads_whole_rows_for_a_filter_the_narrow_index_lacks(
    sqlite_engine, testapp, two_cities
):
    """A filter on a column the narrow index does not hold (accessibility) reads the matches'
    rows, and still finds the city's own."""
    app = testapp.for_tenant(two_cities[0])
    params = {"q": "pottery", "access": "wheelchair"}
    found, sent = searched(sqlite_engine, app, params, "MATCH")
    assert (found["total"], found["total_exact"]) == (20, True)
    assert {int(item["key"]) % 10 for item in found["items"]} == {0}
    for statement, _parameters in sent:
        assert "INDEXED BY" not in statement
