"""The contract of readiness checks."""

from __future__ import annotations

from zope.interface import Interface


class IReadiness(Interface):
    """Whether this process can serve requests now: what it depends on is reachable."""

    def check() -> dict:
        """``{name: {"status": "ok" | "fail", "seconds": float, "error"?: str}}`` for the
        database, the job queue and the file storage.  Reads only (the storage probe writes a
        file and removes it); an ``error`` names the kind of failure and never a connection
        string, host or secret: the details go to the log."""
