"""Commands beside a running demo print addresses that answer, and the 1EdTech validator accepts
the badge ``col badges issue`` prints (issue 17: "Demo and CLI addresses that work").

The server is ``col serve`` in a process of its own, configured as ``make demo`` is (no public
URL: its address comes from ``--port``, cities at ``http://<slug>.localhost:<port>/``), on the
test run's database; the commands beside it are ``col`` processes with the same configuration.
Names under ``localhost`` reach 127.0.0.1 (RFC 6761), as in a browser: this test's client
connects there with the Host header, and the validator's runner resolves them so itself.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from col_core.cli.address import record_path
from col_core.testing.pytest_plugin import col_environment
from col_core.testing.servers import Client, free_port

from .test_badges_validators import _ob2, validators  # noqa: F401 - a fixture

COL = Path(sys.executable).with_name("col")
EMAIL = "ana@example.org"


class BesideTheDemo:
    """``col serve --port <free port>`` and ``col`` commands on the same configuration."""

    def __init__(self, app_settings, col_database, data_dir: Path):
        self.data_dir = data_dir
        outside = {k: v for k, v in os.environ.items() if not k.startswith("COL_")}
        self.environment = {
            **outside,
            **col_environment(app_settings, col_database),
            "COL_DATA_DIR": str(data_dir),
            "COL_BASE_DOMAIN": "localhost",
            "COL_GLOBAL_HOSTS": "localhost 127.0.0.1",
            "COL_JOBS_QUEUE": "immediate",
        }
        del self.environment["COL_PUBLIC_URL"]  # as `make demo`: the address follows --port
        self.port = free_port()
        self.server = subprocess.Popen(
            [COL, "serve", "--port", str(self.port)],
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_for_the_record()

    def _wait_for_the_record(self) -> None:
        deadline = time.monotonic() + 120
        while not record_path(self.data_dir).exists():
            if self.server.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"col serve did not start: {self.server.stderr.read().decode()}")
            time.sleep(0.2)

    def col(self, *args: str) -> str:
        done = subprocess.run(
            [COL, *args], env=self.environment, capture_output=True, text=True, timeout=180
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def client(self, url: str) -> tuple[Client, str]:
        """A visitor of the host ``url`` names, and the path to ask for."""
        match = re.fullmatch(r"http://([^/]+)(/.*)", url)
        assert match, url
        return Client(self.port, match[1]), match[2]

    def stop(self) -> None:
        if self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(timeout=30)


@pytest.fixture
def beside_the_demo(app_settings, col_database, badges, tmp_path):
    demo = BesideTheDemo(app_settings, col_database, tmp_path / "data")
    yield demo
    demo.stop()


def _issue(demo: BesideTheDemo, class_id: int) -> str:
    output = demo.col(
        "badges", "issue", "--tenant", "vilnius", "--badge-class", str(class_id), "--email", EMAIL
    )
    return re.search(r"assertion \(OB 2\.0\):\s+(\S+)", output)[1]


@pytest.mark.validators
def test_badges_issue_beside_the_demo_prints_a_url_the_1edtech_validator_accepts(
    validators,  # noqa: F811 - the fixture imported above
    badges,
    beside_the_demo,
):
    url = _issue(beside_the_demo, badges.badge_class(name="Bike repair"))
    assert url.startswith(f"http://vilnius.localhost:{beside_the_demo.port}/badges/assertions/")
    valid, report = _ob2(validators, url)
    assert valid, report


def test_badges_classes_beside_the_demo_prints_urls_that_answer(badges, beside_the_demo):
    badges.badge_class(name="Bike repair")
    badges.badge_class(name="Bike painting")
    listing = json.loads(beside_the_demo.col("badges", "classes", "--tenant", "vilnius", "--json"))
    table = beside_the_demo.col("badges", "classes", "--tenant", "vilnius")
    assert len(listing) == 2
    for row in listing:
        assert row["url"].startswith(f"http://vilnius.localhost:{beside_the_demo.port}/badges/")
        assert row["url"] in table
        client, path = beside_the_demo.client(row["url"])
        reply = client.get(path)
        assert reply.status == 200 and row["name"] in reply.text


def test_the_demos_verify_page_accepts_the_badge_a_command_issued(badges, beside_the_demo):
    class_id = badges.badge_class(name="Bike repair")
    url = _issue(beside_the_demo, class_id)
    client, _path = beside_the_demo.client(url)
    form = client.get("/badges/verify")
    client.csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)[1]
    page = client.post_form("/badges/verify", {"badge": url, "email": EMAIL}).text
    assert '<h2 id="result-title">Valid</h2>' in page and "private address" not in page
    badges.revoke(url.rsplit("/", 1)[1], "issued by mistake")
    page = client.post_form("/badges/verify", {"badge": url}).text
    assert '<h2 id="result-title">Revoked</h2>' in page
    # The record goes with the server: then commands use the configured address again
    # (development's default port).
    beside_the_demo.stop()
    assert not record_path(beside_the_demo.data_dir).exists()
    assert _issue(beside_the_demo, class_id).startswith("http://vilnius.localhost:6543/")
