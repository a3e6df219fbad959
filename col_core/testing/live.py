"""Real servers for tests that act as outside clients do: waitress in a thread, gunicorn workers.

Both bind 127.0.0.1 on a port the operating system picks, so tests running at the same time on
one machine never collide.
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


@contextlib.contextmanager
def threaded_server(wsgi_app, threads: int = 4):
    """``wsgi_app`` served by waitress in this process; yields its base URL."""
    import waitress

    served = waitress.create_server(wsgi_app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{served.effective_port}"
    finally:
        served.close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(settings: dict, workers: int, workdir: Path, health: str = "/healthz",
                    timeout: int = 120):
    """The app with ``settings`` under gunicorn's sync workers (as in production); yields its
    base URL once ``health`` (a city's health check: ``/t/<slug>/healthz``) answers."""
    ini = workdir / "gunicorn.ini"
    lines = ["[app:main]", "use = egg:cities-of-learning"]
    lines += [f"{name} = {value}" for name, value in settings.items()]
    ini.write_text("\n".join(lines) + "\n")
    port = free_port()
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("COL_")}
    log = workdir / "gunicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--paste", str(ini), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", str(timeout), "--log-level", "warning"],
        env=environment, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    url = f"http://127.0.0.1:{port}"
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
