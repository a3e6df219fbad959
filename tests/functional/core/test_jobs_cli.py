"""`col jobs list|retry|purge` and `col worker`: what an operator sees and does, bad input too."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from col_core.app import make_config
from col_core.db.meta import utcnow
from col_core.jobs.models import Job
from col_core.mail import OutboxMailer, queue_mail
from col_core.scripting import scripted_request
from col_core.tenancy.scoping import get_city_row

from .jobs_testing import WorkerProcess, ctrl_c_stops_it, wait_until, worker_environment

MAIL = {"to": "ana@example.org", "subject": "Hello", "text": "A message"}


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius")


@pytest.fixture
def add_job(factories, city):
    """A job row as a worker left it (written directly: nothing hands it to the queue)."""

    def add(status="failed", **fields) -> int:
        values = {
            "kind": "mail",
            "payload": dict(MAIL),
            "label": "ana@example.org: Hello",
            "attempts": 12,
            "max_attempts": 12,
            "last_error": "ConnectionRefusedError: [Errno 111] Connection refused",
            "finished_at": utcnow(),
        }
        values.update(fields)
        with factories.within(city):
            return factories.save(Job(status=status, **values)).id

    return add


def _json(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_list_shows_each_job_with_its_city_state_attempts_and_error(run_col, add_job):
    failed = add_job()
    done = add_job("done", last_error=None, attempts=1)
    [row] = _json(run_col("jobs", "list", "--status", "failed", "--json"))
    assert row["id"] == failed and row["tenant"] == "vilnius" and row["kind"] == "mail"
    assert (row["attempts"], row["max_attempts"]) == (12, 12)
    assert "Connection refused" in row["last_error"]
    assert [r["id"] for r in _json(run_col("jobs", "list", "--json"))] == [done, failed]
    assert _json(run_col("jobs", "list", "--kind", "webhook", "--json")) == []
    text = run_col("jobs", "list").output
    assert "failed" in text and "ana@example.org: Hello" in text and "Connection refused" in text


def test_list_refuses_what_it_does_not_know(run_col, city):
    unknown_city = run_col("jobs", "list", "--tenant", "atlantis")
    assert unknown_city.exit_code == 2 and "there is no city 'atlantis'" in unknown_city.output
    bad_status = run_col("jobs", "list", "--status", "lost")
    assert bad_status.exit_code == 2 and "'lost' is not one of" in bad_status.output
    assert run_col("jobs", "list", "--limit", "0").exit_code == 2
    assert run_col("jobs", "list").output.strip() == "No jobs."


def test_retry_runs_a_failed_job_again_with_its_attempts_anew(
    run_col, add_job, outbox, factories, city
):
    failed = add_job()
    result = run_col("jobs", "retry", str(failed))
    assert result.exit_code == 0 and "1 job(s) put back in the queue." in result.output
    [message] = outbox.messages()  # this suite's queue runs each job as soon as it is committed
    assert (message["To"], message["Subject"]) == ("ana@example.org", "Hello")
    [row] = _json(run_col("jobs", "list", "--json"))
    assert (row["status"], row["attempts"], row["last_error"]) == ("done", 1, None)
    with factories.within(city):
        factories.session.expire_all()
        assert get_city_row(factories.session, Job, failed).payload == {}  # a sent text is not kept


def test_retry_every_failed_job(run_col, add_job, outbox):
    add_job(), add_job(), add_job("done", attempts=1)
    assert "2 job(s) put back" in run_col("jobs", "retry", "--failed").output
    assert len(outbox.messages()) == 2


def test_retry_and_purge_say_what_is_wrong(run_col, add_job):
    done = add_job("done", attempts=1)
    running = add_job("running", attempts=1, finished_at=None)
    cases = [
        (("jobs", "retry"), "Name the jobs to retry"),
        (("jobs", "retry", "7", "--failed"), "Name the jobs to retry"),
        (("jobs", "retry", "999"), "there is no job 999"),
        (("jobs", "retry", "abc"), "'abc' is not a valid integer"),
        (("jobs", "retry", str(done)), f"job {done} is done; only failed or pending jobs"),
        (("jobs", "purge"), "Name the jobs to delete"),
        (("jobs", "purge", str(running)), f"job {running} is running"),
        (("jobs", "purge", str(done), "--older-than", "3"), "--older-than goes with"),
        (("jobs", "purge", "--done", "--older-than", "-1"), "-1"),
    ]
    for args, message in cases:
        result = run_col(*args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    assert len(_json(run_col("jobs", "list", "--json"))) == 2  # nothing was touched


def test_purge_by_id_by_state_and_by_age(run_col, add_job):
    add_job("done", attempts=1, finished_at=utcnow() - dt.timedelta(days=10))
    new_done = add_job("done", attempts=1)
    failed = add_job()
    waiting = add_job("pending", attempts=0, finished_at=None)
    assert "1 job(s) deleted" in run_col("jobs", "purge", "--done", "--older-than", "7").output
    assert {r["id"] for r in _json(run_col("jobs", "list", "--json"))} == {
        new_done,
        failed,
        waiting,
    }
    assert "1 job(s) deleted" in run_col("jobs", "purge", str(waiting)).output
    assert "2 job(s) deleted" in run_col("jobs", "purge", "--done", "--failed").output
    assert _json(run_col("jobs", "list", "--json")) == []


def test_worker_refuses_the_immediate_queue(run_col):
    result = run_col("worker")
    assert result.exit_code == 2 and "nothing for a worker to do" in result.output


QUEUES = [
    "sqlite",
    pytest.param(
        "redis",
        marks=pytest.mark.skipif(
            not os.environ.get("COL_TEST_REDIS_URL"), reason="needs Redis (COL_TEST_REDIS_URL)"
        ),
    ),
]


@pytest.mark.parametrize("queue", QUEUES)
def test_worker_process_runs_the_jobs_of_every_city(
    queue, app_settings, col_database, registry, factories, tmp_path
):
    """`col worker` as a real process, on the suite's database (SQLite, or PostgreSQL with
    COL_TEST_DATABASE_URL) and a real queue: SQLite, or Redis (a queue name of its own)."""
    url = (
        f"sqlite:///{tmp_path / 'jobs.sqlite'}"
        if queue == "sqlite"
        else os.environ["COL_TEST_REDIS_URL"]
    )
    settings = {
        "col.jobs_queue": url,
        "col.jobs_name": f"col-test-{uuid.uuid4().hex}",
        "col.outbox_dir": str(tmp_path / "outbox"),
    }
    config = make_config(None, **{**app_settings, **settings})
    config.commit()
    # Vilnius's batch is big enough to go to the queue as one message that a worker fans out.
    cities = {factories.tenant("vilnius"): 25, factories.tenant("kaunas"): 3}
    expected = sorted(
        f"learner{n}@{city.slug}.example" for city, count in cities.items() for n in range(count)
    )
    try:
        for city, count in cities.items():
            with scripted_request(config.registry, city) as request:
                for number in range(count):
                    queue_mail(request, f"learner{number}@{city.slug}.example", "Hello", "Text")
        environment = worker_environment(
            app_settings, col_database, COL_JOBS_QUEUE=url, COL_JOBS_NAME=settings["col.jobs_name"]
        )
        environment["COL_DATA_DIR"] = str(tmp_path)  # its outbox: tmp_path / "outbox"
        outbox = OutboxMailer("test@example.test", tmp_path / "outbox")
        worker = WorkerProcess(environment, tmp_path / "worker.log")
        try:
            wait_until(lambda: len(outbox.messages()) >= len(expected), 90, message=worker.output())
        finally:
            assert worker.stop() == 0, worker.output()
        assert sorted(m["To"] for m in outbox.messages()) == expected
        for city in cities:
            with scripted_request(config.registry, city) as request:
                assert {job.status for job in request.dbsession.scalars(select(Job))} == {"done"}
    finally:
        config.registry["col.jobs"].huey.flush()
        config.registry["col.engine"].dispose()


def test_jobs_are_city_data(registry, factories):
    vilnius, kaunas = factories.tenant("vilnius"), factories.tenant("kaunas")
    for city in (vilnius, kaunas):
        with factories.within(city):
            factories.save(
                Job(kind="mail", status="failed", max_attempts=1, label=f"secret of {city.slug}")
            )
    with scripted_request(registry, kaunas) as request:
        assert [job.label for job in request.dbsession.scalars(select(Job))] == ["secret of kaunas"]
        if request.dbsession.get_bind().dialect.name == "postgresql":  # row-level security too
            from sqlalchemy import text

            raw = text("SELECT label FROM jobs").execution_options(
                filters_tenant_itself="no filter at all: row-level security alone is tested"
            )
            assert request.dbsession.execute(raw).scalars().all() == ["secret of kaunas"]


def test_col_serve_runs_the_jobs_in_process(
    app_settings, col_database, registry, factories, tmp_path
):
    """The demo's server (`col demo`, `col serve`) runs worker threads itself, through the same
    task as `col worker`: a job committed beside it is sent without any worker process."""
    import subprocess
    import sys
    import urllib.request

    from col_core.testing.servers import free_port

    url = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    config = make_config(
        None, **{**app_settings, "col.jobs_queue": url, "col.outbox_dir": str(tmp_path / "outbox")}
    )
    config.commit()
    city = factories.tenant("vilnius")
    with scripted_request(config.registry, city) as request:
        queue_mail(request, "ana@example.org", "Hello", "Text")
    config.registry["col.engine"].dispose()
    environment = worker_environment(
        app_settings, col_database, COL_JOBS_QUEUE=url, COL_DATA_DIR=str(tmp_path)
    )
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "col"), "serve", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=ctrl_c_stops_it,
    )
    outbox = OutboxMailer("test@example.test", tmp_path / "outbox")
    try:
        wait_until(
            lambda: outbox.messages(),
            90,
            message=(tmp_path / "serve.log").read_text(errors="replace"),
        )
        assert outbox.messages()[0]["To"] == "ana@example.org"

        def serving():
            try:
                asked = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz", headers={"Host": "vilnius.example.test"}
                )
                with urllib.request.urlopen(asked, timeout=5) as got:
                    return got.status == 200
            except OSError:
                return False

        wait_until(serving, 60, message="col serve does not answer")
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl+C: the server stops, its workers finish
        assert server.wait(30) in (0, 130), (tmp_path / "serve.log").read_text(errors="replace")
        log.close()
