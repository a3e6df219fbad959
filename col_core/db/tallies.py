"""What a GET notes (a learner viewed a page, a session or a token was used), written later in
batches, so that a GET never writes to the database.

A request notes a value (``request.registry["col.tallies"].note(kind, tenant_id, key, value)``);
values of the same key are combined in the process (added up for counts, the latest kept for
times), and a flush writes every kind in transactions of its own, one per city (``tenant_id``
None: platform-wide rows such as sessions), through the kind's ``flush(request, values)``.  A
web process flushes every ``col.tally_seconds`` (60) from a thread of its own, started by the
first note in that process (so each gunicorn worker has its own, after the fork), and once more
when the process exits normally; a process killed with SIGKILL loses at most that many seconds
of notes, acceptable for daily counts and "last seen" times.  With ``col.tally_seconds = 0``
nothing flushes by itself (tests call :meth:`Tallies.flush`).
"""

from __future__ import annotations

import atexit
import logging
import operator
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import NamedTuple

from sqlalchemy import bindparam, update
from zope.sqlalchemy import mark_changed

log = logging.getLogger(__name__)


class Kind(NamedTuple):
    flush: Callable  # flush(request, {key: value}) as the city, in its own transaction
    combine: Callable  # combine(kept, new) for two notes of one key


class Tallies:
    def __init__(self, registry, interval: float):
        self.registry = registry
        self.interval = interval
        self.kinds: dict[str, Kind] = {}
        self._values: defaultdict[str, dict] = defaultdict(dict)
        self._lock = threading.Lock()
        self._flushing_in: int | None = None  # the pid whose thread flushes

    def add_kind(self, name: str, flush: Callable, combine: Callable = operator.add) -> None:
        self.kinds[name] = Kind(flush, combine)

    def note(self, kind: str, tenant_id: int | None, key: Hashable, value=1) -> None:
        """Note ``value`` for ``key`` of ``kind`` in the city ``tenant_id`` (None: no city);
        written at the next flush."""
        combine = self.kinds[kind].combine if kind in self.kinds else None
        if combine is None:
            raise LookupError(f"No tally kind {kind!r}: add it with config.add_tally_kind().")
        with self._lock:
            self._merge(kind, (tenant_id, key), value, combine)
            start = self.interval > 0 and self._flushing_in != os.getpid()
            if start:
                self._flushing_in = os.getpid()
        if start:
            threading.Thread(target=self._flush_forever, name="col-tallies", daemon=True).start()
            atexit.register(self.flush)

    def _merge(self, kind: str, key: tuple, value, combine: Callable) -> None:
        values = self._values[kind]
        values[key] = combine(values[key], value) if key in values else value

    def pending(self) -> dict[str, dict]:
        with self._lock:
            return {kind: dict(values) for kind, values in self._values.items() if values}

    def discard(self) -> None:
        """Forget every note not yet written (a test's database was replaced)."""
        with self._lock:
            self._values.clear()

    def flush(self) -> int:
        """Write every note, one transaction per kind and city; returns how many keys were
        written.  A city whose write fails keeps its notes for the next flush."""
        from col_core.scripting import city_request  # scripting needs the configured app

        with self._lock:
            taken, self._values = self._values, defaultdict(dict)
        written = 0
        for name, values in taken.items():
            kind = self.kinds[name]
            by_city: defaultdict[int | None, dict] = defaultdict(dict)
            for (tenant_id, key), value in values.items():
                by_city[tenant_id][key] = value
            for tenant_id, city_values in by_city.items():
                try:
                    with city_request(self.registry, tenant_id) as request:
                        kind.flush(request, city_values)
                    written += len(city_values)
                except Exception:
                    log.exception(
                        "Tally %s of city %s not written; kept for the next flush", name, tenant_id
                    )
                    with self._lock:
                        for key, value in city_values.items():
                            self._merge(name, (tenant_id, key), value, kind.combine)
        return written

    def _flush_forever(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()


def write_by_id(session, column, values: dict) -> None:
    """``UPDATE <column's table> SET <column> = value WHERE id = key`` for each ``{key: value}``,
    in one executemany (rows deleted since they were noted are simply not there)."""
    table = column.table
    session.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({column.name: bindparam("row_value")}),
        [{"row_id": key, "row_value": value} for key, value in values.items()],
    )
    mark_changed(session)  # a Core statement: the transaction must commit it


def add_tally_kind(config, name: str, flush, combine=operator.add) -> None:
    """Register ``flush(request, values)`` for notes of ``name``: ``values`` is ``{key:
    value}`` of one city, ``request`` works as that city in a transaction of its own, and two
    notes of one key become ``combine(kept, new)`` (added up by default; ``max`` for times)."""
    tallies = config.registry["col.tallies"]
    flush = config.maybe_dotted(flush)
    config.action(("col.tally_kind", name), lambda: tallies.add_kind(name, flush, combine))


def includeme(config):
    config.registry["col.tallies"] = Tallies(
        config.registry, float(config.get_settings()["col.tally_seconds"])
    )
    config.add_directive("add_tally_kind", add_tally_kind)
