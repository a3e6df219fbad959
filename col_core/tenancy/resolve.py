"""Resolve ``request.tenant`` once per request, before routing, failing closed.

First the Host header must name this platform (:mod:`col_core.tenancy.hosts`): a malformed or
unknown host is refused with a 400 before anything else.  Then the tenant: an exact hostname (a
city's own domain), then ``<slug>.<base domain>``, then the bare host, which is the global site,
or, with a ``/t/<slug>/`` path prefix, the city named there (for single-domain deployments and
local use).  An unknown or disabled city is a 404 before any view runs.

Finally the request is pointed at the tenant's configured origin, so every URL Pyramid and WebOb
build from it (``route_url``, ``application_url``, redirects) is the configured one, never what
the Host header said.  A page (GET or HEAD) asked for at another of the tenant's allowed
addresses is redirected to the configured one, so a browser keeps one origin per city.

The deployment's own endpoints (``/healthz``, ``/readyz``, ``/metrics``) pass the host check,
then skip the city: they answer for the deployment, even while the database is down.
"""

from __future__ import annotations

import re
import time
import weakref

from pyramid.encode import url_quote
from pyramid.httpexceptions import HTTPBadRequest, HTTPFound, HTTPNotFound
from pyramid.traversal import PATH_SAFE
from pyramid.tweens import EXCVIEW
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from col_core.db import listen
from col_core.db.meta import utcnow
from col_core.i18n import _
from col_core.tenancy.hosts import Addresses, addresses, point_at, split_host
from col_core.tenancy.models import Tenant, TenantHost
from col_core.tenancy.scoping import nonce_wanted, note_nonce, set_tenant

PATH_PREFIX = re.compile(r"^/t/(?P<slug>[a-z0-9][a-z0-9-]{0,62})(?P<rest>/.*)?$")
REDIRECTED_METHODS = frozenset({"GET", "HEAD"})
# The deployment's own endpoints (col_core.operations): answered at any allowed host name, never
# redirected, without a city and without asking the database who it is, so a load balancer
# learns "the process is up" and "the database is down" rather than an error page.
TENANT_SLUG = "col.tenant_slug"  # the WSGI environ key of the resolved city's slug
OPERATIONS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class UnknownHost(HTTPBadRequest):
    """The Host header is malformed or names no address of this platform."""


class UnknownTenant(HTTPNotFound):
    """No city answers at this address."""


def tenant_address(domain: str, path_info: str, addresses: Addresses) -> tuple[tuple, str | None]:
    """How a request on an allowed ``domain`` names its tenant: ("host", name), ("subdomain",
    name, slug), ("slug", slug) or ("global",); and, for a ``/t/<slug>/`` prefix, the path after
    it."""
    base_domain = addresses.base_domain
    subdomain_suffix = "." + base_domain
    if base_domain and domain.endswith(subdomain_suffix):
        slug = domain.removesuffix(subdomain_suffix)
        return ("subdomain", domain, slug), None
    on_global_host = domain == base_domain or domain in addresses.global_hosts
    if not on_global_host:
        return ("host", domain), None
    match = PATH_PREFIX.match(path_info)
    if not match:
        return ("global",), None
    rest = match["rest"] or "/"
    return ("slug", match["slug"]), rest


def load_tenant(session, address: tuple) -> Tenant | None:
    kind, *names = address
    if kind == "host":
        (hostname,) = names
        return _by_hostname(session, hostname)
    if kind == "subdomain":
        hostname, slug = names
        # A city's own domain may be a subdomain too: its host name wins over the slug.
        tenant = _by_hostname(session, hostname)
        if tenant is None:
            tenant = _by_slug(session, slug)
        return tenant
    if kind == "slug":
        (slug,) = names
        return _by_slug(session, slug)
    if kind == "global":
        return session.scalar(select(Tenant).where(Tenant.kind == "global"))
    return None


def _by_hostname(session, hostname: str) -> Tenant | None:
    by_host = select(Tenant).join(TenantHost).where(TenantHost.hostname == hostname)
    return session.scalar(by_host)


def _by_slug(session, slug: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.slug == slug))


class KnownHosts:
    """Every tenant's own hostnames and slugs, for the allow-list; reloaded when they expire or
    when a host is not found (a city launched by another process is known at once)."""

    def __init__(self, session_factory, seconds: float):
        self.session_factory = session_factory
        self.seconds = seconds
        self.entries: dict[str, tuple[float, frozenset[str], frozenset[str]]] = {}
        _CACHES.add(self)

    def allows(self, addresses: Addresses, domain: str) -> bool:
        if not domain:
            return False
        if addresses.allowed(domain, frozenset(), frozenset()):
            return True  # a configured name: no tenant needed
        now = time.monotonic()
        never_loaded: tuple[float, frozenset[str], frozenset[str]] = (
            -1e9,
            frozenset(),
            frozenset(),
        )
        loaded_at, hostnames, slugs = self.entries.get("hosts", never_loaded)
        fresh = now < loaded_at + self.seconds
        if fresh and addresses.allowed(domain, hostnames, slugs):
            return True
        # A flood of made-up host names reloads the list at most once a second.
        if now >= loaded_at + min(self.seconds, 1.0):
            hostnames, slugs = self._reload(now)
        return addresses.allowed(domain, hostnames, slugs)

    def _reload(self, now: float) -> tuple[frozenset[str], frozenset[str]]:
        every_hostname = select(TenantHost.hostname)
        every_slug = select(Tenant.slug)
        with self.session_factory() as loader:
            hostnames = frozenset(loader.scalars(every_hostname))
            slugs = frozenset(loader.scalars(every_slug))
        self.entries["hosts"] = (now, hostnames, slugs)
        return hostnames, slugs


class TenantCache:
    """Resolved tenants by address for a few seconds: resolution sits on every request's path.

    Entries are detached snapshots merged into each request's session.  Before an entry is
    used, the city's ``updated_at`` is read (one primary-key lookup of one column): a change
    committed by any process (another worker, another machine, a ``col`` command) bumps it, so
    no worker serves a city as it was before a committed change; a change to a city's host
    names bumps it too (:func:`_touch_tenants_of_changed_hosts`).  A commit that changes a
    tenant in this process also empties every cache at once.  Misses are never cached, so
    random host names cannot grow the cache.
    """

    def __init__(self, session_factory, seconds: float):
        self.session_factory = session_factory
        self.seconds = seconds
        self.entries: dict[tuple, tuple[float, Tenant]] = {}
        _CACHES.add(self)

    def find(self, session, address: tuple) -> Tenant | None:
        entry = self.entries.get(address)
        if entry is not None and not _current(session, entry[1]):
            entry = None
        if entry is None or entry[0] < time.monotonic():
            with self.session_factory() as loader:
                tenant = load_tenant(loader, address)
                if tenant is None:
                    return None
                loader.expunge_all()
            entry = (time.monotonic() + self.seconds, tenant)
            if self.seconds > 0:
                self.entries[address] = entry
        return session.merge(entry[1], load=False)


# Every request asks it: a Core statement built once (the ORM's own costs as much again).
_UPDATED_AT = select(Tenant.__table__.c.updated_at).where(Tenant.__table__.c.id == bindparam("id"))
# ... and on PostgreSQL, the nonce that binding the request's transaction to the city signs.
_UPDATED_AT_AND_NONCE = _UPDATED_AT.add_columns(func.col_rls_nonce().label("nonce"))


def _current(session, tenant: Tenant) -> bool:
    """Whether the cached ``tenant`` is the city as last committed, by any process."""
    connection = session.connection()
    with_nonce = nonce_wanted(session, connection)
    statement = _UPDATED_AT_AND_NONCE if with_nonce else _UPDATED_AT
    row = connection.execute(statement, {"id": tenant.id}).first()
    if row is None:
        return False
    if with_nonce:
        note_nonce(session, connection, row.nonce)
    return row.updated_at == tenant.updated_at


_CACHES: weakref.WeakSet[TenantCache | KnownHosts] = weakref.WeakSet()


def clear_tenant_caches() -> None:
    for cache in list(_CACHES):
        cache.entries.clear()


def _touch_tenants_of_changed_hosts(session, flush_context, instances) -> None:
    """A host name added, changed or removed bumps its city's ``updated_at`` in the same
    flush, so every process's cached resolution of that city is found stale."""
    with session.no_autoflush:
        touched = [
            session.get(Tenant, tenant_id) for tenant_id in _cities_of_changed_hosts(session)
        ]
    # A city whose host collection alone changed is dirty without a column to update.
    touched += [obj for obj in session.dirty if isinstance(obj, Tenant)]
    for tenant in touched:
        if tenant is not None and tenant not in session.deleted:
            tenant.updated_at = utcnow()


def _cities_of_changed_hosts(session) -> set[int]:
    changed = (*session.new, *session.dirty, *session.deleted)
    hosts = [obj for obj in changed if isinstance(obj, TenantHost)]
    return {host.tenant_id for host in hosts if host.tenant_id}


def _note_tenant_changes(session, flush_context) -> None:
    if any(
        isinstance(obj, (Tenant, TenantHost))
        for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info["col.tenants_changed"] = True


def _forget_changed_tenants(session) -> None:
    if session.info.pop("col.tenants_changed", False):
        clear_tenant_caches()


def tenant_tween_factory(handler, registry):
    settings = registry.settings
    configured = addresses(registry)
    seconds = float(settings.get("col.tenant_cache_seconds", 10))
    cache = TenantCache(registry["col.session_factory"], seconds)
    known_hosts = KnownHosts(registry["col.session_factory"], seconds)

    def tenant_tween(request):
        request.tenant = None
        domain, _port = split_host(request.host)
        if not known_hosts.allows(configured, domain):
            point_at(request, None)  # the error page links to the public site
            raise UnknownHost(
                _(
                    "This server does not answer to the host name in the request. "
                    "Use the address of the site, without anything added to it."
                )
            )
        address, rest = tenant_address(domain, request.path_info, configured)
        if (rest or request.path_info) in OPERATIONS_PATHS:
            request.path_info = rest or request.path_info
            point_at(request, None)
            return handler(request)
        tenant = cache.find(request.dbsession, address)
        if tenant is None or not tenant.active:
            point_at(request, None)
            raise UnknownTenant(_("No city of learning answers at this address."))
        origin = configured.origin(tenant)
        via_path = address[0] == "slug"
        # Only the name and the path form count, never port or scheme, which a proxy may change:
        # comparing them could redirect in a loop.
        path = rest or request.path_info
        if request.method in REDIRECTED_METHODS and (
            domain != origin.hostname or via_path != bool(origin.prefix)
        ):
            query = f"?{request.query_string}" if request.query_string else ""
            return HTTPFound(location=f"{origin.url}{url_quote(path, PATH_SAFE)}{query}")
        request.path_info = path
        point_at(request, tenant)
        request.tenant = tenant
        # Plain data for logs and metrics, which must never load an expired row.
        request.environ[TENANT_SLUG] = tenant.slug
        set_tenant(request.dbsession, tenant.id)
        return handler(request)

    return tenant_tween


def includeme(config):
    # A change to a city or its hosts, committed by any session, empties the caches.
    listen(Session, "before_flush", _touch_tenants_of_changed_hosts)
    listen(Session, "after_flush", _note_tenant_changes)
    listen(Session, "after_commit", _forget_changed_tenants)
    # Under the exception view tween, so an unknown tenant renders the ordinary 404 page; over
    # the router, so routing sees the path with any /t/<slug> prefix already moved aside.
    config.add_tween("col_core.tenancy.resolve.tenant_tween_factory", under=EXCVIEW)
