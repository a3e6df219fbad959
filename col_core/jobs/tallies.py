"""Counts that a GET causes (a learner viewed an activity's page), written later in batches.

A GET never writes to the database: it adds to a tally kept in the process
(``request.registry["col.tallies"].count(kind, key)``), and a flush writes every tally in
transactions of its own, one per city, through the kind's ``flush(request, counts)``.  A web
process flushes every ``col.tally_seconds`` (60) from a thread of its own, started by the first
count in that process (so each gunicorn worker has its own, after the fork) and once more when
the process exits normally; a process killed with SIGKILL loses at most that many seconds of
counts, which is acceptable for figures shown as daily totals.  With ``col.tally_seconds = 0``
nothing flushes by itself (tests call :meth:`Tallies.flush`).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import Counter, defaultdict
from typing import Callable, Hashable

from col_core.scripting import city_request

log = logging.getLogger(__name__)


class Tallies:
    def __init__(self, registry, interval: float):
        self.registry = registry
        self.interval = interval
        self.kinds: dict[str, Callable] = {}
        self._counts: defaultdict[str, Counter] = defaultdict(Counter)
        self._lock = threading.Lock()
        self._flushing_in: int | None = None  # the pid whose thread flushes

    def add_kind(self, name: str, flush: Callable) -> None:
        self.kinds[name] = flush

    def count(self, kind: str, tenant_id: int, key: Hashable, by: int = 1) -> None:
        """Add ``by`` to ``key`` of ``kind`` in the city ``tenant_id``; written at the next flush."""
        if kind not in self.kinds:
            raise LookupError(f"No tally kind {kind!r}: add it with config.add_tally_kind().")
        with self._lock:
            self._counts[kind][(tenant_id, key)] += by
            start = self.interval > 0 and self._flushing_in != os.getpid()
            if start:
                self._flushing_in = os.getpid()
        if start:
            threading.Thread(target=self._flush_forever, name="col-tallies", daemon=True).start()
            atexit.register(self.flush)

    def pending(self) -> dict[str, dict]:
        with self._lock:
            return {kind: dict(counts) for kind, counts in self._counts.items() if counts}

    def discard(self) -> None:
        """Forget every count not yet written (a test's database was replaced)."""
        with self._lock:
            self._counts.clear()

    def flush(self) -> int:
        """Write every tally, one transaction per kind and city; returns how many keys were
        written.  A city whose write fails keeps its counts for the next flush."""
        with self._lock:
            taken, self._counts = self._counts, defaultdict(Counter)
        written = 0
        for kind, counts in taken.items():
            by_city: defaultdict[int, dict] = defaultdict(dict)
            for (tenant_id, key), n in counts.items():
                by_city[tenant_id][key] = n
            for tenant_id, city_counts in by_city.items():
                try:
                    with city_request(self.registry, tenant_id) as request:
                        self.kinds[kind](request, city_counts)
                    written += len(city_counts)
                except Exception:
                    log.exception("Tally %s of city %s not written; kept for the next flush",
                                  kind, tenant_id)
                    with self._lock:
                        for key, n in city_counts.items():
                            self._counts[kind][(tenant_id, key)] += n
        return written

    def _flush_forever(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()


def add_tally_kind(config, name: str, flush) -> None:
    """Register ``flush(request, counts)`` for tallies of ``name``: ``counts`` is ``{key: n}``
    of one city, and ``request`` works as that city in a transaction of its own."""
    tallies = config.registry["col.tallies"]
    flush = config.maybe_dotted(flush)
    config.action(("col.tally_kind", name), lambda: tallies.add_kind(name, flush))
