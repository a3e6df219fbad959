"""Reads on a real streaming replica, and no stale read for the person who just wrote.

A primary of the test's own and its hot standby (``pg_basebackup -R``, clusters.py) serve an app
configured with ``col.database_replica_urls``.  Replaying the primary's changes on the standby is
paused in the middle, so what the standby serves is visibly behind: an anonymous read of a public
page comes from it, while the learner who has just joined reads the primary.  Runs in the
PostgreSQL pass of the suite (docs/deployment.md, "PostgreSQL beyond one server").
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.pool import NullPool

from col_core.app import make_config
from col_core.db.replicas import ENGINES, REPLICA_COOKIE
from col_core.plugins import configured_registry
from col_core.tenancy.resolve import clear_tenant_caches
from col_core.testing.database import TestDatabase
from col_core.testing.factories import Factories
from col_core.testing.people import People
from col_core.testing.pytest_plugin import TEST_SECRET, TenantTestApp

from .clusters import caught_up, scalar, streaming_pair


class Replicated:
    """The app on the primary and its standby, with a count of the statements each ran."""

    def __init__(self, primary, standby, registry, people):
        self.primary, self.standby = primary, standby
        self.registry, self.people = registry, people
        self.on_replica: list[str] = []
        replica = registry[ENGINES][0]
        event.listen(replica, "before_cursor_execute", self._count)

    def _count(self, connection, cursor, statement, *args) -> None:
        self.on_replica.append(statement)

    def replay(self, go_on: bool) -> None:
        verb = "resume" if go_on else "pause"
        scalar(self.standby.url, f"SELECT pg_wal_replay_{verb}()::text")


@pytest.fixture
def postgresql_pass():
    if not os.environ.get("COL_TEST_DATABASE_URL"):
        pytest.skip("a PostgreSQL test: runs in the suite's PostgreSQL pass")


@pytest.fixture
def replicated(postgresql_pass, app_settings, col_workdir):
    with streaming_pair() as (primary, standby):
        database = TestDatabase(primary.url, col_workdir, configured_registry({}))
        database.create(secret=TEST_SECRET)
        replica_url = make_url(database.url).set(port=standby.port)
        settings = {
            **app_settings,
            "col.database_url": database.url,
            "col.database_owner_url": database.owner_url,
            "col.database_replica_urls": replica_url.render_as_string(hide_password=False),
        }
        config = make_config(None, **settings)
        config.commit()
        clear_tenant_caches()  # cities of the suite's database are not this one's
        testapp = TenantTestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "x.test"})
        with Factories(config.registry) as factories:
            yield Replicated(primary, standby, config.registry, People(factories, testapp))
        for engine in (config.registry["col.engine"], *config.registry[ENGINES]):
            engine.dispose()
        config.registry.get("col.testing.owner_engine", config.registry["col.engine"]).dispose()
        clear_tenant_caches()


def test_public_reads_come_from_the_replica_and_a_writer_reads_the_primary(replicated):
    people = replicated.people
    city = people.factories.tenant(f"replicated-{uuid.uuid4().hex[:8]}")
    activity = people.activity(city, people.organisation(city, "Lab"), title="Replicated lab")
    learner = people.user("learner")
    writer = people.client(city, learner)
    caught_up(replicated.primary, replicated.standby)
    # The app's replica engine reaches the standby, its own engine the primary.
    for engine, standby in (
        (replicated.registry[ENGINES][0], True),
        (replicated.registry["col.engine"], False),
    ):
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_is_in_recovery()")) is standby
    page = f"/api/v1/activities/{activity.id}"

    # A public read (the API's activity, the search, the page itself) is served by the standby,
    # row-level security bound there as on the primary.
    anonymous = people.testapp.for_tenant(city)
    for read in (
        lambda: anonymous.get(page).json["title"] == "Replicated lab",
        lambda: anonymous.get("/api/v1/search", {"q": "replicated"}).json["total"] == 1,
        lambda: "Replicated lab" in anonymous.get(f"/activities/{activity.id}").text,
    ):
        seen = len(replicated.on_replica)
        assert read()
        assert any("col_bind_tenant" in s for s in replicated.on_replica[seen:])
        assert len(replicated.on_replica) > seen + 1
    # A person's own pages are not declared replica reads: the primary serves them.
    seen = len(replicated.on_replica)
    assert writer.get("/api/v1/me").json["id"] == learner.id
    assert len(replicated.on_replica) == seen

    # The standby falls behind: nothing the primary writes from now on reaches it.
    replicated.replay(go_on=False)
    try:
        joined = writer.post(f"{page}/participation")
        assert joined.status_int < 300
        assert REPLICA_COOKIE in writer.cookies  # this browser wrote: the primary for a while
        # The learner sees their join at once (read from the primary, not the stale standby)...
        seen = len(replicated.on_replica)
        assert "join_url" in writer.get(page).json
        assert len(replicated.on_replica) == seen
        # ...while the same person in a browser that wrote nothing reads the standby, behind.
        other_tab = people.testapp.for_tenant(city)
        other_tab.set_cookie(*writer.session_cookie)
        assert "join_url" not in other_tab.get(page).json
        assert len(replicated.on_replica) > seen
    finally:
        replicated.replay(go_on=True)
    caught_up(replicated.primary, replicated.standby)
    assert "join_url" in other_tab.get(page).json

    # A standby that goes down is left out: the read that finds it down runs again on the
    # primary, and so do the next ones.
    replicated.standby.stop()
    assert anonymous.get(page).json["title"] == "Replicated lab"
    assert anonymous.get(page).json["title"] == "Replicated lab"


def test_a_standby_caught_up_has_the_last_commit(postgresql_pass):
    # The servers commit asynchronously: a commit may still be in the primary's WAL buffers,
    # on a page the WAL writer has not written yet, when ``caught_up`` is asked.
    with streaming_pair() as (primary, standby):
        engine = create_engine(primary.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE written (n integer)")
            for n in range(5):
                connection.exec_driver_sql(f"INSERT INTO written VALUES ({n})")
                caught_up(primary, standby)
                assert scalar(standby.url, "SELECT count(*) FROM written WHERE n = :n", n=n) == 1
        engine.dispose()
