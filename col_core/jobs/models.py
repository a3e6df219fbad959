"""The job table: the durable record of background work (the transactional outbox).

A job is written in the transaction of the change that causes it, so it exists exactly when that
change was committed; the queue (huey) only carries "run job N" to the workers.  Each job belongs
to the city whose change caused it and runs as that city.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from col_core.db.meta import Base, utcnow
from col_core.tenancy.scoping import CityKeyed

STATUSES = ("pending", "running", "done", "failed")


class Job(CityKeyed, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"),
        # The sweep's and `col jobs list`'s way in: due pending jobs, stale running ones.
        Index("ix_jobs_status_run_after", "status", "run_after"),
    )

    kind: Mapped[str] = mapped_column(String(80))
    # What a person reading `col jobs list` needs to recognise the job (e.g. subject and address).
    label: Mapped[str] = mapped_column(String(200), default="")
    # The handler's input; emptied once the job is done (a sent e-mail's text is not kept).
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    # When the next attempt is due (after a failure: when the queue retries it).
    run_after: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When the running attempt started; a job running past its kind's lease was abandoned.
    locked_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "tenant_id": self.tenant_id,
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "run_after": _iso(self.run_after),
            "created_at": _iso(self.created_at),
            "finished_at": _iso(self.finished_at),
            "last_error": self.last_error,
        }


def aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else aware(moment).isoformat()
