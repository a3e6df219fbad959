"""Resolve ``request.tenant`` once per request, before routing, failing closed.

Order: an exact hostname (a city's custom domain), then ``<slug>.<base domain>``, then the bare
host, which is the global site, or, with a ``/t/<slug>/`` path prefix, the city named there
(for single-domain deployments and local use).  Anything else is a 404 before any view runs.
"""

from __future__ import annotations

import re
import time
import weakref

from pyramid.httpexceptions import HTTPNotFound
from pyramid.tweens import EXCVIEW
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from col_core.settings import as_list
from col_core.tenancy.models import Tenant, TenantHost
from col_core.tenancy.scoping import set_tenant

PATH_PREFIX = re.compile(r"^/t/(?P<slug>[a-z0-9][a-z0-9-]{0,62})(?P<rest>/.*)?$")


class UnknownTenant(HTTPNotFound):
    """No city answers at this address."""


def hostname_of(request) -> str:
    host = (request.host or "").lower()
    if host.startswith("["):  # IPv6 literal
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def tenant_address(request, base_domain: str, global_hosts: set[str]) -> tuple | None:
    """How the request names its tenant: ("host", name), ("slug", slug) or ("global",).

    A ``/t/<slug>/`` prefix on the bare host is moved from the path to the script name, so
    routes and generated URLs both see it as the application's mount point.
    """
    hostname = hostname_of(request)
    if base_domain and hostname.endswith("." + base_domain):
        return ("subdomain", hostname, hostname[: -len(base_domain) - 1])
    if hostname == base_domain or hostname in global_hosts:
        match = PATH_PREFIX.match(request.path_info)
        if not match:
            return ("global",)
        request.script_name += f"/t/{match['slug']}"
        request.path_info = match["rest"] or "/"
        return ("slug", match["slug"])
    return ("host", hostname)


def _load(session, address: tuple) -> Tenant | None:
    by_host = select(Tenant).join(TenantHost).where(TenantHost.hostname == address[1]) \
        if address[0] in ("host", "subdomain") else None
    tenant = session.scalar(by_host) if by_host is not None else None
    if tenant is None and address[0] == "subdomain":
        tenant = session.scalar(select(Tenant).where(Tenant.slug == address[2]))
    elif address[0] == "slug":
        tenant = session.scalar(select(Tenant).where(Tenant.slug == address[1]))
    elif address[0] == "global":
        tenant = session.scalar(select(Tenant).where(Tenant.kind == "global"))
    return tenant


class TenantCache:
    """Resolved tenants by address for a few seconds: resolution sits on every request's path.

    Entries are detached snapshots merged into each request's session without a query. A commit
    that changes a tenant in this process empties every cache at once; other processes (workers,
    ``col`` commands) see changes when their entries expire.  Misses are never cached, so random
    host names cannot grow the cache.
    """

    def __init__(self, session_factory, seconds: float):
        self.session_factory = session_factory
        self.seconds = seconds
        self.entries: dict[tuple, tuple[float, Tenant]] = {}
        _CACHES.add(self)

    def find(self, session, address: tuple) -> Tenant | None:
        entry = self.entries.get(address)
        if entry is None or entry[0] < time.monotonic():
            with self.session_factory() as loader:
                tenant = _load(loader, address)
                if tenant is None:
                    return None
                loader.expunge_all()
            entry = (time.monotonic() + self.seconds, tenant)
            if self.seconds > 0:
                self.entries[address] = entry
        return session.merge(entry[1], load=False)


_CACHES: "weakref.WeakSet[TenantCache]" = weakref.WeakSet()


def clear_tenant_caches() -> None:
    for cache in list(_CACHES):
        cache.entries.clear()


@event.listens_for(Session, "after_flush")
def _note_tenant_changes(session, flush_context) -> None:
    if any(isinstance(obj, (Tenant, TenantHost))
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info["col.tenants_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_changed_tenants(session) -> None:
    if session.info.pop("col.tenants_changed", False):
        clear_tenant_caches()


def tenant_url(request, tenant) -> str:
    """The home URL of ``tenant`` as seen from ``request`` (custom domain, subdomain or /t/)."""
    settings = request.registry.settings
    base_domain = settings["col.base_domain"].lower()
    scheme = request.scheme
    port = request.host_port
    suffix = "" if (scheme, port) in (("http", "80"), ("https", "443")) else f":{port}"
    if tenant.hostnames:
        return f"{scheme}://{tenant.hostnames[0]}{suffix if tenant.hostnames[0].endswith(base_domain) else ''}/"
    hostname = hostname_of(request)
    on_base = base_domain and (hostname == base_domain or hostname.endswith("." + base_domain))
    if tenant.is_global:
        return f"{scheme}://{base_domain}{suffix}/" if on_base else f"{scheme}://{hostname}{suffix}/"
    if on_base:
        return f"{scheme}://{tenant.slug}.{base_domain}{suffix}/"
    return f"{scheme}://{hostname}{suffix}/t/{tenant.slug}/"


def tenant_tween_factory(handler, registry):
    settings = registry.settings
    base_domain = settings["col.base_domain"].lower()
    global_hosts = set(as_list(settings["col.global_hosts"]))
    cache = TenantCache(registry["col.session_factory"],
                        float(settings.get("col.tenant_cache_seconds", 10)))

    def tenant_tween(request):
        request.tenant = None
        address = tenant_address(request, base_domain, global_hosts)
        tenant = cache.find(request.dbsession, address)
        if tenant is None or not tenant.active:
            raise UnknownTenant("No city of learning answers at this address.")
        request.tenant = tenant
        set_tenant(request.dbsession, tenant.id)
        return handler(request)

    return tenant_tween


def includeme(config):
    # Under the exception view tween, so an unknown tenant renders the ordinary 404 page; over
    # the router, so routing sees the path with any /t/<slug> prefix already moved aside.
    config.add_tween("col_core.tenancy.resolve.tenant_tween_factory", under=EXCVIEW)
