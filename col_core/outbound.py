"""Requests the server makes to addresses that people typed: the guard against SSRF.

Anyone who may type a URL (a badge to verify, a webhook endpoint) could otherwise make the
server reach what only it can reach: the database, a cloud metadata service, an admin port.
:func:`check_url` allows http(s) only and refuses any host that resolves to a private,
loopback, link-local or otherwise non-global address, unless the caller's setting allows them
(tests, intranets, development).  Callers check again on every redirect and at every delivery.
A host whose DNS answer changes between the check and the connection is not caught;
deployments that care put an egress proxy in front.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class OutboundRefused(ValueError):
    """The URL may not be reached (scheme, private address, unknown host)."""


def check_url(url: str, allow_private: bool, schemes: tuple[str, ...] = ("http", "https")) -> None:
    """Raise :class:`OutboundRefused` unless ``url`` may be requested by the server."""
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:  # "[::1", a port that is not a number
        raise OutboundRefused(f"not a URL: {exc}") from exc
    if parts.scheme not in schemes or not hostname:
        raise OutboundRefused(f"only {' or '.join(schemes)} URLs can be used: {url}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(f"unknown host {hostname}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise OutboundRefused(f"{hostname} is a private address")
