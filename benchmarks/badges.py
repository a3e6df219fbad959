"""Badges benchmark: issuing from a CSV, and the hosted assertion endpoint's throughput.

    python -m benchmarks badges [--rows 10000] [--requests 2000]

In a throwaway data directory (SQLite, outbox mailer on disk) it seeds one city, organisation
and badge class, then measures:

* issuing ``--rows`` badges from a CSV upload's text in one transaction, as the organisers' page
  does (parse + IBadgeIssuer.issue_many + the after-commit emails): wall time, rows per second,
  and how much the process's peak RSS grew while issuing;
* the hosted OB 2.0 assertion endpoint (JSON-LD, ``Accept: application/ld+json``) called
  in-process through the whole WSGI stack (tenant resolution, security, transaction), against a
  bare Pyramid view returning a constant JSON body called the same way; the ratio of the two
  throughputs is what the endpoint costs over Pyramid itself.

Prints a table and, as the last line, ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from webob import Request

from col_core.tenancy.scoping import get_city_row

HOST = "bench.example.test"


def _app(data_dir: Path):
    from col_core.app import make_config
    from col_core.db import migrate

    settings = {
        "col.data_dir": str(data_dir),
        "col.secret": "bench-" + "x" * 40,
        "col.database_url": f"sqlite:///{data_dir / 'bench.sqlite'}",
        "col.base_domain": "example.test",
        "col.public_url": "http://example.test",
        "col.environment": "testing",
    }
    config = make_config(None, **settings)
    config.commit()
    with config.registry["col.engine"].begin() as connection:
        migrate.upgrade(connection, config.registry["col.plugins"])
    return config


def _seed(config) -> int:
    from pyramid.scripting import prepare

    from col_core.organisations.models import Organisation
    from col_core.tenancy.models import Tenant
    from col_core.tenancy.scoping import set_tenant
    from plugins.badges.interfaces import IIssuerKeys
    from plugins.badges.models import BadgeClass

    env = prepare(registry=config.registry)
    request = env["request"]
    with request.tm:
        tenant = Tenant(
            slug="bench",
            name="Bench",
            kind="city",
            country="LT",
            timezone="Europe/Vilnius",
            locales=["en"],
            default_locale="en",
        )
        request.dbsession.add(tenant)
        request.dbsession.flush()
        set_tenant(request.dbsession, tenant.id)
        organisation = Organisation(name="Bench org", slug="bench-org", tenant_id=tenant.id)
        request.dbsession.add(organisation)
        issuer = request.find_service(IIssuerKeys).issuer_for(organisation)
        badge = BadgeClass(
            issuer=issuer,
            name="Bench badge",
            description="For benchmarking",
            criteria="Being counted",
        )
        request.dbsession.add(badge)
        request.dbsession.flush()
        ids = tenant.id, badge.id
    env["closer"]()
    return ids


def _csv(rows: int) -> str:
    rng = random.Random(5)
    lines = ["email,evidence"]
    for number in range(rows):
        evidence = f"https://evidence.example/{number}" if rng.random() < 0.3 else ""
        lines.append(f"learner{number}@example.org,{evidence}")
    return "\n".join(lines) + "\n"


def bench_issue(config, tenant_id: int, class_id: int, rows: int) -> dict:
    from pyramid.scripting import prepare

    from col_core.tenancy.models import Tenant
    from col_core.tenancy.scoping import set_tenant
    from plugins.badges.forms import parse_recipients
    from plugins.badges.interfaces import IBadgeIssuer
    from plugins.badges.models import BadgeClass

    text = _csv(rows)
    env = prepare(registry=config.registry)
    request = env["request"]
    rss_before = _reset_peak_rss_mb()
    started = time.perf_counter()
    with request.tm:
        request.tenant = request.dbsession.get(Tenant, tenant_id)
        set_tenant(request.dbsession, tenant_id)
        parsed, errors = parse_recipients(text)
        badge = get_city_row(request.dbsession, BadgeClass, class_id)
        issued, refused = request.find_service(IBadgeIssuer).issue_many(badge, parsed)
    elapsed = time.perf_counter() - started
    env["closer"]()
    assert not errors and not refused and len(issued) == rows
    return {
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_second": round(rows / elapsed),
        "peak_rss_growth_mb": round(_peak_rss_mb() - rss_before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def _peak_rss_mb() -> float:
    """The process's RSS high-water mark (no tracemalloc: tracing every allocation would slow
    the very thing being timed)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss_mb() -> float:
    """Reset the high-water mark to the current RSS (Linux), so that the growth measured
    afterwards is issuing's own and not the start-up's; returns the starting point."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _peak_rss_mb()


def _throughput(app, paths: list[str], host: str) -> float:
    started = time.perf_counter()
    for path in paths:
        request = Request.blank(
            path, headers={"Accept": "application/ld+json"}, environ={"HTTP_HOST": host}
        )
        response = request.get_response(app)
        assert response.status_int == 200, (path, response.status)
    return len(paths) / (time.perf_counter() - started)


def _bare_app():
    from pyramid.config import Configurator

    with Configurator() as config:
        config.add_route("bare", "/bare")
        config.add_view(
            lambda request: {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"},
            route_name="bare",
            renderer="json",
        )
        return config.make_wsgi_app()


def bench_hosted(config, requests: int) -> dict:
    from sqlalchemy import select

    from col_core.tenancy.scoping import cross_tenant
    from plugins.badges.models import Assertion

    session = config.registry["col.session_factory"]()
    with cross_tenant(session):
        uids = list(session.scalars(select(Assertion.uid).limit(500)))
    session.close()
    rng = random.Random(3)
    paths = [f"/badges/assertions/{rng.choice(uids)}" for _ in range(requests)]
    app = config.make_wsgi_app()
    _throughput(app, paths[:50], HOST)  # warm up caches and templates
    hosted = _throughput(app, paths, HOST)
    bare_app = _bare_app()
    _throughput(bare_app, ["/bare"] * 50, "localhost")
    bare = _throughput(bare_app, ["/bare"] * requests, "localhost")
    return {
        "requests": requests,
        "hosted_rps": round(hosted),
        "bare_rps": round(bare),
        "ratio": round(hosted / bare, 3),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks badges")
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="col-bench-badges-") as folder:
        config = _app(Path(folder))
        tenant_id, class_id = _seed(config)
        issue = bench_issue(config, tenant_id, class_id, args.rows)
        hosted = bench_hosted(config, args.requests)
        config.registry["col.engine"].dispose()
    print(f"{'measure':<44}{'value':>14}")
    print("-" * 58)
    for label, value in [
        (f"CSV issue: {issue['rows']} badges, seconds", issue["seconds"]),
        ("CSV issue: badges per second", issue["rows_per_second"]),
        ("CSV issue: peak memory growth (MB, RSS)", issue["peak_rss_growth_mb"]),
        ("process peak RSS (MB)", issue["peak_rss_mb"]),
        ("hosted assertion: requests per second", hosted["hosted_rps"]),
        ("bare Pyramid view: requests per second", hosted["bare_rps"]),
        ("hosted / bare throughput ratio", hosted["ratio"]),
    ]:
        print(f"{label:<44}{value:>14}")
    print(
        f"{'load average (1 min) / CPUs':<44}{f'{os.getloadavg()[0]:.1f} / {os.cpu_count()}':>14}"
    )
    print(
        "RESULT "
        + json.dumps(
            {
                "benchmark": "badges",
                "database": "sqlite",
                "load_average": round(os.getloadavg()[0], 1),
                "cpus": os.cpu_count(),
                "issue_csv": issue,
                "hosted_assertion": hosted,
            }
        )
    )
    return 0
