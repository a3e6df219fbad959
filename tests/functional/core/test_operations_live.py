"""Operations as production runs them: gunicorn with two worker processes adding up their
metrics (prometheus-client's multiprocess mode) and writing JSON log lines, and ``col doctor``
as a process on production.ini with the COL_* environment, good and bad."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from col_core.testing.servers import Gunicorn, burst, free_port

from .jobs_testing import SmtpSink

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[3]
PRODUCTION_INI = REPOSITORY / "production.ini"
COL = Path(sys.executable).parent / "col"
REQUESTS = 24


def get(port: int, path: str, request_id: str | None = None) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Connection": "close", **({"X-Request-ID": request_id} if request_id else {})}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def totals(text: str, name: str, **labels) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def test_two_gunicorn_workers_add_up_their_metrics_and_log_json(
    registry, factories, app_settings, tmp_path, monkeypatch
):
    factories.global_site()
    factories.tenant("vilnius")
    multiprocess_dir = tmp_path / "prometheus"
    multiprocess_dir.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(multiprocess_dir))
    server = Gunicorn(
        {**app_settings, "col.log_format": "json"},
        tmp_path / "gunicorn",
        workers=2,
        own_origin=True,
    )
    try:
        # At the same moment: while one sync worker is busy, the other takes the connection.
        replies = burst(
            [lambda i=i: get(server.port, "/t/vilnius/", f"load-{i}") for i in range(REQUESTS)]
        )
        assert [status for status, _, _ in replies] == [200] * REQUESTS, replies
        assert {headers["X-Request-ID"] for _, headers, _ in replies} == {
            f"load-{i}" for i in range(REQUESTS)
        }
        pids = {
            re.fullmatch(r"counter_(\d+)\.db", path.name)[1]
            for path in multiprocess_dir.glob("counter_*.db")
        }
        assert len(pids) == 2, "both workers should have served some of the burst"
        # Whichever worker answers the scrape, it reports every worker's requests.
        for _ in range(4):
            status, _, text = get(server.port, "/metrics")
            assert status == 200
            assert totals(text, "col_http_requests_total", route="home", status="200") == REQUESTS
            assert totals(text, "col_http_request_duration_seconds_count", route="home") == REQUESTS
            assert totals(text, "col_tenant_requests_total", tenant="vilnius") == REQUESTS
            assert totals(text, "col_jobs_readable") == 1
        log = server.output()
    finally:
        server.close()
    records = []
    for line in log.splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))  # every line of ours is one JSON object
    access = {
        record["request_id"]: record for record in records if record["logger"] == "col_core.access"
    }
    for i in range(REQUESTS):
        record = access[f"load-{i}"]
        assert record["tenant"] == "vilnius"
        assert record["status"] == 200 and record["route"] == "home"
        assert record["level"] == "INFO" and "timestamp" in record


def doctor(environment: dict, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(COL), "--config", str(PRODUCTION_INI), "doctor", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_environment(tmp_path: Path, **settings) -> dict:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("COL_")}
    environment.update(
        {
            "COL_DATA_DIR": str(tmp_path / "data"),
            "COL_BASE_DOMAIN": "example.test",
            "COL_MAILER": "col_core.mail.SMTPMailer",
            "COL_SMTP_HOST": "127.0.0.1",
            "COL_SMTP_CONNECT_TIMEOUT": "5",
            "COL_SMTP_TIMEOUT": "5",
        }
    )
    environment.update(settings)
    return environment


def statuses(result: subprocess.CompletedProcess) -> dict:
    return {check["check"]: check["status"] for check in json.loads(result.stdout)["checks"]}


def test_doctor_passes_a_good_production_configuration(registry, col_database, tmp_path):
    sink = SmtpSink()
    sink.accept()
    try:
        environment = production_environment(
            tmp_path,
            COL_SECRET=secrets.token_urlsafe(48),
            COL_PUBLIC_URL="https://example.test",
            COL_DATABASE_URL=col_database.url,
            COL_DB_ROLE=col_database.role,
            COL_SMTP_PORT=str(sink.port),
            COL_JOBS_QUEUE=os.environ.get("COL_TEST_REDIS_URL")
            or f"sqlite:///{tmp_path / 'jobs.sqlite'}",
        )
        result = doctor(environment, "--json")
        text = doctor(environment)
    finally:
        sink.close()
    assert result.returncode == 0, result.stdout + result.stderr
    found = statuses(result)
    assert found["secret"] == found["public_url"] == found["https"] == "OK"
    assert found["migrations"] == found["mail"] == found["storage"] == found["webhooks"] == "OK"
    # SQLite works in production, on one machine: a warning, not a failure.
    assert found["database"] == ("OK" if col_database.is_postgresql else "WARN")
    assert found["queue"] in ("OK", "WARN")
    assert json.loads(result.stdout)["environment"] == "production"
    assert text.returncode == 0 and "No check failed." in text.stdout
    assert not sink.received  # asked, never sent


def test_doctor_names_every_failure_and_what_to_fix(registry, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "files").write_text("a file where the storage directory should be")
    environment = production_environment(
        tmp_path,
        COL_SECRET="x",
        COL_PUBLIC_URL="http://example.test",
        COL_DATABASE_URL=f"postgresql://col:hunter2@127.0.0.1:{free_port()}/col",
        COL_SMTP_PORT=str(free_port()),
        COL_JOBS_QUEUE=f"redis://127.0.0.1:{free_port()}/0",
        COL_WEBHOOKS_ALLOW_PRIVATE="true",
    )
    result = doctor(environment, "--json")
    # The server refuses this configuration; the doctor still judges all of it.
    assert result.returncode == 1, result.stderr
    assert statuses(result) == {
        "secret": "FAIL",
        "public_url": "OK",
        "https": "FAIL",
        "database": "FAIL",
        "queue": "FAIL",
        "mail": "FAIL",
        "storage": "FAIL",
        "webhooks": "FAIL",
    }
    checks = {check["check"]: check for check in json.loads(result.stdout)["checks"]}
    assert "token_urlsafe" in checks["secret"]["fix"]
    assert "col db upgrade" not in checks["database"]["fix"]
    assert "COL_DATABASE_URL" in checks["database"]["fix"]
    assert "COL_SMTP_HOST" in checks["mail"]["fix"]
    assert "COL_WEBHOOKS_ALLOW_PRIVATE" in checks["webhooks"]["fix"]
    text = doctor(environment)
    assert text.returncode == 1
    assert text.stdout.count("FAIL") == 7 and text.stdout.count("fix: ") == 7
    assert "7 check(s) failed." in text.stdout
    assert "Traceback" not in text.stderr


def test_doctor_says_to_migrate_an_empty_database(run_col, monkeypatch, tmp_path):
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    monkeypatch.setenv("COL_DATABASE_URL", f"sqlite:///{empty}")
    monkeypatch.setenv("COL_DB_ROLE", "")
    result = run_col("doctor", "--json")
    assert result.exit_code == 1
    found = {check["check"]: check for check in json.loads(result.output)["checks"]}
    assert found["migrations"]["status"] == "FAIL"
    assert "col db upgrade" in found["migrations"]["fix"]
    assert found["database"]["status"] == "OK"  # development: SQLite is the default
