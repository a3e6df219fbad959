"""Requests the server makes to addresses that people typed: the guard against SSRF.

Anyone who may type a URL (a badge to verify, a webhook endpoint) could otherwise make the
server reach what only it can reach: the database, a cloud metadata service, an admin port.
:func:`check_url` allows http(s) only and refuses any host that resolves to a private,
loopback, link-local or otherwise non-global address, unless the caller's setting allows them
(tests, intranets, development).  Callers check again on every redirect and at every delivery.
A host whose DNS answer changes between the check and the connection is not caught;
deployments that care put an egress proxy in front.

URLs of the deployment itself (a badge it issued, pasted into its own verification page) are
never fetched: :func:`own_response` has the app answer them in the process, so the guard stays
as strict for its own addresses (which, in the demo, are loopback ones) as for any other.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from col_core.tenancy.hosts import addresses, split_host


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


# A city in the path form: /t/<slug> before the rest of the path (col_core.tenancy.resolve).
_CITY_PREFIX = re.compile(r"/t/[^/]+(?=/)")
DEFAULT_PORTS = {"http": 80, "https": 443}


def own_path(registry, url: str, under: str) -> str | None:
    """The path (with its query) of ``url`` when ``url`` is an address of this deployment under
    ``under`` (such as ``/badges/``), else None.

    Own means what a browser would reach on this platform's own server: the public URL's scheme
    and port, no ``user@`` part, a host the platform answers to (the Host allow-list: its global
    hosts, ``<slug>.<base domain>`` of a city, a city's own domain) and a path under its mount
    path.  Anything else (another port, a look-alike host, ``own@elsewhere``) is an outside URL,
    which :func:`check_url` judges.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    public = addresses(registry).public
    scheme = parts.scheme.lower()
    if scheme != public.scheme or "@" in parts.netloc:
        return None
    if (port or DEFAULT_PORTS.get(scheme)) != (public.port or DEFAULT_PORTS[public.scheme]):
        return None
    domain, _port = split_host(parts.netloc)
    if not _answered(registry, domain):
        return None
    path = parts.path.removeprefix(public.root)
    if not path.startswith("/") or not _CITY_PREFIX.sub("", path, count=1).startswith(under):
        return None
    if {".", ".."} & set(unquote(path).split("/")):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _answered(registry, domain: str) -> bool:
    """Whether the platform answers to ``domain``: configured, or a city's name or own host."""
    from col_core.tenancy.models import Tenant, TenantHost  # models need configured metadata

    configured = addresses(registry)
    if not domain or configured.allowed(domain, frozenset(), frozenset()):
        return bool(domain)
    with registry["col.session_factory"]() as session:
        hostnames = frozenset(session.scalars(select(TenantHost.hostname)))
        slugs = frozenset(session.scalars(select(Tenant.slug)))
    return configured.allowed(domain, hostnames, slugs)


def own_response(registry, url: str, under: str, headers: dict | None = None):
    """The platform's own answer to an anonymous GET of ``url`` when :func:`own_path` finds it
    is an address of this deployment, else None: served by the app in this process, through
    every tween (tenant resolution, access rules), never over the network, so reaching the
    platform's own documents never needs private addresses to be allowed."""
    path = own_path(registry, url, under)
    if path is None:
        return None
    from pyramid.request import Request

    parts = urlsplit(url)
    root = addresses(registry).public.root
    request = Request.blank(path, base_url=f"{parts.scheme.lower()}://{parts.netloc}{root}")
    request.headers.update(headers or {})
    router = registry.get("col.own_router")
    if router is None:
        from pyramid.router import Router

        router = registry["col.own_router"] = Router(registry)
    return router.invoke_subrequest(request, use_tweens=True)
