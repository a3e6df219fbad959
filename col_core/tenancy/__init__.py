"""Tenancy: which city a request, command or job works for, and the walls that keep cities apart."""

from col_core.tenancy.scoping import (
    TenantContextError,
    TenantScoped,
    account_lookup,
    bind_person,
    cross_tenant,
    current_tenant_id,
    tenant_context,
)
# The wall's listeners must be in place before the first model is mapped or queried.
from col_core.tenancy import wall  # noqa: E402,F401  (isort: skip)
from col_core.tenancy.models import Tenant, TenantHost  # noqa: E402

__all__ = [
    "Tenant",
    "TenantHost",
    "TenantContextError",
    "TenantScoped",
    "account_lookup",
    "bind_person",
    "cross_tenant",
    "current_tenant_id",
    "tenant_context",
]


def includeme(config):
    config.include("col_core.tenancy.resolve")
