"""Operations: is the process up, can it serve, how is it doing, and what did it do.

* ``/healthz``: the process answers (no database, no city: a liveness probe);
* ``/readyz``: the database, the job queue and the file storage are reachable (a readiness
  probe: 200 ``{"status": "ready", "checks": {...}}`` or 503 naming the failed check);
* ``/metrics``: Prometheus metrics (requests by route and status, latency, requests per city,
  the job queue), to the networks in ``col.metrics_allow`` or with ``col.metrics_token``;
* every request gets an id (a sane incoming ``X-Request-ID``, else a new one) returned in
  ``X-Request-ID``, and with ``col.log_format = json`` every log line is one JSON object
  carrying it and the city;
* ``col doctor`` judges a deployment's configuration and says what to fix.

The three paths are the deployment's, not a city's: the tenant tween lets them through at any
allowed host name without resolving a city (``col_core.tenancy.resolve.OPERATIONS_PATHS``).
"""

from col_core.operations.interfaces import IReadiness

__all__ = ["IReadiness"]


def includeme(config):
    from pyramid.tweens import INGRESS

    from col_core.operations.logs import configure_logging
    from col_core.operations.metrics import Metrics
    from col_core.operations.services import readiness_factory
    from col_core.operations.views import metrics_networks

    settings = config.get_settings()
    configure_logging(settings["col.log_format"])
    config.registry["col.metrics"] = Metrics()
    config.registry["col.metrics_networks"] = metrics_networks(settings)
    config.register_service_factory(readiness_factory, IReadiness)
    # Outermost, so the request id exists before anything logs, and the time and status
    # measured are the client's: refusals, error pages and the transaction's commit included.
    config.add_tween("col_core.operations.tweens.observe_tween_factory", under=INGRESS)
    config.add_route("operations.health", "/healthz")
    config.add_route("operations.ready", "/readyz")
    config.add_route("operations.metrics", "/metrics")
    config.scan("col_core.operations.views")
