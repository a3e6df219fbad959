"""Operations through webtest: /healthz, /readyz (with a database that is really unreachable and
a storage that really cannot be written), /metrics and who may read it, request ids."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event

from col_core.db.meta import utcnow
from col_core.jobs.models import Job
from col_core.testing.servers import free_port

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


def samples(text: str) -> dict:
    """``{(name, frozenset(labels)): value}`` of a Prometheus text exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels) -> float | None:
    return found.get((name, frozenset(labels.items())))


@pytest.fixture
def city(factories):
    factories.global_site()
    return factories.tenant("vilnius")


def test_healthz_is_the_process_alone(testapp, city):
    for client, path in (
        (testapp, "/healthz"),
        (testapp.for_tenant(city), "/healthz"),
        (testapp, "/t/vilnius/healthz"),
    ):
        response = client.get(path)  # never redirected to the city's own address
        assert response.json == {"status": "ok"}
        assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_database_queue_and_storage_answer(testapp, city):
    for client, path in (
        (testapp, "/readyz"),
        (testapp.for_tenant(city), "/readyz"),
        (testapp, "/t/vilnius/readyz"),
    ):
        body = client.get(path).json
        assert body["status"] == "ready"
        assert {name: check["status"] for name, check in body["checks"].items()} == {
            "database": "ok",
            "queue": "ok",
            "storage": "ok",
        }


def test_an_unreachable_database_is_a_503_that_names_it_and_leaks_nothing(make_testapp, city):
    port = free_port()  # nothing listens there: connections are refused
    app = make_testapp(
        **{"col.database_url": f"postgresql://col:hunter2@127.0.0.1:{port}/col", "col.db_role": ""}
    )
    # The process is up: liveness does not depend on the database.
    assert app.get("/healthz").json == {"status": "ok"}
    response = app.get("/readyz", status=503)
    body = response.json
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "status": "fail",
        "error": "OperationalError",
        "seconds": body["checks"]["database"]["seconds"],
    }
    assert body["checks"]["queue"]["status"] == body["checks"]["storage"]["status"] == "ok"
    for secret in ("hunter2", str(port), "postgresql", "127.0.0.1", "col:"):
        assert secret not in response.text
    # Metrics still answer, and say the jobs table could not be read.
    found = samples(app.get("/metrics", extra_environ=LOCAL).text)
    assert value(found, "col_jobs_readable") == 0


def test_a_storage_that_cannot_be_written_is_a_503(make_testapp, city, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    app = make_testapp(**{"col.storage_dir": str(blocker / "files")})
    body = app.get("/readyz", status=503).json
    assert body["checks"]["storage"]["status"] == "fail"
    assert body["checks"]["storage"]["error"] in ("FileExistsError", "NotADirectoryError")
    assert body["checks"]["database"]["status"] == "ok"


def test_operations_gets_write_nothing_to_the_database(testapp, registry, city):
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    engine = registry["col.engine"]
    event.listen(engine, "before_cursor_execute", remember)
    try:
        testapp.get("/readyz")
        testapp.get("/metrics", extra_environ=LOCAL)
        testapp.for_tenant(city).get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert statements  # the readiness check and the job gauges did ask the database
    assert not {"INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER"} & set(statements)


def test_a_sane_request_id_is_kept_and_any_other_replaced(testapp, city):
    kept = testapp.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42:abc"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a.42:abc"
    for bad in ("has space", "x" * 200, "<script>", "", "ąžuolas"):
        response = testapp.get("/healthz", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    # Every response carries one, error pages included, each different.
    first = testapp.for_tenant(city).get("/no-such-page", status=404).headers["X-Request-ID"]
    second = testapp.for_tenant(city).get("/no-such-page", status=404).headers["X-Request-ID"]
    assert first != second


def test_metrics_count_requests_by_route_name_status_and_city(make_testapp, city):
    app = make_testapp()
    city_app = app.for_tenant(city)
    city_app.get("/")
    city_app.get("/")
    city_app.get("/activities/does-not-exist-4711", status=404)
    app.get("/healthz")
    app.get("/", headers={"Host": "nowhere.invalid"}, status=400)
    text = app.get("/metrics", extra_environ=LOCAL).text
    found = samples(text)
    assert value(found, "col_http_requests_total", route="home", method="GET", status="200") == 2
    assert (
        value(
            found, "col_http_requests_total", route="operations.health", method="GET", status="200"
        )
        == 1
    )
    assert value(found, "col_http_request_duration_seconds_count", route="home", method="GET") == 2
    assert value(found, "col_tenant_requests_total", tenant="vilnius") == 3
    # Paths never become labels: one series for every page that is not there.
    assert "does-not-exist-4711" not in text
    assert "nowhere.invalid" not in text
    statuses = {labels for (name, labels) in found if name == "col_http_requests_total"}
    assert frozenset({("route", "none"), ("method", "GET"), ("status", "400")}) in statuses


def test_job_gauges_read_the_jobs_table(make_testapp, factories, city):
    now = utcnow()
    with factories.within(city):
        factories.save(
            Job(
                kind="mail",
                status="pending",
                attempts=0,
                max_attempts=12,
                run_after=now - dt.timedelta(minutes=5),
            ),
            Job(
                kind="mail",
                status="pending",
                attempts=3,
                max_attempts=12,
                run_after=now + dt.timedelta(minutes=5),
            ),
            Job(kind="mail", status="failed", attempts=12, max_attempts=12, last_error="x"),
            Job(kind="search.reindex", status="done", attempts=1, max_attempts=12),
        )
    found = samples(make_testapp().get("/metrics", extra_environ=LOCAL).text)
    assert value(found, "col_jobs_readable") == 1
    assert value(found, "col_jobs", kind="mail", status="pending") == 2
    assert value(found, "col_jobs", kind="mail", status="failed") == 1
    assert value(found, "col_jobs", kind="mail", status="running") == 0
    assert value(found, "col_jobs", kind="search.reindex", status="done") == 1
    assert value(found, "col_jobs_retrying", kind="mail") == 1
    assert 290 < value(found, "col_jobs_oldest_due_seconds") < 600
    assert value(found, "col_jobs_queue_length") == 0


def test_metrics_only_for_allowed_networks_or_the_bearer_secret(make_testapp, city):
    app = make_testapp()
    assert app.get("/metrics", extra_environ=LOCAL).status_int == 200
    assert app.get("/metrics", extra_environ={"REMOTE_ADDR": "::1"}).status_int == 200
    refused = app.get("/metrics", extra_environ={"REMOTE_ADDR": "203.0.113.9"}, status=403)
    assert "col_http_requests" not in refused.text
    app.get("/metrics", status=403)  # no address at all
    token = "m" * 20 + "-scrape-secret"
    guarded = make_testapp(**{"col.metrics_allow": "10.0.0.0/8", "col.metrics_token": token})
    guarded.get("/metrics", extra_environ={"REMOTE_ADDR": "10.1.2.3"})
    guarded.get("/metrics", extra_environ=LOCAL, status=403)
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    guarded.get("/metrics", extra_environ=outside, headers={"Authorization": f"Bearer {token}"})
    for wrong in (f"Bearer {token}x", "Bearer ", f"Basic {token}", token):
        guarded.get("/metrics", extra_environ=outside, headers={"Authorization": wrong}, status=403)
    # A city's address is no way around it.
    guarded.for_tenant(city).get("/metrics", extra_environ=outside, status=403)


def test_a_bad_metrics_network_or_log_format_stops_the_start(make_testapp):
    with pytest.raises(ValueError, match="col.metrics_allow"):
        make_testapp(**{"col.metrics_allow": "10.0.0.0/33"})
    with pytest.raises(ValueError, match="col.log_format"):
        make_testapp(**{"col.log_format": "xml"})
