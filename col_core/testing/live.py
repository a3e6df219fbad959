"""The whole app on real servers, for browsers, outside clients and concurrent bursts in tests.

Addresses come from configuration, never from the request, so a live server's app is built with
``col.public_url`` on the server's own origin, ``http://127.0.0.1:<free port>``: cities answer at
``/t/<slug>/`` there and every link, redirect and badge id leads back to the same server.  Ports
are picked by the operating system, so tests running at the same time never collide.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import waitress

from col_core.app import make_config


def _listening_socket() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener


class LiveServer:
    """The app served by waitress on a free port of 127.0.0.1, in a thread."""

    def __init__(self, app_settings: dict, threads: int = 4, **overrides):
        listener = _listening_socket()
        self.origin = f"http://127.0.0.1:{listener.getsockname()[1]}"
        # Its settings alone, not the COL_* variables a test may have set for `col` commands.
        self.config = make_config(None, environ={}, **{**app_settings,
                                                       "col.public_url": self.origin, **overrides})
        self.config.commit()
        self.wsgi_app = self.config.make_wsgi_app()
        self.server = waitress.create_server(self.wsgi_app, sockets=[listener], threads=threads)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def city(self, tenant) -> str:
        """The city's origin on this server: ``http://127.0.0.1:<port>/t/<slug>``."""
        return f"{self.origin}/t/{tenant.slug}"

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=5)
        self.config.registry["col.engine"].dispose()


def free_port() -> int:
    with _listening_socket() as probe:
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(settings: dict, workers: int, workdir: Path, health: str = "/healthz",
                    timeout: int = 120):
    """The app with ``settings`` under gunicorn's sync workers (as in production), its public URL
    on its own origin; yields that origin once ``health`` (``/t/<slug>/healthz``) answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ini = workdir / "gunicorn.ini"
    lines = ["[app:main]", "use = egg:cities-of-learning"]
    lines += [f"{name} = {value}" for name, value in {**settings, "col.public_url": url}.items()]
    ini.write_text("\n".join(lines) + "\n")
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("COL_")}
    log = workdir / "gunicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--paste", str(ini), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", str(timeout), "--log-level", "warning"],
        env=environment, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    try:
        deadline = time.monotonic() + 180  # a loaded machine starts workers slowly
        while True:
            try:
                with urllib.request.urlopen(f"{url}{health}", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: " + log.read_text(errors="replace"))
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
