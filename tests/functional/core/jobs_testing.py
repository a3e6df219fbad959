"""A real SMTP server that refuses, hangs or accepts, and `col worker` as a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller

from col_core.testing.pytest_plugin import col_environment
from col_core.testing.servers import free_port


class _Collect:
    def __init__(self, received: list):
        self.received = received

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


class SmtpSink:
    """One port on 127.0.0.1 that, in turn, refuses connections (nothing listens), hangs (takes
    connections and never greets) or accepts mail (aiosmtpd, keeping each message)."""

    def __init__(self):
        self.port = free_port()
        self.received: list = []
        self._listener: socket.socket | None = None
        self._held: list[socket.socket] = []
        self._controller: Controller | None = None

    def refuse(self) -> None:
        self._stop()

    def hang(self) -> None:
        self._stop()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(50)
        listener.settimeout(0.1)  # a blocked accept() would keep the port bound after close()
        self._listener = listener

        def hold():
            while self._listener is listener:
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:  # closed by _stop
                    return
                self._held.append(connection)

        threading.Thread(target=hold, daemon=True).start()

    def accept(self) -> None:
        self._stop()
        self._controller = Controller(_Collect(self.received), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def recipients(self) -> list[str]:
        return sorted(message["To"] for message in self.received)

    def _stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._listener is not None:
            listener, self._listener = self._listener, None
            time.sleep(0.2)  # the accepting thread sees it is done
            listener.close()
        for connection in self._held:
            connection.close()
        self._held.clear()

    close = _stop


def worker_environment(app_settings: dict, col_database, **settings) -> dict:
    """The COL_* environment of a `col` process working on the test database, plus
    ``settings`` (``COL_JOBS_QUEUE=...`` and friends)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("COL_")}
    return {**environment, **col_environment(app_settings, col_database), **settings}


def ctrl_c_stops_it() -> None:
    """``preexec_fn`` of a `col` process the test stops with SIGINT.  A suite started from a
    shell script in the background inherits SIGINT ignored (POSIX: a background job ignores
    Ctrl+C), and Python then installs no KeyboardInterrupt: the child would never stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class WorkerProcess:
    """`col worker` in a process of its own, its output kept in a file for failures."""

    def __init__(self, environment: dict, log_path: Path, threads: int = 2):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        command = [str(Path(sys.executable).parent / "col"), "worker", "--threads", str(threads)]
        self.process = subprocess.Popen(
            command,
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=ctrl_c_stops_it,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, whatever it was doing (a crash, an OOM kill)."""
        self.process.kill()
        self.process.wait()
        self._log.close()

    def stop(self, timeout: float = 30) -> int:
        """SIGINT: the worker finishes its running jobs, then exits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


def wait_until(condition, timeout: float, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s in vain: {message}")
        time.sleep(interval)
