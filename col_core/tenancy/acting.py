"""Act, within one request, as another city: for work that a person's request causes in every
city their account touches (leaving each city's activities when the account is deleted)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from col_core.tenancy.hosts import point_at
from col_core.tenancy.scoping import tenant_context

# What generated URLs are built from (see Origin.environ); restored when the block ends.
_URL_KEYS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")


@contextlib.contextmanager
def acting_as(request, tenant) -> Iterator[None]:
    """Run a block of ``request`` as ``tenant``, in the same transaction: its rows (the tenant
    filter and stamping), the plugins it enables (``request.hooks``), its settings and
    languages (``request.tenant``) and links to its own site (``request.route_url``)."""
    saved_tenant, saved_hooks = request.tenant, request.hooks
    saved_environ = {key: request.environ.get(key) for key in _URL_KEYS}
    try:
        request.tenant = tenant
        request.hooks = request.registry["col.plugins"].hooks_for(tenant)
        point_at(request, tenant)
        with tenant_context(request.dbsession, tenant):
            yield
    finally:
        request.tenant, request.hooks = saved_tenant, saved_hooks
        for key, value in saved_environ.items():
            if value is None:
                request.environ.pop(key, None)
            else:
                request.environ[key] = value
