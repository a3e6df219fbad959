"""Readiness: the database, the job queue and the file storage, each tried for real."""

from __future__ import annotations

import logging
import time

from sqlalchemy import text
from zope.interface import implementer

from col_core.operations.interfaces import IReadiness
from col_core.storage import IFileStorage

log = logging.getLogger(__name__)


def timed(name: str, attempt) -> dict:
    """Run ``attempt()``; its outcome as a check.  Only the exception's class is reported (a
    driver's message can carry a host, a user or a connection string); the log has the rest."""
    started = time.perf_counter()
    try:
        attempt()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness check %s failed: %s: %s", name, type(error).__name__, error)
        return {
            "status": "fail",
            "seconds": round(time.perf_counter() - started, 4),
            "error": type(error).__name__,
        }
    return {"status": "ok", "seconds": round(time.perf_counter() - started, 4)}


def probe_database(engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def probe_queue(huey) -> None:
    """Ask the queue's storage how many messages wait (Redis: LLEN; SQLite: a count)."""
    huey.storage.queue_size()


def probe_storage(storage) -> None:
    storage.probe()


@implementer(IReadiness)
class Readiness:
    def __init__(self, engine, huey, storage):
        self.engine = engine
        self.huey = huey
        self.storage = storage

    def check(self) -> dict:
        return {
            "database": timed("database", lambda: probe_database(self.engine)),
            "queue": timed("queue", lambda: probe_queue(self.huey)),
            "storage": timed("storage", lambda: probe_storage(self.storage)),
        }


def readiness_factory(context, request) -> Readiness:
    registry = request.registry
    return Readiness(
        registry["col.engine"], registry["col.jobs"].huey, request.find_service(IFileStorage)
    )
