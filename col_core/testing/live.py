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


class TlsFront:
    """HTTPS in front of a live server, for clients that insist on ``https://`` (did:web
    resolvers): TLS ends here and the bytes go on to the plain server.

    Its certificate is self-signed for ``127.0.0.1``, written to ``cafile`` for clients to trust
    (``NODE_EXTRA_CA_CERTS``, ``ssl.create_default_context(cafile=...)``). Build the server with
    ``col.public_url`` = :attr:`origin`, then :meth:`serve` it.
    """

    def __init__(self, directory):
        import datetime as dt
        import ipaddress
        import ssl

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.cafile = directory / "front-cert.pem"
        self.cafile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        keyfile = directory / "front-key.pem"
        keyfile.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(self.cafile, keyfile)
        self.listener = _listening_socket()
        self.origin = f"https://127.0.0.1:{self.listener.getsockname()[1]}"

    def serve(self, backend_port: int) -> None:
        self.backend_port = backend_port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                raw, _address = self.listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._pipe, args=(raw,), daemon=True).start()

    def _pipe(self, raw: socket.socket) -> None:
        import select
        import ssl

        try:
            tls = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        backend = socket.create_connection(("127.0.0.1", self.backend_port))
        try:
            while True:
                # Bytes OpenSSL already decrypted do not show up in select().
                ready = [tls] if tls.pending() else select.select([tls, backend], [], [], 60)[0]
                if not ready:
                    return
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (backend if source is tls else tls).sendall(data)
        except (ssl.SSLError, OSError):
            return
        finally:
            tls.close()
            backend.close()

    def close(self) -> None:
        self.listener.close()
