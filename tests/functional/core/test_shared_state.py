"""Stateless app servers: two app instances on one database (two workers, or two machines)
answer alike right after a city is changed through either, however long their tenant caches
would keep an entry (docs/deployment.md, "What each process keeps").

Within one process a commit that changes a city empties every tenant cache (an after-commit
listener); another process has no such signal.  The tests take that listener away while they
change the city, so the change reaches the apps exactly as one committed by another process."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from col_core.tenancy.models import Tenant, TenantHost
from col_core.tenancy.resolve import _forget_changed_tenants


@contextlib.contextmanager
def as_another_process():
    event.remove(Session, "after_commit", _forget_changed_tenants)
    try:
        yield
    finally:
        event.listen(Session, "after_commit", _forget_changed_tenants)


@pytest.fixture
def two_apps(make_testapp, factories):
    factories.global_site()
    city = factories.tenant("vilnius")
    # An hour of caching: only the freshness check can make them see a change.
    apps = [make_testapp(**{"col.tenant_cache_seconds": "3600"}) for _ in range(2)]
    return city, apps


def test_a_city_changed_elsewhere_is_seen_at_once_by_every_app(two_apps, tenant_request):
    city, apps = two_apps
    for app in apps:
        assert "Vilnius" in app.for_tenant(city).get("/?lang=en").text
    with as_another_process(), tenant_request(city) as request:
        request.dbsession.get(Tenant, city.id).name = "Naujoji Vilnia"
    for app in apps:
        assert "Naujoji Vilnia" in app.for_tenant(city).get("/?lang=en").text


def test_a_city_switched_off_elsewhere_is_gone_at_once_from_every_app(two_apps, tenant_request):
    city, apps = two_apps
    for app in apps:
        app.for_tenant(city).get("/", status=200)
    with as_another_process(), tenant_request(city) as request:
        request.dbsession.get(Tenant, city.id).active = False
    for app in apps:
        app.for_tenant(city).get("/", status=404)


def test_a_host_name_removed_elsewhere_stops_answering_at_once(two_apps, tenant_request):
    city, apps = two_apps
    with tenant_request(city) as request:
        request.dbsession.add(TenantHost(hostname="learn.vilnius.lt", tenant_id=city.id))
    for app in apps:
        app.get("/", extra_environ={"HTTP_HOST": "learn.vilnius.lt"}, status=200)
    with as_another_process(), tenant_request(city) as request:
        request.dbsession.delete(request.dbsession.get(TenantHost, "learn.vilnius.lt"))
    for app in apps:
        response = app.get("/", extra_environ={"HTTP_HOST": "learn.vilnius.lt"}, expect_errors=True)
        assert response.status_int in (400, 404)
