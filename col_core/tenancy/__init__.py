"""Tenancy: which city a request, command or job works for, and the walls that keep cities apart."""

from col_core.tenancy.models import Tenant, TenantHost
from col_core.tenancy.scoping import (
    TenantContextError,
    TenantScoped,
    cross_tenant,
    current_tenant_id,
    tenant_context,
)

__all__ = [
    "Tenant",
    "TenantHost",
    "TenantContextError",
    "TenantScoped",
    "cross_tenant",
    "current_tenant_id",
    "tenant_context",
]


def includeme(config):
    config.include("col_core.tenancy.resolve")
