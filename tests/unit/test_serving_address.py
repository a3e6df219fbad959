"""The address a running ``col demo``/``col serve`` records for the commands beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from col_core.cli import address
from col_core.cli.context import AppContext

DATABASE = "sqlite:////tmp/demo/col.sqlite"


@pytest.fixture
def unconfigured(tmp_path, monkeypatch):
    """A `col` configuration as `make demo` has: a data directory, no public URL."""
    for name in list(os.environ):
        if name.startswith("COL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COL_DATA_DIR", str(tmp_path))
    return tmp_path


def test_a_record_is_read_while_its_server_runs_and_removed_after(tmp_path):
    with address.recorded(tmp_path, "http://localhost:6611", DATABASE) as path:
        assert json.loads(path.read_text())["pid"] == os.getpid()
        assert DATABASE not in path.read_text()  # a digest: URLs may hold passwords
        assert address.serving_url(tmp_path, DATABASE) == "http://localhost:6611"
    assert not path.exists()
    assert address.serving_url(tmp_path, DATABASE) is None


def test_a_record_of_another_database_is_ignored(tmp_path):
    with address.recorded(tmp_path, "http://localhost:6611", DATABASE):
        assert address.serving_url(tmp_path, "sqlite:////elsewhere/col.sqlite") is None


def test_a_record_left_by_a_killed_server_is_ignored(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    ).stdout.strip()
    record = {
        "public_url": "http://localhost:6611",
        "database": address.database_digest(DATABASE),
        "pid": int(dead),
        "host": __import__("socket").gethostname(),
    }
    address.record_path(tmp_path).write_text(json.dumps(record))
    assert address.serving_url(tmp_path, DATABASE) is None
    record["pid"], record["host"] = os.getpid(), "another-machine"
    address.record_path(tmp_path).write_text(json.dumps(record))
    assert address.serving_url(tmp_path, DATABASE) is None
    address.record_path(tmp_path).write_text("not json")
    assert address.serving_url(tmp_path, DATABASE) is None


def test_commands_beside_a_server_use_its_address(unconfigured):
    server = AppContext(None)
    server.serve_on(6611)
    with server.served():
        beside = AppContext(None)
        assert beside.settings["col.public_url"] == "http://localhost:6611"
    after = AppContext(None)
    assert after.settings["col.public_url"] == "http://localhost:6543"
    for context in (server, beside, after):
        context.close()


def test_a_configured_public_url_wins_and_is_never_recorded(unconfigured, monkeypatch):
    with address.recorded(unconfigured, "http://localhost:6611", DATABASE):
        monkeypatch.setenv("COL_DATABASE_URL", DATABASE)
        monkeypatch.setenv("COL_PUBLIC_URL", "https://learn.example.org")
        beside = AppContext(None)
        assert beside.settings["col.public_url"] == "https://learn.example.org"
        beside.close()
    server = AppContext(None)
    server.serve_on(6611)
    with server.served():
        assert not address.record_path(unconfigured).exists()
    server.close()
