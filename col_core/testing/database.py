"""A real, migrated database for a test run, reset between tests.

SQLite: migrated once into a template file, copied over the test database before each test.
PostgreSQL: a fresh database per run (dropped at the end), truncated between tests.  As in
production (docs/deployment.md), the app logs in as an ordinary role of its own (``col_app_test``,
created here when the server has none) while migrations run as the server's administrator, so
row-level security is exercised by every functional test and the app cannot switch it off.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, text

from col_core.db import make_engine, migrate
from col_core.db.meta import metadata

APP_ROLE = "col_app_test"
# Only a test server's role: the tests' app logs in with it (trust or password authentication).
APP_PASSWORD = "col_app_test"


class TestDatabase:
    __test__ = False  # a helper, not a test class

    def __init__(
        self,
        base_url: str | None,
        workdir: Path,
        plugins,
        app_port: int | None = None,
        existing: str | None = None,
    ):
        """``app_port``: the app's role reaches the server through a PgBouncer on this port of
        the same host (the owner and the administrator connect directly, as in production).
        ``existing``: the name of a migrated test database to use (another test run's, which
        waits for this one), neither created nor dropped here."""
        self.plugins = plugins
        self.workdir = workdir
        self.admin_url = None
        self.existing = existing
        if base_url:
            url = make_url(base_url).set(drivername="postgresql+psycopg")
            self.name = existing or f"col_test_{uuid.uuid4().hex[:12]}"
            self.admin_url = url
            self.owner_url = url.set(database=self.name).render_as_string(hide_password=False)
            self.url = url.set(
                database=self.name,
                username=APP_ROLE,
                password=APP_PASSWORD,
                port=app_port or url.port,
            ).render_as_string(hide_password=False)
            self.role = APP_ROLE
        else:
            self.path = workdir / "test.sqlite"
            self.template = workdir / "template.sqlite"
            self.url = self.owner_url = f"sqlite:///{self.path}"
            self.role = ""

    @property
    def is_postgresql(self) -> bool:
        return self.admin_url is not None

    def _create_role(self, connection) -> None:
        """The app's role, as docs/deployment.md has operators create it: it may log in and
        do nothing else; `col db upgrade` grants it the tables' rows."""
        attributes = (
            f"LOGIN PASSWORD '{APP_PASSWORD}' NOSUPERUSER NOBYPASSRLS NOCREATEDB "
            "NOCREATEROLE NOINHERIT"
        )
        # Roles belong to the whole server: parallel test workers (and parallel runs) creating
        # or altering the same role at once fail with "tuple concurrently updated", so they
        # take turns under an advisory lock.
        connection.execute(text("SELECT pg_advisory_lock(hashtext(:r))"), {"r": self.role})
        try:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": self.role}
            )
            # A role left by an older run (NOLOGIN, once) gets today's attributes.
            verb = "ALTER" if exists else "CREATE"
            connection.execute(text(f'{verb} ROLE "{self.role}" {attributes}'))
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtext(:r))"), {"r": self.role})

    def create(self, secret: str = "") -> None:
        if self.existing:
            return
        if self.admin_url is not None:  # on PostgreSQL
            server = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
                self._create_role(connection)
            server.dispose()
            engine = make_engine(self.owner_url)
            with engine.begin() as connection:
                migrate.upgrade(connection, self.plugins, role=self.role, secret=secret)
            engine.dispose()
        else:
            engine = make_engine(f"sqlite:///{self.template}")
            with engine.begin() as connection:
                migrate.upgrade(connection, self.plugins)
            engine.dispose()

    def reset(self, app_engine) -> None:
        """Give the next test an empty, migrated database."""
        app_engine.dispose()
        if self.is_postgresql:
            engine = make_engine(self.owner_url)
            with engine.begin() as connection:
                _empty_postgresql(connection)
            engine.dispose()
        else:
            # A new file (not overwritten in place), so a stray connection cannot corrupt it.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.template, self.path)

    def drop(self) -> None:
        if self.admin_url is None or self.existing:
            return  # SQLite, or a database this run did not make
        server = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        drop = text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        with server.connect() as connection:
            connection.execute(drop)
        server.dispose()


def _empty_postgresql(connection) -> None:
    """Delete the rows of the tables a test wrote to, children first, and restart the sequences
    it used.  Truncating every table instead gives each of them new files, two seconds a test."""
    # Row-level security never hides a row from these statements: they fail rather than leave
    # rows behind (a superuser, as the suite's owner usually is, is not subject to it anyway).
    connection.execute(text("SET LOCAL row_security = off"))
    existing = set(inspect(connection).get_table_names())
    tables = [table.name for table in metadata.sorted_tables if table.name in existing]
    holding = set(
        connection.scalars(
            text(
                " UNION ALL ".join(
                    f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\")" for name in tables
                )
            )
        )
    )
    for name in reversed(tables):
        if name in holding:
            connection.execute(text(f'DELETE FROM "{name}"'))
    # The sequences numbering the rows of those tables, restarted when a test drew from them.
    used = connection.scalars(
        text(
            "SELECT sequence.relname FROM pg_class sequence"
            " JOIN pg_depend owner ON owner.objid = sequence.oid AND owner.deptype IN ('a', 'i')"
            " JOIN pg_class owning ON owning.oid = owner.refobjid"
            " JOIN pg_sequences drawn ON drawn.sequencename = sequence.relname"
            " AND drawn.schemaname = current_schema()"
            " WHERE sequence.relkind = 'S' AND owning.relname = ANY(:tables)"
            " AND drawn.last_value IS NOT NULL"
        ),
        {"tables": tables},
    )
    for sequence in list(used):
        connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
