"""The contract of background jobs."""

from __future__ import annotations

from zope.interface import Interface


class IJobQueue(Interface):
    """Durable background work for the current request (or command, or job).

    ``enqueue`` writes a job in the caller's transaction, as the caller's city.  Once that
    transaction commits, the job is handed to the queue and a worker (``col worker``, or the
    demo's own threads) runs its kind's handler in a transaction of its own, as that city; a
    rolled-back transaction leaves no job behind.  A failing job is retried with exponentially
    growing waits (``col.jobs_retry_seconds``, doubled after each failure) up to its kind's
    ``max_attempts`` (``col.jobs_attempts``), then marked ``failed`` for ``col jobs retry``.
    Delivery is at least once: a worker killed between a handler's effect and its commit runs
    that job again, so handlers should tolerate a repeat (e-mails keep one Message-ID).
    """

    def enqueue(kind: str, payload: dict, label: str = ""):
        """Write a job of ``kind`` (registered with ``config.add_job_kind``) with a
        JSON-serialisable ``payload``; returns the (not yet flushed) ``Job``."""
