"""The Host-header attack as it was performed: gunicorn serving ``production.ini``, a real HTTP
client writing the forged Host header on the wire, the mail read from the outbox.

Runs on the test session's database: SQLite, or PostgreSQL when COL_TEST_DATABASE_URL is set.
Also: the server and the ``col`` command refuse a weak ``COL_SECRET`` in production.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.functional.core.jobs_testing import ctrl_c_stops_it

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[3]
PRODUCTION_INI = REPOSITORY / "production.ini"
BIN = Path(sys.executable).parent
HOST = "vilnius.example.test"


def production_environment(app_settings, **extra) -> dict:
    """The server's environment: production.ini plus COL_* variables, as docs/deployment.md says."""
    return {
        **os.environ,
        "COL_DATABASE_URL": app_settings["col.database_url"],
        "COL_DB_ROLE": app_settings["col.db_role"],
        "COL_DATABASE_OWNER_URL": app_settings["col.database_owner_url"],
        "COL_DATA_DIR": app_settings["col.data_dir"],
        # The test database's secret: on PostgreSQL its row-level security key derives from it.
        "COL_SECRET": app_settings["col.secret"],
        "COL_BASE_DOMAIN": "example.test",
        "COL_PUBLIC_URL": "http://example.test",
        "COL_GLOBAL_HOSTS": "localhost 127.0.0.1",
        **extra,
    }


class Gunicorn:
    """``gunicorn --paste production.ini`` with two workers on a free port of 127.0.0.1."""

    def __init__(self, environment: dict, log: Path):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        fd = self.listener.fileno()
        self.log = log
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--paste",
                str(PRODUCTION_INI),
                "--bind",
                f"fd://{fd}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            env=environment,
            pass_fds=[fd],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn stopped:\n{self.log.read_text()}")
            try:
                self.request("GET", "/healthz", "example.test")  # any answer will do
                return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"gunicorn did not answer:\n{self.log.read_text()}")

    def request(self, method, path, host, headers=None, body=None):
        """``(status, headers, text)`` of one request whose Host header is exactly ``host``."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            data = body.encode() if body is not None else None
            if data is not None:
                connection.putheader("Content-Type", "application/x-www-form-urlencoded")
                connection.putheader("Content-Length", str(len(data)))
            connection.endheaders(data)
            response = connection.getresponse()
            return response.status, response.headers, response.read().decode()
        finally:
            connection.close()

    def raw(self, data: bytes) -> str:
        """Send bytes as they are (e.g. an absolute-URI request line); the whole answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(data)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        return answer.decode()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.listener.close()


@pytest.fixture
def server(app_settings, registry, tmp_path):
    """gunicorn and, as in production, a `col worker` that sends the mail the requests queue."""
    environment = production_environment(
        app_settings, COL_JOBS_QUEUE=f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    )
    gunicorn = Gunicorn(environment, tmp_path / "gunicorn.log")
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [str(BIN / "col"), "--config", str(PRODUCTION_INI), "worker", "--threads", "1"],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=ctrl_c_stops_it,
        )
    try:
        gunicorn.wait_until_serving()
        yield gunicorn
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=60)
        gunicorn.stop()


def mail_in(outbox, count: int, seconds: float = 60) -> list:
    """The outbox's messages once the worker has sent ``count`` of them."""
    deadline = time.monotonic() + seconds
    while len(outbox.messages()) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return outbox.messages()


def _session_and_token(server) -> tuple[str, str]:
    status, headers, page = server.request("GET", "/password/forgot", HOST)
    assert status == 200
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    return cookie, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_forged_host_on_the_wire_mails_no_link_elsewhere(server, factories, people, outbox):
    factories.global_site()
    factories.tenant("vilnius", name="Vilnius")
    admin = people.user("platform", is_platform_admin=True)
    cookie, token = _session_and_token(server)
    form = urlencode({"csrf_token": token, "email": admin.email})

    # The reported attack, and its neighbours: refused before anything runs.
    for forged in (
        "vilnius.example.test:6603@evil.example",
        "vilnius.example.test@evil.example",
        "evil.example",
        "vilnius.example.test:6603:80",
        "[::1]@evil.example",
    ):
        status, _headers, text = server.request(
            "POST", "/password/forgot", forged, {"Cookie": cookie}, form
        )
        assert status == 400, (forged, text)
        assert "evil" not in text
    assert mail_in(outbox, 1, seconds=5) == []  # the worker had time: nothing was queued

    # An absolute URI in the request line, a stray port and proxy headers: served as Vilnius,
    # with the link on Vilnius's configured address.
    answer = server.raw(
        b"POST http://evil.example/password/forgot HTTP/1.1\r\n"
        b"Host: vilnius.example.test:6603\r\n"
        b"X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\n"
        b"Forwarded: host=evil.example;proto=https\r\n"
        + f"Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\nConnection: close\r\n\r\n{form}".encode()
    )
    assert answer.startswith("HTTP/1.1 303")
    assert "Location: http://vilnius.example.test/password/forgot\r\n" in answer
    [message] = mail_in(outbox, 1)
    time.sleep(2)
    assert len(outbox.messages()) == 1
    assert message["To"] == admin.email
    body = message.get_body(("plain",)).get_content()
    [link] = re.findall(r"https?://\S+/password/reset/\S+", body)
    assert link.startswith("http://vilnius.example.test/password/reset/")
    assert "evil" not in message.as_string()


def test_pages_from_the_live_server_carry_the_security_headers(server, factories):
    factories.tenant("vilnius", name="Vilnius")
    status, headers, page = server.request("GET", "/signin", HOST)
    assert status == 200
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"  # the form carries a CSRF token
    assert "Strict-Transport-Security" not in headers  # the public URL is http here


@pytest.mark.parametrize("secret", ["x", "a" * 64, "change-me-change-me-change-me-change-me"])
def test_production_server_refuses_a_weak_secret(app_settings, tmp_path, secret):
    environment = production_environment(
        app_settings, COL_SECRET=secret, COL_DATA_DIR=str(tmp_path)
    )
    gunicorn = Gunicorn(environment, tmp_path / "gunicorn.log")
    try:
        assert gunicorn.process.wait(timeout=90) != 0
    finally:
        gunicorn.stop()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "col.secret (COL_SECRET) is too weak for production" in log
    assert "secrets.token_urlsafe(48)" in log


@pytest.mark.parametrize("how", ["environment", "ini"])
def test_col_commands_refuse_a_weak_secret_in_production(app_settings, tmp_path, how):
    environment = production_environment(app_settings, COL_SECRET="x", COL_DATA_DIR=str(tmp_path))
    arguments = [str(BIN / "col"), "tenant", "list"]
    if how == "environment":
        environment["COL_ENVIRONMENT"] = "production"
    else:
        arguments[1:1] = ["--config", str(PRODUCTION_INI)]
    result = subprocess.run(arguments, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert (
        "Error: col.secret (COL_SECRET) is too weak for production: it has 1 characters"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
