"""A request outside HTTP, for commands and background jobs, with a transaction of its own."""

from __future__ import annotations

import contextlib
from typing import Iterator

from pyramid.request import Request
from pyramid.scripting import prepare

from col_core.tenancy.scoping import set_tenant


@contextlib.contextmanager
def scripted_request(registry, tenant=None, base_url: str | None = None) -> Iterator[Request]:
    """A request whose transaction commits at the end of the block (rolls back on error).

    With ``tenant`` the session works as that city; ``base_url`` (e.g.
    ``http://vilnius.localhost:6543``) is where generated URLs point.
    """
    env = prepare(request=Request.blank("/", base_url=base_url) if base_url else None,
                  registry=registry)
    request = env["request"]
    request.tenant = tenant
    try:
        with request.tm:
            if tenant is not None:
                set_tenant(request.dbsession, tenant.id)
            yield request
    finally:
        env["closer"]()
