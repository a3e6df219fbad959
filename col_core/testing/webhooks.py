"""A webhook receiver for tests: a real HTTP endpoint on 127.0.0.1 that verifies every
delivery with the reference Standard Webhooks library (``standardwebhooks``, a test
dependency), and helpers that drive the subscription pages as a person does.

Deliveries to it need ``col.webhooks_allow_private = true`` (it is a loopback address).
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import standardwebhooks


class Receiver:
    """An endpoint on 127.0.0.1 that keeps every verified delivery and answers with the next
    status of ``answers`` (the last one repeats)."""

    def __init__(self):
        self.secret: str | None = None
        self.answers = [200]
        self.received: list[dict] = []
        self.refused: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    payload = standardwebhooks.Webhook(receiver.secret).verify(
                        body, dict(self.headers.items())
                    )
                except Exception as error:  # a bad signature: the test fails on it
                    receiver.refused.append(repr(error))
                    self.send_response(401)
                else:
                    receiver.received.append({"id": self.headers["webhook-id"], **payload})
                    status = (
                        receiver.answers.pop(0)
                        if len(receiver.answers) > 1
                        else receiver.answers[0]
                    )
                    self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def types(self) -> list[str]:
        return [message["type"] for message in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def subscribe(app, path, url, events, status=201):
    page = app.get(path)
    forms = page.forms.values()
    form = next(form for form in forms if "url" in form.fields)
    form["url"] = url
    for box in form.fields.get("events", []):
        box.checked = box._value in events
    return form.submit(status=status)


def button(page, action):
    """The form of the page's button that posts to ``.../<action>``."""
    return next(form for form in page.forms.values() if form.action.endswith("/" + action))


def secret_of(page) -> str:
    """The secret the page shows once (the test fails here if it shows none)."""
    found = re.search(r'value="(whsec_[^"]+)"', page.text)
    assert found is not None, "the page shows no webhook secret"
    return found[1]


@pytest.fixture
def receiver():
    """A :class:`Receiver` for one test (import this fixture into the test module)."""
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def allow_loopback(registry, monkeypatch):
    """Let subscriptions and deliveries use the receiver's plain-http loopback address."""
    monkeypatch.setitem(registry.settings, "col.webhooks_allow_private", "true")
