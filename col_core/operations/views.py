"""``/healthz``, ``/readyz`` and ``/metrics``: machine-readable, never cached, read-only."""

from __future__ import annotations

import hmac
import ipaddress

from prometheus_client import CONTENT_TYPE_LATEST
from pyramid.response import Response
from pyramid.view import view_config

from col_core.operations.interfaces import IReadiness
from col_core.settings import as_list

REFUSED = b"Forbidden: /metrics answers the networks of col.metrics_allow, or its bearer token.\n"


def no_store(request) -> None:
    request.response.cache_control = "no-store"


@view_config(route_name="operations.health", renderer="json", request_method=("GET", "HEAD"))
def health(request):
    """The process is up and answers: nothing else is asked (a liveness probe)."""
    no_store(request)
    return {"status": "ok"}


@view_config(route_name="operations.ready", renderer="json", request_method=("GET", "HEAD"))
def ready(request):
    """Everything a request needs is reachable (a readiness probe): 200 or 503."""
    checks = request.find_service(IReadiness).check()
    ready = all(check["status"] == "ok" for check in checks.values())
    no_store(request)
    if not ready:
        request.response.status = 503
    return {"status": "ready" if ready else "unavailable", "checks": checks}


def metrics_allowed(request) -> bool:
    """From a network of ``col.metrics_allow``, or with ``Authorization: Bearer
    <col.metrics_token>``."""
    settings = request.registry.settings
    token = settings.get("col.metrics_token", "")
    offered = request.headers.get("Authorization", "")
    if (
        token
        and offered.startswith("Bearer ")
        and hmac.compare_digest(offered.removeprefix("Bearer ").strip().encode(), token.encode())
    ):
        return True
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(client in network for network in request.registry["col.metrics_networks"])


def metrics_networks(settings) -> tuple:
    """``col.metrics_allow`` parsed (addresses or networks, e.g. ``10.0.0.0/8 ::1``)."""
    try:
        return tuple(
            ipaddress.ip_network(item, strict=False)
            for item in as_list(settings.get("col.metrics_allow", ""))
        )
    except ValueError as error:
        raise ValueError(f"col.metrics_allow (COL_METRICS_ALLOW): {error}") from error


@view_config(route_name="operations.metrics", request_method="GET")
def metrics(request):
    if not metrics_allowed(request):
        # For an operator's scraper, not a person: plain text, no sign-in page to go to.
        return Response(
            status=403,
            content_type="text/plain",
            charset="utf-8",
            cache_control="no-store",
            body=REFUSED,
        )
    registry = request.registry
    body = registry["col.metrics"].exposition(
        registry["col.session_factory"], registry["col.jobs"].huey
    )
    response = Response(body=body, content_type=CONTENT_TYPE_LATEST.split(";")[0], charset="utf-8")
    response.cache_control = "no-store"
    return response
