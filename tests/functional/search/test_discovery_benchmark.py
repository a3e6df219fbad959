"""``python -m benchmarks discovery`` at a tiny size, so its code path keeps working: a city seeded
on the test run's kind of database (SQLite with Whoosh too; PostgreSQL when
COL_TEST_DATABASE_URL is set, where the benchmark makes and drops a database of its own on the
server at 127.0.0.1:5432), gunicorn with two workers, every measurement answered 200 (the
clients raise on anything else)."""

from __future__ import annotations

import json
import os

import pytest

from benchmarks import discovery

pytestmark = pytest.mark.slow


def test_discovery_benchmark_measures_every_backend_of_the_database(capsys):
    kind = "postgresql" if os.environ.get("COL_TEST_DATABASE_URL") else "sqlite"
    tiny = ["--sizes=300", "--requests=20", "--whoosh-max=300", f"--databases={kind}"]
    assert discovery.main(tiny) == 0
    rows = json.loads(capsys.readouterr().out.splitlines()[-1].removeprefix("RESULT "))
    backends = {row["backend"]: row for row in rows["discovery"]}
    # Whoosh is built beside SQLite only: its rebuilt index swapped in as the app's job would.
    assert set(backends) == ({"fts5", "whoosh"} if kind == "sqlite" else {"tsvector"})
    for row in backends.values():
        assert row["search_rps"] > 0 and row["typo_rps"] > 0
        assert 0 < row["search_ratio"] < 1
    database = backends["fts5" if kind == "sqlite" else "tsvector"]
    assert database["skill_hit_rps"] > 0 and database["map_pan_reuse_rps"] > 0


def test_the_benchmarks_whoosh_index_holds_the_citys_documents(tmp_path):
    from sqlalchemy.orm import sessionmaker

    from col_core import settings as col_settings
    from col_core.activities.search.query import SearchQuery
    from col_core.activities.search.services.whoosh_backend import WhooshSearch
    from col_core.db import make_engine
    from col_core.plugins import configured_registry
    from col_core.tenancy.models import Tenant
    from col_core.tenancy.scoping import tenant_context

    database = discovery.BenchDatabase("sqlite", 40, tmp_path)
    database.create(configured_registry(col_settings.load()))
    discovery.seed(database, 40, tmp_path / "whoosh", skills=False)
    engine = make_engine(database.url)
    with sessionmaker(bind=engine)() as session:
        city = session.query(Tenant).filter_by(slug="bench").one()
        with tenant_context(session, city):
            whoosh = WhooshSearch(session, city.id, ("en", "lt"), str(tmp_path / "whoosh"))
            everything = whoosh.search(SearchQuery(limit=100))
            # The first document's title's first word, as a learner would type it.
            word = min(everything.hits, key=lambda hit: int(hit.document.key)).document.title
            found = whoosh.search(SearchQuery(text=word.split()[0].lower(), limit=100))
    engine.dispose()
    assert everything.total == 40
    assert found.total > 0
