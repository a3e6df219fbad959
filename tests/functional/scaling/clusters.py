"""Throwaway PostgreSQL servers for the tests of PostgreSQL beyond one server.

``streaming_pair()`` makes a primary of its own with Debian's ``initdb`` (the suite's server on
5432 has no replication line in pg_hba.conf, and must not be touched), copies it with
``pg_basebackup -R`` into a hot standby and starts both on free ports; ``pgbouncer()`` starts a
PgBouncer in transaction pooling mode in front of a server.  Everything lives in a temporary
folder removed at the end; a test skips, saying why, when the programs are missing.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

PG_BINARIES = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
PGBOUNCER = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
START_SECONDS = 30


def postgresql_bin() -> Path:
    """The newest Debian PostgreSQL's programs, or a skip."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if all((folder / name).exists() for name in PG_BINARIES):
            return folder
    pytest.skip("needs Debian's PostgreSQL server programs (initdb, pg_basebackup)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres() -> list[str]:
    """initdb and the server refuse to run as root: run them as the postgres user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root needs a postgres user to run the server as")
    return ["runuser", "-u", "postgres", "--"]


def run(*command: str | Path) -> None:
    subprocess.run(
        [*_as_postgres(), *map(str, command)], check=True, capture_output=True, timeout=60
    )


@contextlib.contextmanager
def owned_folder(prefix: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(folder, postgres.pw_uid, postgres.pw_gid)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def url(port: int, database: str = "postgres", user: str = "postgres") -> str:
    return f"postgresql+psycopg://{user}@127.0.0.1:{port}/{database}"


def scalar(server_url: str, sql: str, **params):
    engine = create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            return connection.scalar(text(sql), params)
    finally:
        engine.dispose()


def wait_until(check, what: str, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise TimeoutError(f"{what} within {seconds} s")


class Server:
    def __init__(self, bin: Path, data: Path, port: int):
        self.bin, self.data, self.port = bin, data, port

    @property
    def url(self) -> str:
        return url(self.port)

    def start(self) -> None:
        run(self.bin / "pg_ctl", "-D", self.data, "-l", self.data / "server.log", "-w", "start")
        wait_until(lambda: scalar(self.url, "SELECT 1") == 1, f"PostgreSQL on {self.port}")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")


SERVER_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
"""


def _configure(server: Server, sockets: Path) -> None:
    settings = SERVER_SETTINGS.format(port=server.port, sockets=sockets)
    with open(server.data / "postgresql.conf", "a") as conf:
        conf.write(settings)


@contextlib.contextmanager
def streaming_pair() -> Iterator[tuple[Server, Server]]:
    """A primary and its hot standby (streaming replication), started; stopped and removed
    afterwards."""
    bin = postgresql_bin()
    with owned_folder("col-replica-") as root:
        primary = Server(bin, root / "primary", free_port())
        run(bin / "initdb", "-D", primary.data, "-U", "postgres", "--auth=trust", "--no-sync",
            "-E", "UTF8")  # fmt: skip
        _configure(primary, root)
        with open(primary.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        standby = Server(bin, root / "standby", free_port())
        try:
            primary.start()
            run(bin / "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                "postgres", "-D", standby.data, "-R", "-X", "stream", "-c", "fast",
                "--no-sync")  # fmt: skip
            with open(standby.data / "postgresql.conf", "a") as conf:
                conf.write(f"port = {standby.port}\n")
            standby.start()
            assert scalar(standby.url, "SELECT pg_is_in_recovery()") is True
            yield primary, standby
        finally:
            standby.stop()
            primary.stop()


def caught_up(primary: Server, standby: Server) -> None:
    """Wait until the standby has replayed every commit the primary has made so far.

    The insert position, not the write position: with ``synchronous_commit = off`` a commit
    waits in the WAL buffers, where the WAL writer leaves a partly filled page until its next
    round, and the write position would count a standby missing that commit as caught up."""
    lsn = scalar(primary.url, "SELECT pg_current_wal_insert_lsn()::text")
    wait_until(
        lambda: scalar(standby.url, "SELECT pg_last_wal_replay_lsn() >= CAST(:l AS pg_lsn)", l=lsn),
        "the standby to catch up",
    )


def pgbouncer_program() -> str:
    for candidate in PGBOUNCER:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("pgbouncer")
    if found is None:
        pytest.skip("needs Debian's pgbouncer: apt-get install -y pgbouncer (make test does)")
    return found


PGBOUNCER_INI = """
[databases]
* = host=127.0.0.1 port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 10
ignore_startup_parameters = extra_float_digits,options
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


@contextlib.contextmanager
def pgbouncer(server_port: int, users: dict[str, str]) -> Iterator[int]:
    """A PgBouncer in transaction pooling mode in front of the server on ``server_port``, for
    ``users`` ({name: password}); yields its port."""
    program = pgbouncer_program()
    with owned_folder("col-pgbouncer-") as folder:
        port = free_port()
        (folder / "pgbouncer.ini").write_text(
            PGBOUNCER_INI.format(server_port=server_port, port=port, folder=folder)
        )
        (folder / "users.txt").write_text(
            "".join(f'"{name}" "{password}"\n' for name, password in users.items())
        )
        process = subprocess.Popen(
            [*_as_postgres(), program, "-q", str(folder / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(lambda: scalar(url(port), "SELECT 1") == 1, f"PgBouncer on {port}")
            yield port
        finally:
            # The pid of PgBouncer itself (``runuser`` may stand between it and us).
            with contextlib.suppress(OSError, ValueError):
                os.kill(int((folder / "pgbouncer.pid").read_text()), signal.SIGTERM)
            process.terminate()
            process.wait(timeout=10)
