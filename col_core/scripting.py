"""A request outside HTTP, for commands and background jobs, with a transaction of its own."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pyramid.request import Request
from pyramid.scripting import prepare

from col_core.tenancy.hosts import point_at
from col_core.tenancy.scoping import set_tenant


@contextlib.contextmanager
def scripted_request(registry, tenant=None) -> Iterator[Request]:
    """A request whose transaction commits at the end of the block (rolls back on error).

    With ``tenant`` the session works as that city.  Its URLs are those a web request of
    ``tenant`` gets: the tenant's configured origin (the public URL's when ``tenant`` is None).
    """
    env = prepare(request=Request.blank("/"), registry=registry)
    request = env["request"]
    point_at(request, tenant)
    request.tenant = tenant
    try:
        with request.tm:
            if tenant is not None:
                set_tenant(request.dbsession, tenant.id)
            yield request
    finally:
        env["closer"]()


@contextlib.contextmanager
def city_request(registry, tenant_id: int | None) -> Iterator[Request]:
    """:func:`scripted_request` as the city with ``tenant_id`` (loaded in the same transaction),
    or as no city for None: for background work that recorded only the city's id."""
    from col_core.tenancy.models import Tenant  # the models need the configured metadata

    with scripted_request(registry) as request:
        if tenant_id is not None:
            request.tenant = request.dbsession.get(Tenant, tenant_id)
            set_tenant(request.dbsession, tenant_id)
            point_at(request, request.tenant)  # links lead to the city, as from its pages
        yield request
