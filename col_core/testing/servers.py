"""The app served for real on 127.0.0.1, on a port the OS chooses, for tests that attack it the
way the outside does: the demo's own server (waitress with threads, as ``col serve`` runs it) and
gunicorn with several worker processes (as production runs it), plus a client that fires a burst
of requests at the same moment.

Both serve the test run's database, so a test prepares rows with ``factories`` and reads the
outcome the same way.  Start a server after the ``registry`` fixture has reset the database.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from col_core.app import make_config


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now (for servers started elsewhere)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DemoServer:
    """``col serve``'s waitress server (8 threads) in a thread of the test process."""

    def __init__(self, settings: dict):
        from col_core.cli.demo import demo_server

        # Its settings alone, not the COL_* variables a test may have set for `col` commands.
        self.config = make_config(None, environ={}, **settings)
        self.config.commit()
        self.server = demo_server(self.config.make_wsgi_app(), "127.0.0.1", 0)
        self.port = self.server.effective_port
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        from waitress import wasyncore

        wasyncore.close_all(self.server._map)  # the listening socket, its trigger, any channel
        self.thread.join(timeout=10)
        self.config.registry["col.engine"].dispose()


class Gunicorn:
    """gunicorn with ``workers`` sync worker processes, on a socket bound here (port 0) and
    handed over as ``fd://``, so no port is ever guessed; ready when every worker has started
    (each writes a file from gunicorn's ``post_worker_init`` hook).  The app is loaded once
    before the workers fork (``--preload``, seconds instead of a minute on a busy machine); each
    worker then opens connections of its own, as without it.  With ``own_origin`` the platform's
    public URL is the server's own ``http://127.0.0.1:<port>`` (cities at ``/t/<slug>/``), for
    clients that do not send Host headers of their own.  ``app``: the paste ``use`` line (an app
    factory such as ``call:module:function`` whose app has the platform's ``registry``)."""

    def __init__(
        self,
        settings: dict,
        workdir: Path,
        workers: int = 4,
        timeout: float = 90,
        own_origin: bool = False,
        app: str = "egg:cities-of-learning",
    ):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(2048)
        self.port = self.socket.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        if own_origin:
            settings = {**settings, "col.public_url": self.origin}
        ini = workdir / "server.ini"
        ini.write_text(
            f"[app:main]\nuse = {app}\n"
            + "".join(f"{name} = {value}\n" for name, value in settings.items())
        )
        hooks = workdir / "gunicorn_hooks.py"
        hooks.write_text(
            textwrap.dedent(f"""
            def post_fork(server, worker):
                server.app.wsgi().registry["col.engine"].dispose(close=False)

            def post_worker_init(worker):
                open({str(workdir)!r} + "/ready-%d" % worker.pid, "w").close()
        """)
        )
        fd = self.socket.fileno()
        self.log = open(workdir / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--paste",
                str(ini),
                "--workers",
                str(workers),
                "--bind",
                f"fd://{fd}",
                "--config",
                str(hooks),
                "--preload",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
            ],
            pass_fds=[fd],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            # Its settings alone, not the COL_* variables a test may have set for `col` commands.
            env={
                **{
                    name: value for name, value in os.environ.items() if not name.startswith("COL_")
                },
                "PYTHONUNBUFFERED": "1",
            },
        )
        deadline = time.monotonic() + timeout
        while len(list(workdir.glob("ready-*"))) < workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("gunicorn did not start:\n" + self.output())
            time.sleep(0.2)

    def output(self) -> str:
        self.log.flush()
        return (self.workdir / "gunicorn.log").read_text()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.socket.close()
        self.log.close()


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Client:
    """One visitor of a city: a Host header, optionally a Bearer token, and a cookie jar."""

    port: int
    host: str
    token: str | None = None
    cookies: dict = field(default_factory=dict)
    csrf: str | None = None  # the session's CSRF token, for forms
    user_id: int | None = None  # who this is, for the test's own bookkeeping
    headers: dict = field(default_factory=dict)  # sent with every request (e.g. Origin)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str | None = None,
        timeout: float = 60,
    ) -> Reply:
        headers = {"Host": self.host, "Connection": "close", **self.headers}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()
        self.remember(response.headers.get_all("Set-Cookie") or [])
        return reply

    def remember(self, set_cookie_headers) -> None:
        for header in set_cookie_headers:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post_json(self, path: str, data=None) -> Reply:
        return self.request("POST", path, json.dumps(data or {}).encode(), "application/json")

    def post_form(self, path: str, data: dict | None = None) -> Reply:
        """A form's POST, with the session's CSRF token as a browser's form sends it."""
        fields = {**({"csrf_token": self.csrf} if self.csrf else {}), **(data or {})}
        return self.request(
            "POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded"
        )


def burst(calls) -> list:
    """Run every callable of ``calls`` in its own thread, all released at the same moment;
    returns their results in order (an exception is returned, not raised)."""
    calls = list(calls)
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        start.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
