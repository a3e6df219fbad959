"""Resolve ``request.tenant`` once per request, before routing, failing closed.

Order: an exact hostname (a city's custom domain), then ``<slug>.<base domain>``, then the bare
host, which is the global site, or, with a ``/t/<slug>/`` path prefix, the city named there
(for single-domain deployments and local use).  Anything else is a 404 before any view runs.
"""

from __future__ import annotations

import re

from pyramid.httpexceptions import HTTPNotFound
from pyramid.tweens import EXCVIEW
from sqlalchemy import select

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


def find_tenant(session, request, base_domain: str, global_hosts: set[str]) -> Tenant | None:
    hostname = hostname_of(request)
    tenant = session.scalar(
        select(Tenant).join(TenantHost).where(TenantHost.hostname == hostname)
    )
    if tenant is None and base_domain and hostname.endswith("." + base_domain):
        slug = hostname[: -len(base_domain) - 1]
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    elif tenant is None and (hostname == base_domain or hostname in global_hosts):
        match = PATH_PREFIX.match(request.path_info)
        if match:
            tenant = session.scalar(select(Tenant).where(Tenant.slug == match["slug"]))
            if tenant is None:
                return None
            # Routes and generated URLs both see the prefix as the application's mount point.
            request.script_name += f"/t/{match['slug']}"
            request.path_info = match["rest"] or "/"
        else:
            tenant = session.scalar(select(Tenant).where(Tenant.kind == "global"))
    if tenant is None or not tenant.active:
        return None
    return tenant


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

    def tenant_tween(request):
        request.tenant = None
        tenant = find_tenant(request.dbsession, request, base_domain, global_hosts)
        if tenant is None:
            raise UnknownTenant("No city of learning answers at this address.")
        request.tenant = tenant
        set_tenant(request.dbsession, tenant.id)
        return handler(request)

    return tenant_tween


def includeme(config):
    # Under the exception view tween, so an unknown tenant renders the ordinary 404 page; over
    # the router, so routing sees the path with any /t/<slug> prefix already moved aside.
    config.add_tween("col_core.tenancy.resolve.tenant_tween_factory", under=EXCVIEW)
