"""E-mail never holds a request and is never lost: a real SMTP server refuses, hangs, then
accepts, while `col worker` runs as a process of its own on the test database.

These tests use a real queue (SQLite, or Redis where COL_TEST_REDIS_URL is set for the worker
tests) instead of the suite's "immediate" one, because what they prove is what happens between
the commit and the delivery.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest
import webtest
from sqlalchemy import select, update

from col_core.app import make_config
from col_core.db.meta import utcnow
from col_core.jobs.models import Job
from col_core.scripting import scripted_request
from col_core.tenancy import cross_tenant
from col_core.tenancy.scoping import get_city_row
from col_core.testing.servers import free_port
from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.models import BadgeClass
from plugins.badges.testing import badges  # noqa: F401 - the fixture

from .jobs_testing import SmtpSink, WorkerProcess, wait_until, worker_environment

# Each attempt at a hanging server gives up after this many seconds; a request that waited for
# the mail server would take at least that long.
SMTP_TIMEOUT = 5


@pytest.fixture
def sink():
    server = SmtpSink()
    yield server
    server.close()


@pytest.fixture
def queue_settings(tmp_path, sink):
    return {
        "col.jobs_queue": f"sqlite:///{tmp_path / 'jobs.sqlite'}",
        "col.mailer": "col_core.mail.SMTPMailer",
        "col.smtp_host": "127.0.0.1",
        "col.smtp_port": str(sink.port),
        "col.smtp_timeout": str(SMTP_TIMEOUT),
        "col.smtp_connect_timeout": str(SMTP_TIMEOUT),
        "col.jobs_retry_seconds": "0.5",
    }


def configured(app_settings, **settings):
    config = make_config(None, **{**app_settings, **settings})
    config.commit()
    return config


@pytest.fixture
def durable(app_settings, registry, queue_settings):
    """The app with a real queue and the SMTP transport (a fresh database: ``registry``)."""
    config = configured(app_settings, **queue_settings)
    yield config
    config.registry["col.engine"].dispose()


@pytest.fixture
def worker(app_settings, col_database, queue_settings, tmp_path, durable):
    environment = worker_environment(
        app_settings,
        col_database,
        **{
            "COL_" + name.removeprefix("col.").upper(): value
            for name, value in queue_settings.items()
        },
    )
    process = WorkerProcess(environment, tmp_path / "worker.log")
    yield process
    assert process.stop() == 0, process.output()


def _csrf(app) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', app.get("/badges/verify").text)[1]


def _jobs(run_col) -> list[dict]:
    result = run_col("jobs", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_dead_or_hanging_mail_server_holds_no_request_and_loses_no_mail(
    durable, worker, sink, badges, run_col
):  # noqa: F811
    app = webtest.TestApp(
        durable.make_wsgi_app(), extra_environ={"HTTP_HOST": "vilnius.example.test"}
    )
    class_id = badges.badge_class()
    badges.organiser(app)
    headers = {"X-CSRF-Token": _csrf(app)}

    def issue(*emails) -> float:
        started = time.monotonic()
        app.post_json(
            f"/api/v1/badges/classes/{class_id}/assertions",
            {"recipients": [{"email": email} for email in emails]},
            headers=headers,
            status=201,
        )
        return time.monotonic() - started

    sink.refuse()
    assert issue("ana@example.org", "ben@example.org", "cleo@example.org") < SMTP_TIMEOUT
    wait_until(
        lambda: [job for job in _jobs(run_col) if "refused" in (job["last_error"] or "")],
        60,
        message="the worker never tried the refusing server\n" + worker.output(),
    )

    sink.hang()
    assert issue("dan@example.org", "eve@example.org", "finn@example.org") < SMTP_TIMEOUT
    wait_until(
        lambda: [job for job in _jobs(run_col) if "timed out" in (job["last_error"] or "")],
        60,
        message="the worker never waited on the hanging server\n" + worker.output(),
    )

    sink.accept()
    everyone = [
        "ana@example.org",
        "ben@example.org",
        "cleo@example.org",
        "dan@example.org",
        "eve@example.org",
        "finn@example.org",
    ]
    wait_until(
        lambda: len(sink.received) >= len(everyone),
        90,
        message=f"only {sink.recipients()} arrived\n" + worker.output(),
    )
    jobs = wait_until(
        lambda: (lambda found: found if all(job["status"] == "done" for job in found) else None)(
            _jobs(run_col)
        ),
        30,
    )
    time.sleep(1)  # nothing more arrives: each message once
    assert sink.recipients() == everyone
    assert {job["kind"] for job in jobs} == {"mail"} and len(jobs) == len(everyone)
    # Those tried while the server refused or hung were retried until they went (which ones
    # were tried before it came back depends on the machine's speed).
    assert sum(job["attempts"] > 1 for job in jobs) >= 2, jobs
    message = sink.received[0]
    assert "Bike repair" in message["Subject"] and "/badges/share/" in message.get_content()


def test_a_rolled_back_request_sends_nothing(durable, worker, sink, badges):  # noqa: F811
    sink.accept()
    class_id = badges.badge_class()

    def issue(email):
        with scripted_request(durable.registry, badges.tenant) as request:
            badge = get_city_row(request.dbsession, BadgeClass, class_id)
            request.find_service(IBadgeIssuer).issue(badge, email)
            if email.startswith("rolled"):
                raise RuntimeError("the request fails after queueing its e-mail")

    with pytest.raises(RuntimeError):
        issue("rolled.back@example.org")
    issue("committed@example.org")  # the control: the worker is alive and delivers
    wait_until(lambda: sink.received, 60, message=worker.output())
    time.sleep(2)
    assert sink.recipients() == ["committed@example.org"]
    with scripted_request(durable.registry, badges.tenant) as request:
        assert [job.label for job in request.dbsession.scalars(select(Job))] == [
            "committed@example.org: Your new badge: Bike repair"
        ]


@pytest.mark.slow
def test_a_batch_of_1000_survives_a_killed_worker_and_a_stopped_mail_server(
    app_settings, col_database, queue_settings, tmp_path, durable, sink, badges, run_col
):  # noqa: F811
    environment = worker_environment(
        app_settings,
        col_database,
        **{
            "COL_" + name.removeprefix("col.").upper(): value
            for name, value in queue_settings.items()
        },
    )
    sink.accept()
    first = WorkerProcess(environment, tmp_path / "first-worker.log")
    class_id = badges.badge_class()
    everyone = [f"learner{number:04}@example.org" for number in range(1000)]
    with scripted_request(durable.registry, badges.tenant) as request:
        badge = get_city_row(request.dbsession, BadgeClass, class_id)
        issued, errors = request.find_service(IBadgeIssuer).issue_many(
            badge, [{"email": email} for email in everyone]
        )
        assert not errors and len(issued) == 1000

    # In the middle of the batch the worker is killed and the mail server stops.
    wait_until(lambda: len(sink.received) >= 150, 120, message=first.output())
    first.kill()
    sink.refuse()
    delivered_before = len(sink.received)
    assert delivered_before < 1000

    # Later (past the mail kind's lease) a new worker starts; the mail server is still down.
    with scripted_request(durable.registry) as request, cross_tenant(request.dbsession) as session:
        session.execute(
            update(Job)
            .where(Job.status == "running")
            .values(locked_at=utcnow() - dt.timedelta(hours=1))
        )
    second = WorkerProcess(environment, tmp_path / "second-worker.log")
    try:
        durable.registry["col.jobs"].sweep()  # as the new worker's sweep does within a minute
        wait_until(
            lambda: [job for job in _jobs(run_col) if "refused" in (job["last_error"] or "")],
            # A bound for liveness, not speed: a worker starting on a busy CI machine.
            240,
            message="the new worker never met the stopped server\n" + second.output(),
        )
        sink.accept()
        wait_until(
            lambda: len({m["To"] for m in sink.received}) >= 1000,
            300,
            message=f"{len(sink.received)} arrived\n" + second.output(),
        )
        wait_until(lambda: all(job["status"] == "done" for job in _jobs(run_col)), 240)
    finally:
        assert second.stop() == 0, second.output()

    # None lost; a message is sent again only if the killed worker was sending it at that very
    # moment (at most one per worker thread), and then with the same Message-ID, so mail
    # programs show it once.
    assert sorted({message["To"] for message in sink.received}) == everyone
    first_ids: dict[str, str] = {}
    for message in sink.received:
        assert first_ids.setdefault(message["To"], message["Message-ID"]) == message["Message-ID"]
    assert len(set(first_ids.values())) == 1000
    assert len(sink.received) - 1000 <= 2, len(sink.received)


def test_jobs_committed_while_the_queue_is_down_are_handed_over_by_the_sweep(
    app_settings, registry, badges, outbox
):  # noqa: F811
    # Nothing listens on this port: the queue is down when the badge is committed.
    down = configured(app_settings, **{"col.jobs_queue": f"redis://127.0.0.1:{free_port()}/0"})
    class_id = badges.badge_class()
    started = time.monotonic()
    with scripted_request(down.registry, badges.tenant) as request:
        badge = get_city_row(request.dbsession, BadgeClass, class_id)
        request.find_service(IBadgeIssuer).issue(badge, "ana@example.org")
    assert time.monotonic() - started < 5
    down.registry["col.engine"].dispose()
    assert outbox.messages() == []

    # A minute later the queue is back (here: this suite's immediate one) and a worker sweeps.
    runner = registry["col.jobs"]
    with scripted_request(registry, badges.tenant) as request:
        [job] = request.dbsession.scalars(select(Job)).all()
        assert (job.status, job.attempts) == ("pending", 0)
        assert runner.sweep() == 0  # still in its first minute: it may merely be queued
        job.run_after -= dt.timedelta(minutes=2)
    assert runner.sweep() == 1
    [message] = outbox.messages()
    assert message["To"] == "ana@example.org"


def test_a_job_abandoned_by_a_killed_worker_runs_again(registry, badges, outbox):  # noqa: F811
    with scripted_request(registry, badges.tenant) as request:  # as a killed worker leaves it
        request.dbsession.add(
            Job(
                kind="mail",
                status="running",
                attempts=1,
                max_attempts=12,
                locked_at=utcnow() - dt.timedelta(minutes=20),
                payload={"to": "ana@example.org", "subject": "Hello", "text": "Text"},
            )
        )
    assert registry["col.jobs"].sweep() == 1
    [message] = outbox.messages()
    assert message["Subject"] == "Hello"
    with scripted_request(registry, badges.tenant) as request:
        [job] = request.dbsession.scalars(select(Job)).all()
        assert (job.status, job.attempts, job.payload) == ("done", 2, {})
