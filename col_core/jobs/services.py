"""Jobs: written in the caller's transaction, handed to the queue after commit, run by workers.

A job's life: ``pending`` (written with the change that caused it) → ``running`` (claimed by one
worker: a duplicate message finds nothing to claim) → ``done``, or back to ``pending`` with the
next attempt's time while attempts remain, or ``failed`` for ``col jobs retry``.  The minutely
sweep hands the queue anything it lost (a commit made while the queue was unreachable, a worker
killed mid-job) and forgets finished jobs after ``col.jobs_keep_done_days``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import delete, event, inspect, select, update
from zope.interface import implementer

from col_core.db import TRANSACTION_MANAGER
from col_core.db.meta import utcnow
from col_core.jobs.interfaces import IJobQueue
from col_core.jobs.models import Job, aware
from col_core.jobs.queue import make_huey, register_tasks
from col_core.scripting import city_request, scripted_request
from col_core.tenancy.scoping import cross_tenant, get_city_row

log = logging.getLogger(__name__)
WRITTEN = "col.jobs.written"  # session.info: (its transaction, the jobs written in it)
BACKOFF = 2  # each wait before a retry is twice the one before
# A pending job still due this long after its time was lost by the queue (not merely waiting for
# the scheduler's next tick), and is handed to it again.
LOST_AFTER = dt.timedelta(seconds=60)
SWEEP_BATCH = 1000
# More jobs than this from one commit go to the queue as one message, which a worker fans out:
# a badge batch of thousands does not wait for thousands of enqueues (2-3 ms each on SQLite).
FAN_OUT = 20


@dataclasses.dataclass(frozen=True)
class JobKind:
    name: str
    handler: Callable  # handler(request, job): the request works as the job's city
    max_attempts: int
    lease_seconds: int  # a job running longer than this was abandoned by a dead worker


class Ticket(NamedTuple):
    """What the queue carries for one job, and what its retries need to know."""

    tenant_id: int
    job_id: int
    attempts: int
    max_attempts: int


def ticket(job: Job) -> Ticket:
    return Ticket(job.tenant_id, job.id, job.attempts, job.max_attempts)


class JobRunner:
    """The deployment's queue and job kinds (one per process, ``registry["col.jobs"]``)."""

    def __init__(self, registry):
        settings = registry.settings
        self.registry = registry
        self.kinds: dict[str, JobKind] = {}
        self.default_attempts = int(settings["col.jobs_attempts"])
        self.retry_seconds = float(settings["col.jobs_retry_seconds"])
        self.keep_done = dt.timedelta(days=float(settings["col.jobs_keep_done_days"]))
        self.huey = make_huey(settings)
        self.tasks = register_tasks(self.huey, self.run, self.fan_out, self.sweep)

    def add_kind(
        self,
        name: str,
        handler: Callable,
        max_attempts: int | None = None,
        lease_seconds: int = 600,
    ) -> None:
        self.kinds[name] = JobKind(
            name, handler, max_attempts or self.default_attempts, lease_seconds
        )

    def wait_after(self, attempt: int) -> float:
        """Seconds between the ``attempt``-th failure and the next attempt."""
        return self.retry_seconds * BACKOFF ** (attempt - 1)

    # -- handing jobs to the queue -------------------------------------------------------------

    def relay(self, tickets: list[Ticket], fan_out: bool = True) -> int:
        """Hand each job to the queue, with the retries it has left; returns how many went.

        An unreachable queue is not the committer's problem: its jobs are in the database, and
        the sweep hands them over once the queue is back."""
        if fan_out and len(tickets) > FAN_OUT:
            try:
                self.huey.enqueue(self.tasks["relay"].s([tuple(item) for item in tickets]))
            except Exception:
                log.exception(
                    "The job queue is unreachable; %s jobs wait for the sweep.", len(tickets)
                )
                return 0
            return len(tickets)
        handed = 0
        for item in tickets:
            message = self.tasks["run"].s(
                item.tenant_id,
                item.job_id,
                retries=max(item.max_attempts - item.attempts - 1, 0),
                retry_delay=self.wait_after(item.attempts + 1),
                retry_backoff=BACKOFF,
            )
            try:
                self.huey.enqueue(message)
            except Exception:
                log.exception(
                    "The job queue is unreachable; job %s and any after it wait for the sweep.",
                    item.job_id,
                )
                break
            handed += 1
        return handed

    def fan_out(self, tickets: list) -> None:
        """The queue's relay task: hand a big batch's jobs to the queue one by one."""
        self.relay([Ticket(*item) for item in tickets], fan_out=False)

    # -- running one job -----------------------------------------------------------------------

    def run(self, tenant_id: int, job_id: int) -> None:
        """The queue's task: claim the job, run its handler, record the outcome.

        The handler's writes and the job's ``done`` commit together.  A failure with attempts
        left is raised again, for the queue to retry after the next wait."""
        with city_request(self.registry, tenant_id) as request:
            claimed = request.dbsession.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "pending")
                .values(status="running", attempts=Job.attempts + 1, locked_at=utcnow())
                .returning(Job.attempts, Job.max_attempts)
            ).first()
        if claimed is None:
            return  # done, failed, purged, or run by another worker on a duplicate message
        try:
            with city_request(self.registry, tenant_id) as request:
                job = get_city_row(request.dbsession, Job, job_id)
                assert job is not None  # claimed just above
                kind = self.kinds.get(job.kind)
                if kind is None:
                    raise LookupError(
                        f"No handler for jobs of kind {job.kind!r}: is the plugin "
                        "that adds them installed and enabled?"
                    )
                kind.handler(request, job)
                job.status, job.payload, job.finished_at = "done", {}, utcnow()
                job.locked_at = job.last_error = None
        except Exception as error:
            final = claimed.attempts >= claimed.max_attempts
            self._record_failure(tenant_id, job_id, error, final, claimed.attempts)
            if not final:
                raise
            log.error(
                "Job %s failed for good after %s attempts: %s", job_id, claimed.attempts, error
            )

    def _record_failure(self, tenant_id, job_id, error, final: bool, attempt: int) -> None:
        now = utcnow()
        with city_request(self.registry, tenant_id) as request:
            job = get_city_row(request.dbsession, Job, job_id)
            if job is None:
                return
            job.status = "failed" if final else "pending"
            job.last_error = f"{type(error).__name__}: {error}"[:2000]
            job.locked_at = None
            if final:
                job.finished_at = now
            else:
                job.run_after = now + dt.timedelta(seconds=self.wait_after(attempt))

    # -- the sweep -----------------------------------------------------------------------------

    def sweep(self) -> int:
        """Requeue abandoned and lost jobs, forget old finished ones; returns how many went.

        Any number of workers may sweep at once: a job claimed twice runs once."""
        now = utcnow()
        with scripted_request(self.registry) as request, cross_tenant(request.dbsession) as session:
            abandoned = []
            for job in session.scalars(select(Job).where(Job.status == "running")):
                kind = self.kinds.get(job.kind)
                lease = dt.timedelta(seconds=kind.lease_seconds if kind else 600)
                if aware(job.locked_at or now) + lease < now:
                    job.status, job.locked_at, job.run_after = "pending", None, now
                    abandoned.append(ticket(job))
            session.execute(
                delete(Job).where(Job.status == "done", Job.finished_at < now - self.keep_done)
            )
            lost = []
            if not self.huey.pending_count():  # with work waiting, due jobs are merely queued
                lost = [
                    Ticket(*row)
                    for row in session.execute(
                        select(Job.tenant_id, Job.id, Job.attempts, Job.max_attempts)
                        .where(Job.status == "pending", Job.run_after <= now - LOST_AFTER)
                        .order_by(Job.id)
                        .limit(SWEEP_BATCH)
                    )
                ]
        return self.relay(abandoned + lost)


def write_job(session, runner: JobRunner, kind: str, payload: dict, label: str = "") -> Job:
    """Write a job in ``session``'s transaction, as the session's city; it is handed to the
    queue once that transaction has committed.

    "Committed" means the whole transaction of the session's transaction manager, not merely
    this session's part: on SQLite the job would otherwise start while the rest of the
    transaction still holds the database's write lock.  A session outside any manager (tests,
    scripts) relays on its own commit."""
    spec = runner.kinds.get(kind)
    if spec is None:
        raise LookupError(f"Unknown job kind {kind!r}; register it with config.add_job_kind.")
    job = Job(
        kind=kind,
        payload=payload,
        label=label[:200],
        status="pending",
        attempts=0,
        max_attempts=spec.max_attempts,
        run_after=utcnow(),
    )
    session.add(job)
    manager = session.info.get(TRANSACTION_MANAGER)
    current = manager.get() if manager is not None else None
    written = session.info.get(WRITTEN)
    if written is None or written[0] is not current:
        written = session.info[WRITTEN] = (current, [])
        if current is not None:
            current.addAfterCommitHook(_relay_committed, args=(runner, written[1]))
    written[1].append(job)
    return job


def _relay_committed(committed: bool, runner: JobRunner, jobs: list[Job]) -> None:
    # A job rolled back to a savepoint lost its identity: nothing to run.
    if committed:
        runner.relay([ticket(job) for job in jobs if inspect(job).has_identity])


def follow_session_commits(runner: JobRunner, session_factory) -> None:
    """Relay the jobs of sessions outside a transaction manager when they commit."""

    @event.listens_for(session_factory, "after_commit")
    def _relay(session):
        current, jobs = session.info.get(WRITTEN) or (None, None)
        if current is None and jobs:
            del session.info[WRITTEN]
            _relay_committed(True, runner, jobs)

    @event.listens_for(session_factory, "after_rollback")
    def _forget(session):
        if (session.info.get(WRITTEN) or (None,))[0] is None:
            session.info.pop(WRITTEN, None)


@implementer(IJobQueue)
class JobQueue:
    def __init__(self, session, runner: JobRunner):
        self.session = session
        self.runner = runner

    def enqueue(self, kind: str, payload: dict, label: str = "") -> Job:
        return write_job(self.session, self.runner, kind, payload, label)


def job_queue_factory(context, request) -> JobQueue:
    return JobQueue(request.dbsession, request.registry["col.jobs"])
