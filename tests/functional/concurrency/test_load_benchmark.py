"""``python -m benchmarks load`` at a tiny size, so its code path keeps working: a network seeded
on the test run's kind of database (SQLite, or PostgreSQL with COL_TEST_DATABASE_URL; the
benchmark makes and drops a database of its own), gunicorn with two workers driven by wrk on
every route type and the mix, and the race for the last places."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from benchmarks import load

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make wrk)"),
]

TINY = [
    "--cities=2",
    "--activities=100",
    "--learners=200",
    "--race-learners=40",
    "--race-places=5",
    "--duration=2",
    "--requests=300",
    "--lines=40",
    "--workers=2",
    "--connections=4",
]


def test_load_benchmark_serves_every_route_without_errors_and_never_overbooks(capsys):
    kind = "postgresql" if os.environ.get("COL_TEST_DATABASE_URL") else "sqlite"
    assert load.main([*TINY, f"--databases={kind}", "--wrk-on-sqlite"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1].removeprefix("RESULT "))
    for route in ["bare", *load.ROUTES, "mix"]:
        assert result[f"{kind}_{route}_failed"] == 0, route
        assert result[f"{kind}_{route}_socket_errors"] == 0, route
    assert result[f"{kind}_mix_rps"] > 0
    assert result[f"{kind}_race_failed"] == 0
    assert result[f"{kind}_race_overbooked"] == 0
    assert result[f"{kind}_race_joined"] == result[f"{kind}_race_capacity"]
    assert result[f"{kind}_race_waitlisted"] == 40 - 5
