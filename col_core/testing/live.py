"""The whole app on a real server in the test process, for browsers and outside clients (the
demo's server and gunicorn, for concurrent bursts, are in ``col_core.testing.servers``).

Addresses come from configuration, never from the request, so a live server's app is built with
``col.public_url`` on the server's own origin, ``http://127.0.0.1:<free port>``: cities answer at
``/t/<slug>/`` there and every link, redirect and badge id leads back to the same server.  Ports
are picked by the operating system, so tests running at the same time never collide.
"""

from __future__ import annotations

import socket
import threading

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
        self.config = make_config(
            None, environ={}, **{**app_settings, "col.public_url": self.origin, **overrides}
        )
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
