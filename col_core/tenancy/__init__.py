"""Tenancy: which city a request, command or job works for, and the walls that keep cities apart."""

from col_core.tenancy.scoping import (
    CityKeyed,
    TenantContextError,
    TenantScoped,
    account_lookup,
    bind_person,
    cross_tenant,
    current_tenant_id,
    get_city_row,
    tenant_context,
)

# The wall must see every model mapped (its mapper event collects the city-owned tables).
from col_core.tenancy import wall  # noqa: E402  (isort: skip)
from col_core.tenancy.models import Tenant, TenantHost  # noqa: E402

__all__ = [
    "CityKeyed",
    "Tenant",
    "TenantHost",
    "TenantContextError",
    "TenantScoped",
    "account_lookup",
    "bind_person",
    "cross_tenant",
    "current_tenant_id",
    "get_city_row",
    "tenant_context",
]


def includeme(config):
    from col_core.tenancy import scoping

    # The walls on every session and engine of the process: bound city, stamping, criteria,
    # the SQL check (attached here, not at import, and once however many apps are configured).
    scoping.attach_listeners()
    wall.attach_listeners()
    config.include("col_core.tenancy.resolve")
