"""``col search reindex`` and the Whoosh backend behind the whole app."""

from __future__ import annotations

import pytest
import webtest
from click.testing import CliRunner
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from col_core.activities.search import bulk
from col_core.activities.search.cli import search
from col_core.activities.search.models import SearchDocumentRow
from col_core.activities.search.query import Document
from col_core.activities.search.services.database import DatabaseSearch
from col_core.app import make_config
from col_core.cli.context import AppContext
from col_core.tenancy.scoping import tenant_context
from col_core.testing.factories import Factories, owner_engine


class BoundAppContext(AppContext):
    """The CLI's context, bound to an already configured app."""

    def __init__(self, config):
        super().__init__(None)
        self._config = config


def titles(response):
    return [item["title"] for item in response.json["items"]]


def test_reindex_rebuilds_a_city_from_its_activities(testapp, app_config, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop")
    with factories.within(city):  # as if the index were lost
        factories.session.execute(delete(SearchDocumentRow))
        factories.session.commit()
    app = testapp.for_tenant(city)
    assert titles(app.get("/api/v1/search", {"q": "dance"})) == []
    result = CliRunner().invoke(
        search,
        ["reindex", "--tenant", "vilnius"],
        obj=BoundAppContext(app_config),
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "vilnius: 1 documents indexed." in result.output
    assert titles(app.get("/api/v1/search", {"q": "dance"})) == ["Dance workshop"]


def test_a_full_rebuild_answers_as_the_index_kept_by_every_write(
    testapp, app_config, factories, activities, monkeypatch
):
    # Any size is large here: on PostgreSQL the rebuild is the bulk one (indexes dropped and
    # built again), as the owner the CLI works as.
    monkeypatch.setattr(bulk, "BULK_MIN", 1)
    city = factories.tenant("vilnius")
    for title in ("Dance workshop", "Dancing in the park", "Robotics lab", "Robot dance"):
        activities(city, title=title)
    app = testapp.for_tenant(city)
    searches = [{"q": "dance"}, {"q": "robot"}, {"q": "danc"}, {"q": "dnace"}, {"q": "park "}]
    kept = [app.get("/api/v1/search", query).json for query in searches]
    assert [len(answer["items"]) for answer in kept] == [4, 2, 4, 4, 1]
    result = CliRunner().invoke(
        search, ["reindex"], obj=BoundAppContext(app_config), catch_exceptions=False
    )
    assert "vilnius: 4 documents indexed." in result.output
    assert [app.get("/api/v1/search", query).json for query in searches] == kept


def test_reindex_in_the_background_is_a_job_per_city(testapp, app_config, factories, activities):
    city = factories.tenant("vilnius")
    activities(city, title="Dance workshop")
    with factories.within(city):
        factories.session.execute(delete(SearchDocumentRow))
        factories.session.commit()
    result = CliRunner().invoke(
        search, ["reindex", "--background"], obj=BoundAppContext(app_config), catch_exceptions=False
    )
    assert result.exit_code == 0 and "vilnius: queued as job" in result.output
    # This suite's queue runs each job as soon as its transaction commits.
    assert titles(testapp.for_tenant(city).get("/api/v1/search", {"q": "dance"})) == [
        "Dance workshop"
    ]


def test_reindex_of_an_unknown_city_says_so(app_config, registry):
    result = CliRunner().invoke(
        search, ["reindex", "--tenant", "atlantis"], obj=BoundAppContext(app_config)
    )
    assert result.exit_code == 2 and "No active city has the slug 'atlantis'" in result.output


@pytest.fixture
def whoosh_config(app_settings, registry):
    config = make_config(None, **{**app_settings, "col.search_backend": "whoosh"})
    config.commit()
    yield config
    config.registry["col.engine"].dispose()


def test_whoosh_app_follows_commits_and_reindexes(whoosh_config, factories, activities):
    city = factories.tenant("vilnius", locales=["en", "lt"])
    app = webtest.TestApp(
        whoosh_config.make_wsgi_app(), extra_environ={"HTTP_HOST": "vilnius.example.test"}
    )
    with Factories(whoosh_config.registry) as whoosh_factories:
        # Written through the Whoosh app's sessions: the index follows after commit.
        activities.using(whoosh_factories)(city, title="Šokių dirbtuvės")
    assert titles(app.get("/api/v1/search", {"q": "sokiu"})) == ["Šokių dirbtuvės"]
    corrected = app.get("/api/v1/search", {"q": "sokiu dirbtves "})
    assert corrected.json["corrected"] == "sokiu dirbtuves"
    assert titles(corrected) == ["Šokių dirbtuvės"]
    # Written by another app (the database one): only a rebuild brings it into Whoosh.
    activities(city, title="Robotics lab")
    assert titles(app.get("/api/v1/search", {"q": "robotics"})) == []
    result = CliRunner().invoke(
        search, ["reindex"], obj=BoundAppContext(whoosh_config), catch_exceptions=False
    )
    assert "vilnius: 2 documents indexed." in result.output
    assert titles(app.get("/api/v1/search", {"q": "robotics"})) == ["Robotics lab"]


@pytest.mark.parametrize(("documents", "loaded"), [(45, True), (44, False)])
def test_a_rebuild_is_a_load_from_half_the_other_cities_size(
    postgresql_engine, registry, factories, monkeypatch, documents, loaded
):
    """Building the indexes again over the whole table costs less than writing half its rows
    into them one by one: a city bringing half as many documents as the others hold is loaded."""
    monkeypatch.setattr(bulk, "BULK_MIN", 1)
    big, new = factories.tenant("vilnius"), factories.tenant("kaunas")
    with owner_engine(registry).connect() as connection:
        session = Session(bind=connection)
        with tenant_context(session, big):
            DatabaseSearch(session, big.id, ("en",)).reindex(
                [Document(kind="activity", key=str(n), title=f"Pottery {n}") for n in range(90)]
            )
        session.execute(text("ANALYZE search_documents"))
        assert bulk.wanted(connection, new.id, documents) is loaded
        connection.rollback()
