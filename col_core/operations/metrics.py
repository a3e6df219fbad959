"""Prometheus metrics: requests, latency, requests per city, and the job queue.

Request metrics are counted by the observe tween in each process.  Under gunicorn each worker is
a process of its own: with ``PROMETHEUS_MULTIPROC_DIR`` set (an empty directory, emptied at each
start of the server) prometheus-client keeps every worker's values in files there and a scrape of
any worker adds them all up.  The job queue's figures are read from the ``jobs`` table (and
huey's queue) at scrape time, so they are the deployment's, whichever process answers.

Labels are bounded: a route's *name* (never the path: every activity would be a series of its
own), the method among the usual ones, the status, a city's slug.
"""

from __future__ import annotations

import logging
import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from col_core.db.meta import utcnow
from col_core.jobs.models import STATUSES, Job, aware
from col_core.tenancy.scoping import cross_tenant

log = logging.getLogger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NO_ROUTE = "none"  # a request no route matched (a 404, or refused before routing)
# Seconds; a page is expected well under a second, a search or an export may take several.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The request metrics of one application (its own registry, so that apps built side by
    side, as the tests do, count apart; in multiprocess mode the files are what counts)."""

    def __init__(self):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "col_http_requests",
            "HTTP requests answered, by route name, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "col_http_request_duration_seconds",
            "Time to answer an HTTP request, by route name and method.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.tenant_requests = Counter(
            "col_tenant_requests",
            "HTTP requests answered per city (its slug; none before or without a city).",
            ["tenant"],
            registry=self.registry,
        )

    def observe(
        self, route: str | None, method: str, status: int, tenant: str | None, seconds: float
    ) -> None:
        route = route or NO_ROUTE
        if method not in METHODS:
            method = "other"  # a made-up method would add a series to every metric
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)
        tenant = tenant or NO_ROUTE
        self.tenant_requests.labels(tenant).inc()

    def exposition(self, session_factory, huey) -> bytes:
        """The text format of every metric: the requests (of every worker in multiprocess
        mode) and the job queue as it is now."""
        if os.environ.get(MULTIPROCESS_DIR):
            requests = CollectorRegistry()
            multiprocess.MultiProcessCollector(requests)
        else:
            requests = self.registry
        jobs = CollectorRegistry()
        jobs.register(JobsCollector(session_factory, huey))
        return generate_latest(requests) + generate_latest(jobs)


class JobsCollector:
    """The job queue's depth and failures, read (never written) at scrape time."""

    def __init__(self, session_factory, huey):
        self.session_factory = session_factory
        self.huey = huey

    def collect(self):
        readable = GaugeMetricFamily(
            "col_jobs_readable", "1 when the jobs table could be read for this scrape, else 0."
        )
        jobs = GaugeMetricFamily(
            "col_jobs",
            "Jobs in the jobs table, by kind and status "
            "(pending: waiting or between retries; failed: gave up).",
            labels=["kind", "status"],
        )
        retrying = GaugeMetricFamily(
            "col_jobs_retrying",
            "Pending jobs that have failed at least once and wait for another attempt, by kind.",
            labels=["kind"],
        )
        oldest = GaugeMetricFamily(
            "col_jobs_oldest_due_seconds",
            "How long the oldest due pending job has been waiting (0 when none waits).",
        )
        queued = GaugeMetricFamily(
            "col_jobs_queue_length", "Messages waiting in the queue (huey's storage) for a worker."
        )
        try:
            counts, failing, waited = self._read()
        except Exception as error:  # noqa: BLE001 - a scrape reports it, it does not fail
            log.warning(
                "metrics: the jobs table could not be read: %s: %s", type(error).__name__, error
            )
            readable.add_metric([], 0)
            yield readable
        else:
            readable.add_metric([], 1)
            yield readable
            for (kind, status), count in sorted(counts.items()):
                jobs.add_metric([kind, status], count)
            for kind, count in sorted(failing.items()):
                retrying.add_metric([kind], count)
            oldest.add_metric([], waited)
            yield from (jobs, retrying, oldest)
        try:
            queued.add_metric([], self.huey.storage.queue_size())
            yield queued
        except Exception as error:  # noqa: BLE001
            log.warning("metrics: the queue could not be read: %s", type(error).__name__)

    def _read(self) -> tuple[dict, dict, float]:
        now = utcnow()
        with self.session_factory() as session, cross_tenant(session):
            counts: dict[tuple[str, str], int] = {}
            for kind, status, count in session.execute(
                select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status)
            ):
                counts[(kind, status)] = count
            failing = dict(
                session.execute(
                    select(Job.kind, func.count())
                    .where(Job.status == "pending", Job.attempts > 0)
                    .group_by(Job.kind)
                ).all()
            )
            due = session.scalar(
                select(func.min(Job.run_after)).where(Job.status == "pending", Job.run_after <= now)
            )
            session.rollback()
        waited = (now - aware(due)).total_seconds() if due is not None else 0.0
        for kind in {kind for kind, _status in counts}:
            for status in STATUSES:  # a status at zero is a series, not a gap
                counts.setdefault((kind, status), 0)
        return counts, failing, max(waited, 0.0)
