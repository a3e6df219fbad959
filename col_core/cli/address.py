"""Where a running ``col demo`` or ``col serve`` answers, for the commands run beside it.

Without a configured ``col.public_url`` the server's address depends on its ``--port``, which
other commands cannot guess: ``col badges issue`` would print links on the default port that no
server answers.  So a server whose address came from its port writes that address to
``<data dir>/serving.json`` while it runs, and every other command on the same configuration
uses it as its public URL.

A file, not a database row: the address belongs to a running process, not to the data; a file
is read before the app (and its addresses) is built, needs no migration, and lives only as long
as the server.  It names the database it serves (a digest of its URL, never the URL, which may
hold a password), the process and the machine, so a record left behind by a killed server, or
written for another database sharing the data directory, is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

RECORD = "serving.json"


def record_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / RECORD


def database_digest(database_url: str) -> str:
    return hashlib.sha256(database_url.encode()).hexdigest()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, as another user
        return True
    return True


@contextlib.contextmanager
def recorded(data_dir: str | Path, public_url: str, database_url: str) -> Iterator[Path]:
    """Record ``public_url`` as the address serving ``database_url`` for the block's duration."""
    path = record_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "public_url": public_url,
        "database": database_digest(database_url),
        "pid": os.getpid(),
        "host": socket.gethostname(),
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    try:
        yield path
    finally:
        # Only our own record: another server may have taken the file over since.
        if recorded_by(path) == os.getpid():
            path.unlink(missing_ok=True)


def recorded_by(path: Path) -> int | None:
    """The id of the process that wrote the record at ``path``, None without one."""
    record = _load(path)
    return record.get("pid") if record else None


def _load(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def serving_url(data_dir: str | Path, database_url: str) -> str | None:
    """The address a live server of ``database_url`` recorded in ``data_dir``, else None."""
    record = _load(record_path(data_dir))
    if not record or record.get("database") != database_digest(database_url):
        return None
    if not _alive_here(record):
        return None
    url = record.get("public_url")
    return url if isinstance(url, str) else None


def _alive_here(record: dict) -> bool:
    """Whether the record's server runs on this machine, as the process it names."""
    pid = record.get("pid")
    here = record.get("host") == socket.gethostname()
    return here and isinstance(pid, int) and _running(pid)
