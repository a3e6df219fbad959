"""Fixtures for functional tests of the core and of every plugin (the ``col_testing`` plugin)."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pkg_resources
import pytest
import webtest
from pyramid.request import Request, apply_request_extensions

from col_core.app import make_config
from col_core.mail import IMailer
from col_core.plugins import configured_registry
from col_core.scripting import scripted_request
from col_core.tenancy.resolve import clear_tenant_caches
from col_core.testing.database import TestDatabase
from col_core.testing.factories import Factories
from col_core.testing.openapi import assert_matches_openapi
from col_core.testing.people import People

CHROMIUM = Path("/usr/bin/chromium")


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: needs PostgreSQL (COL_TEST_DATABASE_URL)")
    config.addinivalue_line(
        "markers", "smoke: the smoke subset, which the PgBouncer test runs through PgBouncer"
    )
    # pytest (9.2 and later) rewrites the asserts of an editable install's packages, so their
    # modules come from pytest's import hook, which pkg_resources (behind Pyramid's translation
    # and asset lookups) does not know; their files are ordinary files on disk.
    pkg_resources.register_loader_type(
        type(config.pluginmanager.rewrite_hook), pkg_resources.DefaultProvider
    )


@pytest.fixture(scope="session")
def col_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("col")


# Strong enough for production.ini (live tests run it on the test database, whose row-level
# security key derives from this secret); published here, so for tests only.
TEST_SECRET = "test-only--qF8MuhGghDrrJRo2T3UL_TgSrmNlF-66LX9ZwTyFpU"


@pytest.fixture(scope="session")
def col_database(col_workdir):
    plugins = configured_registry({})
    # COL_TEST_PGBOUNCER_PORT: the app's role goes through a PgBouncer on that port, and
    # COL_TEST_DATABASE_NAME: the database of the run that started this one (neither created nor
    # dropped): tests/functional/scaling/test_pgbouncer.py runs the smoke subset so.
    bouncer = os.environ.get("COL_TEST_PGBOUNCER_PORT")
    database = TestDatabase(
        os.environ.get("COL_TEST_DATABASE_URL"),
        col_workdir,
        plugins,
        app_port=int(bouncer) if bouncer else None,
        existing=os.environ.get("COL_TEST_DATABASE_NAME") or None,
    )
    database.create(secret=TEST_SECRET)
    yield database
    database.drop()


@pytest.fixture(scope="session")
def app_settings(col_workdir, col_database):
    return {
        "col.environment": "testing",
        "col.secret": TEST_SECRET,
        "col.data_dir": str(col_workdir / "data"),
        "col.database_url": col_database.url,
        "col.database_owner_url": col_database.owner_url,
        "col.db_role": col_database.role,
        "col.base_domain": "example.test",
        "col.global_hosts": "localhost 127.0.0.1",
        # The same layout under the data directory as the defaults, so `col` commands run in
        # tests (with COL_DATA_DIR) use the very same files as the app.
        "col.storage_dir": str(col_workdir / "data" / "files"),
        "col.outbox_dir": str(col_workdir / "data" / "outbox"),
        "col.whoosh_dir": str(col_workdir / "data" / "whoosh"),
        "col.public_url": "http://example.test",
        # Each job runs right after the commit that wrote it, through the queue's own task, so a
        # test reads the outbox as soon as its request has answered.  The tests of durability
        # (tests/functional/core/test_jobs_*.py) use a real queue and worker instead.
        "col.jobs_queue": "immediate",
        # No idle connections: a test process configures many apps (live servers, commands,
        # other settings), and PostgreSQL allows a hundred connections to the whole machine.
        "col.database_pool": "null",
        # Page views are written when a test flushes them (registry["col.tallies"].flush()).
        "col.tally_seconds": "0",
        # Through PgBouncer in transaction pooling mode: no prepared statements.
        "col.database_pgbouncer": str(bool(os.environ.get("COL_TEST_PGBOUNCER_PORT"))).lower(),
    }


@pytest.fixture(scope="session")
def app_config(app_settings):
    config = make_config(None, **app_settings)
    config.commit()
    return config


@pytest.fixture(scope="session")
def wsgi_app(app_config):
    return app_config.make_wsgi_app()


@pytest.fixture
def registry(app_config, col_database, app_settings):
    """The app's registry, with an empty database and empty outbox and file store."""
    col_database.reset(app_config.registry["col.engine"])
    clear_tenant_caches()  # the database was swapped underneath the app
    app_config.registry["col.tallies"].discard()  # counts of an earlier test's database
    for key in ("col.outbox_dir", "col.storage_dir", "col.whoosh_dir"):
        shutil.rmtree(app_settings[key], ignore_errors=True)
    return app_config.registry


def _engine_on(registry, dialect: str, name: str):
    """The app's engine, or the test skipped in the other database's pass."""
    engine = registry["col.engine"]
    if engine.dialect.name != dialect:
        pytest.skip(f"a {name} test: runs in the suite's {name} pass")
    return engine


@pytest.fixture
def postgresql_engine(registry):
    """The app's engine, logged in as its own role, for tests of PostgreSQL itself (row-level
    security, plans); skipped in the SQLite pass."""
    return _engine_on(registry, "postgresql", "PostgreSQL")


@pytest.fixture
def sqlite_engine(registry):
    """The app's engine, for tests of SQLite itself (plans, FTS5); skipped in the PostgreSQL
    pass."""
    return _engine_on(registry, "sqlite", "SQLite")


@pytest.fixture
def factories(registry):
    with Factories(registry) as made:
        yield made


@pytest.fixture
def people(factories, testapp):
    """Accounts, organisations, activities and signed-in clients (col_core.testing.people)."""
    return People(factories, testapp)


@pytest.fixture
def tenant_request(registry):
    """``with tenant_request(city) as request:`` a request of ``city`` (of no city without
    one) whose transaction commits at the end of the block, as a command's does: the session
    works as the city and links are on its configured origin (``scripted_request``)."""
    return functools.partial(scripted_request, registry)


@pytest.fixture
def testapp(registry, wsgi_app):
    """The whole app through webtest; ``testapp.for_tenant(t)`` browses as that city's host."""
    return TenantTestApp(wsgi_app, extra_environ={"HTTP_HOST": "example.test"})


@pytest.fixture
def make_testapp(registry, app_settings):
    """``make_testapp(**settings)``: the whole app built with other settings (a public URL, the
    environment...) on the same database, through webtest at the bare host."""
    built = []

    def make(**overrides) -> TenantTestApp:
        config = make_config(None, **{**app_settings, **overrides})
        config.commit()
        built.append(config)
        return TenantTestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "example.test"})

    yield make
    for config in built:
        config.registry["col.engine"].dispose()


@pytest.fixture
def live_server(registry, app_settings):
    """``live_server(**settings)``: the app on a real server (``col_core.testing.live``), its
    public URL on the server's origin; ``.origin``, ``.city(tenant)``, ``.wsgi_app``."""
    from col_core.testing.live import LiveServer

    started = []

    def start(**overrides) -> LiveServer:
        started.append(LiveServer(app_settings, **overrides))
        return started[-1]

    yield start
    for server in started:
        server.close()


def offline_page(context, origin: str, cookie=None):
    """A page of the browser ``context`` that reaches only ``origin`` (a live server; anything
    else is aborted: tests never use the internet), signed in with ``cookie``, a browser
    session's ``(name, value, ...)`` (API tokens reach only the API)."""
    if cookie:
        context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": origin}])
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(origin) else route.abort(),
    )
    return page


@pytest.fixture
def chromium():
    """Debian's Chromium through Playwright, headless (never a downloaded browser build)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def outbox(registry):
    """The real on-disk outbox the app's mailer writes to (``outbox.messages()``)."""
    request = Request.blank("/")
    request.registry = registry
    apply_request_extensions(request)  # find_service comes from pyramid_services' extension
    return request.find_service(IMailer)


@pytest.fixture
def openapi(registry):
    """``openapi(response)`` fails unless the response matches the app's OpenAPI document."""
    spec = registry["col.openapi"].document()

    def check(response):
        assert_matches_openapi(response, spec)
        return response

    check.spec = spec
    return check


def col_environment(app_settings: dict, col_database) -> dict[str, str]:
    """The ``COL_*`` variables of a `col` command (or process) working on the test database and
    files, as the app of the test run is configured."""
    return {
        "COL_DATABASE_URL": col_database.url,
        "COL_DB_ROLE": col_database.role,
        "COL_DATABASE_OWNER_URL": col_database.owner_url,
        "COL_DATA_DIR": app_settings["col.data_dir"],
        "COL_SECRET": app_settings["col.secret"],
        "COL_BASE_DOMAIN": app_settings["col.base_domain"],
        "COL_PUBLIC_URL": app_settings["col.public_url"],
        "COL_GLOBAL_HOSTS": app_settings["col.global_hosts"],
    }


@pytest.fixture
def run_col(registry, app_settings, col_database, monkeypatch):
    """``run_col("tenant", "list", "--json")`` runs the real ``col`` command on the test database."""
    from click.testing import CliRunner

    from col_core.cli import cli, with_plugin_commands

    environment = {
        **col_environment(app_settings, col_database),
        "COL_JOBS_QUEUE": app_settings["col.jobs_queue"],
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    command = with_plugin_commands(cli)

    def run(*args, input=None):
        result = CliRunner().invoke(command, list(args), input=input, catch_exceptions=False)
        registry["col.engine"].dispose()
        return result

    return run


class TenantTestApp(webtest.TestApp):
    def for_tenant(self, tenant, **environ) -> TenantTestApp:
        """A client that browses ``tenant``'s site by its subdomain (a fresh cookie jar)."""
        host = "example.test" if tenant.is_global else f"{tenant.slug}.example.test"
        return TenantTestApp(self.app, extra_environ={"HTTP_HOST": host, **environ})


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 endpoint (moto's standalone server in its own process) for the test run."""
    from col_core.testing.s3 import S3Server

    server = S3Server().start()
    yield server
    server.stop()


@pytest.fixture
def file_storage(request, app_config, monkeypatch):
    """The app's file storage for this test, "local" (the default) or "s3" (a fresh bucket on
    ``s3_server``), by ``@pytest.mark.parametrize("file_storage", [...], indirect=True)``: the
    running app, ``registry.settings`` and `col` commands (``run_col``) all use it."""
    from col_core.storage import IFileStorage, storage_factory

    kind = getattr(request, "param", "local")
    registry = app_config.registry
    original = storage_factory(registry.settings)
    if kind == "s3":
        server = request.getfixturevalue("s3_server")
        settings = server.bucket()
        for name, value in settings.items():
            monkeypatch.setitem(registry.settings, name, value)
        for name, value in server.environment(settings).items():
            monkeypatch.setenv(name, value)
    storage = storage_factory(registry.settings)
    app_config.register_service(storage, IFileStorage)
    app_config.commit()
    yield storage
    app_config.register_service(original, IFileStorage)
    app_config.commit()
