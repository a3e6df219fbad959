"""Durable background work: jobs written in the transaction that causes them, run by workers.

``request.find_service(IJobQueue).enqueue(kind, payload, label)`` writes a job; a package adds
its kinds in its ``includeme`` with ``config.add_job_kind(name, handler)``, where
``handler(request, job)`` runs in a transaction of its own as the job's city.  The core's kinds:
``mail`` (``col_core.mail``), ``webhooks.deliver`` (``col_core.webhooks``), ``search.whoosh``,
``search.reindex`` and ``search.activities`` (search), ``analytics.rebuild``.  ``col worker`` runs them;
``col jobs list|retry|purge`` shows and mends them.  See ``services`` for a job's life and
``queue`` for where the queue lives.

What a GET notes (page views, "last seen") is not a job (a GET writes nothing): see
``col_core.db.tallies``.
"""

from col_core.jobs.interfaces import IJobQueue

__all__ = ["IJobQueue"]


def add_job_kind(
    config, name: str, handler, max_attempts: int | None = None, lease_seconds: int = 600
) -> None:
    """Register ``handler(request, job)`` for jobs of ``name`` (a second registration of the
    same name is a configuration conflict).  ``max_attempts`` defaults to
    ``col.jobs_attempts``; a job still running after ``lease_seconds`` is taken to be abandoned
    by a dead worker and run again."""
    handler = config.maybe_dotted(handler)
    runner = config.registry["col.jobs"]
    config.action(
        ("col.job_kind", name), lambda: runner.add_kind(name, handler, max_attempts, lease_seconds)
    )


def includeme(config):
    from col_core.jobs.services import JobRunner, follow_session_commits, job_queue_factory

    runner = JobRunner(config.registry)
    config.registry["col.jobs"] = runner
    follow_session_commits(runner, config.registry["col.session_factory"])
    config.register_service_factory(job_queue_factory, IJobQueue)
    config.add_directive("add_job_kind", add_job_kind)
