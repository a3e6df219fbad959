"""A real, migrated database for a test run, reset between tests.

SQLite: migrated once into a template file, copied over the test database before each test.
PostgreSQL: a fresh database per run (dropped at the end), truncated between tests; the app works
as an ordinary role so row-level security is exercised by every functional test.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url, text

from col_core.db import make_engine
from col_core.db import migrate
from col_core.db.meta import metadata

APP_ROLE = "col_app_test"


class TestDatabase:
    __test__ = False  # a helper, not a test class
    def __init__(self, base_url: str | None, workdir: Path, plugins):
        self.plugins = plugins
        self.workdir = workdir
        self.admin_url = None
        if base_url:
            url = make_url(base_url).set(drivername="postgresql+psycopg")
            self.name = f"col_test_{uuid.uuid4().hex[:12]}"
            self.admin_url = url
            self.url = url.set(database=self.name).render_as_string(hide_password=False)
            self.role = APP_ROLE
        else:
            self.path = workdir / "test.sqlite"
            self.template = workdir / "template.sqlite"
            self.url = f"sqlite:///{self.path}"
            self.role = ""

    @property
    def is_postgresql(self) -> bool:
        return self.admin_url is not None

    def create(self) -> None:
        if self.admin_url is not None:  # on PostgreSQL
            server = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
                exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                           {"r": self.role})
                if not exists:
                    try:
                        connection.execute(text(
                            f'CREATE ROLE "{self.role}" NOLOGIN NOSUPERUSER NOBYPASSRLS'))
                    except Exception:  # another test run created it at the same moment
                        pass
            server.dispose()
            engine = make_engine(self.url)
            with engine.begin() as connection:
                migrate.upgrade(connection, self.plugins, role=self.role)
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
            engine = make_engine(self.url)
            with engine.begin() as connection:
                existing = set(inspect(connection).get_table_names())
                tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables
                                   if t.name in existing)
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            engine.dispose()
        else:
            # A new file (not overwritten in place), so a stray connection cannot corrupt it.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(self.template, self.path)

    def drop(self) -> None:
        if self.admin_url is not None:  # on PostgreSQL
            server = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            server.dispose()
