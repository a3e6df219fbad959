"""The queue that carries "run job N" to the workers: huey, on SQLite, Redis or in-process.

The job table is the record of what must run (see ``models``); huey delivers, schedules the
retries with their growing waits, runs the worker threads (``col worker``, or the demo's own) and
the minutely sweep.  ``col.jobs_queue`` chooses where huey keeps its queue:

* ``sqlite:///FILE`` (the embedded default, in the data directory): one machine, no server;
* ``redis://HOST:PORT/DB``: any number of web servers and workers on any number of machines;
* ``immediate``: each job runs right after the commit that wrote it, in the committing process,
  through the same task (the test suite's default, so a test reads the outbox after a request).
"""

from __future__ import annotations

from pathlib import Path

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from redis import ConnectionPool

IMMEDIATE = "immediate"
RUN_TASK = "col.jobs.run"
RELAY_TASK = "col.jobs.relay"
SWEEP_TASK = "col.jobs.sweep"
# Seconds to reach Redis and to wait for its answers: past them a commit leaves its jobs to the
# sweep rather than hold the request.
REDIS_CONNECT_TIMEOUT = 2
REDIS_TIMEOUT = 10


class QueueConfigurationError(ValueError):
    """``col.jobs_queue`` names no queue this platform knows."""


def make_huey(settings) -> Huey:
    url = settings["col.jobs_queue"].strip()
    name = settings["col.jobs_name"]
    if url == IMMEDIATE:
        return MemoryHuey(name, immediate=True, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        pool = ConnectionPool.from_url(
            url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
        return RedisHuey(name, connection_pool=pool, results=False)
    raise QueueConfigurationError(
        f"col.jobs_queue (COL_JOBS_QUEUE) is {url!r}; use sqlite:///FILE, "
        "redis://HOST:PORT/DB or immediate."
    )


def register_tasks(huey: Huey, run, relay, sweep) -> dict:
    """Register the tasks every process of a deployment knows by name: ``run(tenant_id,
    job_id)`` for one job, ``relay(tickets)`` to hand a big batch to the queue from a worker,
    and ``sweep()`` each minute in the workers."""
    return {
        "run": huey.task(name=RUN_TASK)(run),
        "relay": huey.task(name=RELAY_TASK)(relay),
        "sweep": huey.periodic_task(crontab(minute="*"), name=SWEEP_TASK)(sweep),
    }
