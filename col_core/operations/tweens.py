"""The observe tween: a request id, the access log line and the request metrics."""

from __future__ import annotations

import logging
import time

from col_core.operations.logs import ACCESS_LOGGER, current_request, request_id, tenant_slug
from col_core.web.headers import carries_secret

REQUEST_ID_HEADER = "X-Request-ID"


def observe_tween_factory(handler, registry):
    metrics = registry["col.metrics"]
    access = logging.getLogger(ACCESS_LOGGER)

    def observe_tween(request):
        request.request_id = request_id(request.headers.get(REQUEST_ID_HEADER))
        token = current_request.set(request)
        started = time.perf_counter()
        status = 500  # unless a response comes back: an exception escaped every error view
        try:
            response = handler(request)
            status = response.status_int
            response.headers[REQUEST_ID_HEADER] = request.request_id
            return response
        finally:
            seconds = time.perf_counter() - started
            route = getattr(request, "matched_route", None)
            route_name = route.name if route is not None else None
            tenant = tenant_slug(request)
            metrics.observe(route_name, request.method, status, tenant, seconds)
            if access.isEnabledFor(logging.INFO):
                # The path only when it carries no secret (a reset token, a claim code).
                path = None if route is not None and carries_secret(request) else request.path_info
                access.info(
                    "%s %s %s",
                    request.method,
                    path or route_name,
                    status,
                    extra={
                        "method": request.method,
                        "route": route_name,
                        "path": path,
                        "status": status,
                        "duration_ms": round(1000 * seconds, 2),
                    },
                )
            current_request.reset(token)

    return observe_tween
