"""PgBouncer in transaction pooling mode in front of the primary (Debian's pgbouncer 1.18).

In transaction pooling a client's consecutive transactions may run on different server
connections, so nothing of the application may outlive a transaction on the server: the
row-level security binding is transaction-local and carries a per-transaction nonce, locks are
``pg_advisory_xact_lock``, nothing LISTENs, and with ``col.database_pgbouncer`` psycopg prepares
no statements (PgBouncer before 1.21 cannot route them).  The suite's smoke subset (tests marked
``smoke``) runs with the app's role going through a PgBouncer of the test's own, the owner and
the administrator connecting directly, as docs/deployment.md has production do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from col_core.db import make_engine
from col_core.testing.database import APP_PASSWORD, APP_ROLE

from .clusters import pgbouncer

ROOT = Path(__file__).resolve().parents[3]
SMOKE_SECONDS = 240


def smoke_files() -> list[str]:
    """The test modules holding tests marked ``smoke``."""
    return sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("test_*.py")
        if "@pytest.mark.smoke" in path.read_text() and path.name != Path(__file__).name
    )


@pytest.fixture
def server_port():
    base = os.environ.get("COL_TEST_DATABASE_URL")
    if not base:
        pytest.skip("a PostgreSQL test: runs in the suite's PostgreSQL pass")
    if os.environ.get("COL_TEST_PGBOUNCER_PORT"):
        pytest.skip("already running through PgBouncer")
    return make_url(base).port or 5432


@pytest.fixture
def bouncer(server_port):
    with pgbouncer(server_port, {"postgres": "", APP_ROLE: APP_PASSWORD}) as port:
        yield port


def test_the_engine_prepares_nothing_and_transactions_interleave(bouncer, server_port):
    """Two connections of one engine, each running the same statement far more often than
    psycopg's threshold (5) in transactions that PgBouncer deals to any server connection."""
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{bouncer}/postgres", pgbouncer=True)
    try:
        with engine.connect() as first, engine.connect() as second:
            assert first.connection.dbapi_connection.prepare_threshold is None
            for number in range(20):
                for connection in (first, second):
                    with connection.begin():
                        assert (
                            connection.execute(text("SELECT :n + 1"), {"n": number}).scalar_one()
                            == number + 1
                        )
    finally:
        engine.dispose()


def test_the_smoke_subset_passes_through_pgbouncer(bouncer, col_database):
    """On this run's database (migrated already), which the smoke run resets as it goes."""
    files = smoke_files()
    assert len(files) >= 5, files
    environment = {
        **os.environ,
        "COL_TEST_PGBOUNCER_PORT": str(bouncer),
        "COL_TEST_DATABASE_NAME": col_database.name,
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "smoke", "-q", "-p", "no:randomly", "-p",
         "no:cacheprovider", "-x", *files],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=SMOKE_SECONDS,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout.split("\n")[-2]
