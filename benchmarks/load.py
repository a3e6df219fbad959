"""Load: a network of cities served by gunicorn, driven by wrk, and a race for the last places.

    python -m benchmarks load [--small] [--cities 50] [--activities 100000] [--learners 200000]
        [--duration 10] [--connections 16] [--workers 4] [--databases postgresql,sqlite]

On PostgreSQL (a database of its own on 127.0.0.1:5432, created and dropped here) it seeds a
network (``benchmarks.load_seed``: cities, activities, learners, joins, issued badges), starts
the app under gunicorn (``--workers`` sync workers, loopback only) beside a bare Pyramid view
served by the same processes, and drives each with wrk (Debian package ``wrk``), one run per
route type and one for a realistic mix, each bounded by ``--duration`` seconds and
``--requests`` answers:

* city home ``/``, search ``/api/v1/search``, map viewport ``/api/v1/activities.geojson``, an
  activity's page, sign-in (a form POST with the CSRF token of an anonymous session fetched
  beforehand: every one checks the password's Argon2 hash), join (a form POST by a signed-in
  learner of the city: joined, or waitlisted when the activity is full) and badge
  verification (the hosted Open Badges assertion a verifier fetches);
* for each: answers per second, p50 and p99 latency, 5xx answers and socket errors (0
  expected) and 4xx answers (expected refusals, such as the sign-in throttle's 429), beside the
  bare view's figures and the ratio.

Then the race: ``--race-learners`` signed-in learners POST a join for the same activity at the
same moment, with ``--race-places`` places left; the database must then hold exactly as many
joined as the activity has places.  The race also runs on SQLite (a file database shared by
the gunicorn workers) on a small network of its own.  Prints a table per database and, as the
last line, ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.discovery import (
    SECRET,
    BenchDatabase,
    postgresql_available,
    search_paths,
    viewport_paths,
)
from benchmarks.load_seed import PASSWORD, Network, seed_network

BASE_DOMAIN = "bench.test"
LUA = Path(__file__).with_name("load.lua")
ROUTES = ["home", "search", "map", "activity", "signin", "join", "badge"]
# Shares of the mix: mostly browsing, some joining and signing in, verifiers now and then.
MIX = {
    "home": 15,
    "search": 25,
    "map": 20,
    "activity": 25,
    "signin": 2,
    "join": 8,
    "badge": 5,
}
SIZES = {"cities": 50, "activities": 100_000, "learners": 200_000}
SMALL = {"cities": 5, "activities": 5_000, "learners": 10_000}
# The SQLite race runs on a network of its own, just big enough for the crowd.
SQLITE_RACE_SIZES = {"cities": 1, "activities": 200}


# -- the server ----------------------------------------------------------------------------------


class Dispatch:
    """The platform's app, and a bare Pyramid view at ``/__bare`` served by the same process."""

    def __init__(self, full, bare):
        self.full, self.bare = full, bare
        self.registry = full.registry  # what the test servers' gunicorn hooks reach for

    def __call__(self, environ, start_response):
        app = self.bare if environ.get("PATH_INFO") == "/__bare" else self.full
        return app(environ, start_response)


def paste_app(global_config, **settings):
    """Paste app factory (``call:benchmarks.load:paste_app``) of the served :class:`Dispatch`."""
    from pyramid.config import Configurator

    from col_core.app import main

    config = Configurator()
    config.add_route("bare", "/__bare")
    config.add_view(
        lambda request: {"status": "ok", "service": "bare"}, route_name="bare", renderer="json"
    )
    return Dispatch(main(global_config, **settings), config.make_wsgi_app())


def app_settings(database: BenchDatabase, data_dir: Path) -> dict:
    return {
        "col.database_url": database.url,
        "col.database_owner_url": database.owner_url,
        "col.secret": SECRET,
        "col.data_dir": str(data_dir),
        "col.base_domain": BASE_DOMAIN,
        "col.public_url": f"https://{BASE_DOMAIN}",
        "col.environment": "production",
        "col.search_backend": "database",
    }


def host(slug: str) -> str:
    return f"{slug}.{BASE_DOMAIN}"


# -- browsers ------------------------------------------------------------------------------------


class Browsers:
    """Sessions made by the app's own code in this process: signed-in learners (their session
    cookie and CSRF token) and anonymous visitors holding a sign-in form's CSRF token."""

    def __init__(self, settings: dict):
        from col_core.app import make_config

        self.config = make_config(None, environ={}, **settings)
        self.config.commit()

    def session(self, slug: str, user_id: int | None) -> tuple[str, str]:
        """(Cookie header, CSRF token) of a browser on the city's site, signed in as
        ``user_id`` or anonymous."""
        from pyramid.csrf import get_csrf_token
        from pyramid.request import Request
        from pyramid.response import Response
        from pyramid.scripting import prepare

        from col_core.security.models import User
        from col_core.security.policy import login
        from col_core.tenancy.scoping import account_lookup
        from col_core.testing.servers import Client

        environ = Request.blank("/", base_url=f"http://{host(slug)}").environ
        env = prepare(request=Request(environ), registry=self.config.registry)
        request = env["request"]
        try:
            with request.tm:
                if user_id is not None:
                    # As the sign-in finds its account: row-level security lets it through.
                    with account_lookup(request.dbsession) as session:
                        user = session.get_one(User, user_id)
                    login(request, user)
                csrf = get_csrf_token(request)
            response = Response()
            request._process_response_callbacks(response)
        finally:
            env["closer"]()
        client = Client(0, host(slug))
        client.remember(response.headers.getall("Set-Cookie"))
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        return cookie, csrf

    def close(self) -> None:
        self.config.registry["col.engine"].dispose()


# -- requests ------------------------------------------------------------------------------------


def request_lines(network: Network, browsers: Browsers, count: int, seed: int = 5) -> dict:
    """Per route type, ``count`` requests as the wrk script reads them."""
    rng = random.Random(seed)
    slugs = dict(network.cities)
    cities = [tenant_id for tenant_id, _ in network.cities]

    def line(method, path, tenant_id, cookie="", body=""):
        return "\t".join([method, path, host(slugs[tenant_id]), cookie, body])

    searches, views = search_paths(count), viewport_paths(count, unique=False)
    lines: dict[str, list[str]] = {route: [] for route in ROUTES}
    signed_in = _signed_in(network, browsers, rng, min(count, 200))
    visitors = _visitors(network, browsers, rng, min(count, 50))
    badged = [tenant_id for tenant_id in cities if network.assertions.get(tenant_id)]
    for number in range(count):
        city = rng.choice(cities)
        lines["home"].append(line("GET", "/", city))
        lines["search"].append(line("GET", searches[number], city))
        lines["map"].append(line("GET", views[number], city))
        lines["activity"].append(
            line("GET", f"/activities/{rng.choice(network.activities[city])}", city)
        )
        tenant_id, email, cookie, csrf = visitors[number % len(visitors)]
        form = {"csrf_token": csrf, "email": email, "password": PASSWORD}
        lines["signin"].append(line("POST", "/signin", tenant_id, cookie, urlencode(form)))
        tenant_id, cookie, csrf = signed_in[number % len(signed_in)]
        # Anything but the raced activity, whose last places are kept for the race.
        activity = rng.choice(
            [a for a in network.activities[tenant_id] if a != network.race_activity]
        )
        body = urlencode({"csrf_token": csrf})
        lines["join"].append(line("POST", f"/activities/{activity}/join", tenant_id, cookie, body))
        if badged:
            city = rng.choice(badged)
            uid = rng.choice(network.assertions[city])
            lines["badge"].append(line("GET", f"/badges/assertions/{uid}.json", city))
    mix = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    lines["mix"] = [lines[route][number] for number, route in enumerate(mix) if lines[route]]
    return lines


def _signed_in(network, browsers, rng, count) -> list[tuple[int, str, str]]:
    """(city, cookie, csrf) of ``count`` learners signed in at home (not the race's crowd)."""
    racers = set(network.race_learners)
    found = []
    for number in range(count):
        tenant_id, _ = network.cities[number % len(network.cities)]
        user_id, _ = rng.choice(
            [learner for learner in network.learners[tenant_id] if learner[0] not in racers]
        )
        found.append((tenant_id, *browsers.session(dict(network.cities)[tenant_id], user_id)))
    return found


def _visitors(network, browsers, rng, count) -> list[tuple[int, str, str, str]]:
    """(city, email, cookie, csrf) of ``count`` anonymous visitors about to sign in."""
    found = []
    for number in range(count):
        tenant_id, slug = network.cities[number % len(network.cities)]
        _, email = rng.choice(network.learners[tenant_id])
        found.append((tenant_id, email, *browsers.session(slug, None)))
    return found


# -- wrk -----------------------------------------------------------------------------------------


def wrk(port: int, lines: list[str], workdir: Path, args) -> dict:
    """One bounded wrk run over ``lines``; its counts, answers per second and latencies."""
    path = workdir / "requests.txt"
    path.write_text("\n".join(lines) + "\n")
    threads = min(args.threads, args.connections)
    command = [
        args.wrk,
        f"--threads={threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        "--timeout=10s",
        f"--script={LUA}",
        f"http://127.0.0.1:{port}",
        "--",
        str(path),
        str(args.requests // threads),
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=args.duration + 60
    ).stdout
    found = json.loads(next(row for row in output.splitlines() if row.startswith("WRK "))[4:])
    settle(port, args.workers)
    seconds = found.pop("duration_us") / 1e6
    return {
        "rps": round(found["requests"] / seconds, 1),
        "p50_ms": round(found.pop("p50_us") / 1000, 2),
        "p99_ms": round(found.pop("p99_us") / 1000, 2),
        **found,
    }


def settle(port: int, workers: int) -> None:
    """Wait until the requests wrk left queued when it stopped are answered, so that the next
    run starts on idle workers: a request for each worker, sent now, is accepted after them."""
    from col_core.testing.servers import Client, burst

    client = Client(port, "127.0.0.1")
    burst(partial(client.request, "GET", "/__bare", timeout=600) for _ in range(2 * workers))


def drive(port: int, lines: dict, workdir: Path, args) -> dict:
    # Warm every worker (templates compiled, caches filled) before anything is measured.
    warm = argparse.Namespace(**{**vars(args), "duration": min(args.duration, 3)})
    wrk(port, lines["mix"], workdir, warm)
    bare = wrk(port, ["GET\t/__bare\t127.0.0.1\t\t"], workdir, args)
    results = {"bare": bare}
    for route in [*ROUTES, "mix"]:
        if not lines[route]:
            continue
        print(f"  wrk: {route}...", file=sys.stderr, flush=True)
        result = wrk(port, lines[route], workdir, args)
        result["ratio"] = round(result["rps"] / bare["rps"], 3)
        results[route] = result
    return results


# -- the race ------------------------------------------------------------------------------------


def race(port: int, network: Network, browsers: Browsers, database: BenchDatabase) -> dict:
    """Every racer POSTs a join for the raced activity at the same moment."""
    from sqlalchemy import select

    from col_core.activities.models import Participation
    from col_core.db import make_engine
    from col_core.testing.servers import Client, burst

    tenant_id, slug = network.cities[0]
    clients = []
    for user_id in network.race_learners:
        cookie, csrf = browsers.session(slug, user_id)
        # The public address is https, where the CSRF check also wants the Origin.
        client = Client(port, host(slug), csrf=csrf, headers={"Origin": f"https://{host(slug)}"})
        client.cookies = dict(part.split("=", 1) for part in cookie.split("; "))
        clients.append(client)
    path = f"/activities/{network.race_activity}/join"
    started = time.perf_counter()
    replies = burst(partial(client.post_form, path) for client in clients)
    seconds = time.perf_counter() - started
    statuses = [reply.status if not isinstance(reply, Exception) else 0 for reply in replies]
    engine = make_engine(database.owner_url)
    with engine.connect() as connection:
        counted = Counter(
            connection.scalars(
                select(Participation.status).where(
                    Participation.activity_id == network.race_activity
                )
            )
        )
    engine.dispose()
    joined = counted.get("joined", 0)
    return {
        "racers": len(clients),
        "capacity": network.race_capacity,
        "joined": joined,
        "waitlisted": counted.get("waitlisted", 0),
        "overbooked": max(0, joined - network.race_capacity),
        "answered_303": statuses.count(303),
        "failed": sum(1 for status in statuses if status == 0 or status >= 500),
        "seconds": round(seconds, 2),
    }


# -- one database --------------------------------------------------------------------------------


def run(kind: str, sizes: dict, args, workdir: Path, plugins) -> dict:
    from col_core.testing.servers import Gunicorn

    database = BenchDatabase(kind, sizes["learners"], workdir)
    data_dir = workdir / f"{kind}-data"
    result: dict = {"sizes": sizes}
    try:
        database.create(plugins)
        print(f"seeding {kind}: {sizes}...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        network = seed_network(
            database.owner_url,
            **sizes,
            race_places=args.race_places,
            race_learners=args.race_learners,
        )
        result["seed_s"] = round(time.perf_counter() - started, 1)
        result["rows"] = network.counts
        settings = app_settings(database, data_dir)
        server = Gunicorn(
            settings,
            workdir / f"{kind}-gunicorn",
            workers=args.workers,
            timeout=300,
            app="call:benchmarks.load:paste_app",
        )
        browsers = Browsers(settings)
        try:
            if kind == "postgresql" or args.wrk_on_sqlite:
                print(f"preparing requests on {kind}...", file=sys.stderr, flush=True)
                lines = request_lines(network, browsers, args.lines)
                result["routes"] = drive(server.port, lines, workdir, args)
            print(f"race on {kind}...", file=sys.stderr, flush=True)
            result["race"] = race(server.port, network, browsers, database)
        finally:
            browsers.close()
            server.close()
    finally:
        database.drop()
    return result


# -- report --------------------------------------------------------------------------------------


def table(kind: str, result: dict) -> str:
    lines = [f"{kind}: seeded in {result['seed_s']} s: {result['rows']}"]
    routes = result.get("routes")
    if routes:
        bare = routes["bare"]
        lines += [
            "| route | requests | per s | vs bare | p50 ms | p99 ms | 2xx | 3xx | 4xx | 5xx "
            "| socket errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for route, row in routes.items():
            ratio = "1" if route == "bare" else f"{row['ratio']:.3f}"
            lines.append(
                f"| {route} | {row['requests']} | {row['rps']:.1f} | {ratio} | {row['p50_ms']:.2f}"
                f" | {row['p99_ms']:.2f} | {row['ok']} | {row['redirected']} | {row['refused']}"
                f" | {row['failed']} | {row['socket_errors'] + row['timeouts']} |"
            )
        lines.append(f"(bare view: {bare['rps']:.1f}/s, p50 {bare['p50_ms']:.2f} ms)")
    race_result = result["race"]
    lines.append(
        f"race: {race_result['racers']} learners for the last places of an activity of "
        f"{race_result['capacity']}: {race_result['joined']} joined, "
        f"{race_result['waitlisted']} waitlisted, {race_result['overbooked']} overbooked, "
        f"{race_result['failed']} failed answers, in {race_result['seconds']} s"
    )
    return "\n".join(lines)


def summary(results: dict) -> dict:
    """Figures and ratios by name, for the RESULT line."""
    flat: dict = {}
    for kind, result in results.items():
        for route, row in result.get("routes", {}).items():
            for name in ("rps", "p50_ms", "p99_ms", "refused", "failed", "socket_errors"):
                flat[f"{kind}_{route}_{name}"] = row[name]
            if route != "bare":
                flat[f"{kind}_{route}_ratio"] = row["ratio"]
        for name, value in result["race"].items():
            flat[f"{kind}_race_{name}"] = value
        flat[f"{kind}_seed_s"] = result["seed_s"]
    return flat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks load", description=__doc__)
    parser.add_argument("--small", action="store_true", help=f"Sizes {SMALL} instead.")
    for name, default in SIZES.items():
        parser.add_argument(f"--{name}", type=int, help=f"(default {default:,})")
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run (10).")
    parser.add_argument("--requests", type=int, default=20000, help="Answers per wrk run, at most.")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16).")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2).")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4).")
    parser.add_argument("--lines", type=int, default=2000, help="Requests listed per route.")
    parser.add_argument("--race-learners", type=int, default=300)
    parser.add_argument("--race-places", type=int, default=5)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--wrk-on-sqlite", action="store_true", help="Also drive SQLite with wrk.")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    args = parser.parse_args(argv)
    sizes = {name: getattr(args, name) or (SMALL if args.small else SIZES)[name] for name in SIZES}
    if not Path(args.wrk).exists() and not shutil.which(args.wrk):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    kinds = args.databases.split(",")
    if "postgresql" in kinds and not postgresql_available():
        print("PostgreSQL does not answer on 127.0.0.1:5432: skipping it.", file=sys.stderr)
        kinds.remove("postgresql")

    from col_core import settings as col_settings
    from col_core.plugins import configured_registry

    plugins = configured_registry(col_settings.load())
    workdir = Path(tempfile.mkdtemp(prefix="col-load-"))
    results = {}
    try:
        for kind in kinds:
            own = sizes
            if kind == "sqlite" and not args.wrk_on_sqlite:
                own = {
                    **SQLITE_RACE_SIZES,
                    "learners": min(sizes["learners"], args.race_learners + 100),
                }
            results[kind] = run(kind, own, args, workdir, plugins)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for kind, result in results.items():
        print(table(kind, result))
    print("RESULT " + json.dumps(summary(results)))
    return 0
