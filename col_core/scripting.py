"""A request outside HTTP, for commands and background jobs, with a transaction of its own."""

from __future__ import annotations

import contextlib
from typing import Iterator

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
