"""Discovery benchmark: search and the map's GeoJSON viewport, through the app under gunicorn.

    python -m benchmarks discovery [--sizes 10000,100000] [--large] [--requests 1000] [--map-only]

Seeds a city with N synthetic activities (search documents) on each database (SQLite with FTS5
and R*Tree; PostgreSQL with tsvector/GIN when it answers on 127.0.0.1:5432) and, at sizes up to
``--whoosh-max``, in a Whoosh index too.  For each, it starts gunicorn (2 sync workers) on
127.0.0.1 and measures with a fixed number of requests from local client processes:

* search latency p50/p95 (one client, sequential) and throughput (4 clients), also with typo
  tolerance off (``exact=1``: ``typo_cost`` is the share of throughput it costs) and for
  misspelt words, each corrected and searched again (``typo_*``);
* GeoJSON viewport throughput: tile-aligned viewports as the map asked for them before tiles
  (100 to 2,000 features; repeated views hit the ETag-keyed cache) and unique viewports (every
  one computed);
* the map's tiles (``/api/v1/map/tiles/{z}/{x}/{y}.geojson``, as the map's script asks for
  them: the tiles under a 1024 x 768 view at map zooms 12 to 16, ``lang=en``): fresh tiles
  (``map_tile_fresh_*``: never asked before, every one computed), fresh viewports
  (``map_viewport_fresh_*``: every tile of a view, computed, per second), pans
  (``map_pan_reuse_*``: a view moved a quarter of its width eight times, each pan asking only
  for the tiles the client has not got, computed) and tiles asked again (``map_tile_cached_*``:
  answered from the workers' ETag-keyed cache, as a CDN would);
* skill matching (database backends): a second city with the same activities, each also
  tagged with 1 to 3 of 200 synthetic skills labelled in English and Lithuanian (a preferred and
  two alternative labels each), answers the same searches (``skill_search_rps``; ``skill_cost``
  is the share of throughput the labels cost, ``typo_skill_cost`` that of typo tolerance and
  skill labels together, against the first city with ``exact=1``) and searches for skill
  labels' words (``skill_hit_*``); ``--no-skills`` leaves it out;
* a bare Pyramid view returning a constant JSON body, served by the same gunicorn, as the
  baseline, measured first and last (``bare_start_rps``, ``bare_end_rps``, five times the
  requests of the other measurements each); every throughput is also given as a ratio to their
  mean (``bare_rps``).

Every throughput is timed from the moment its client processes have all started, once both
gunicorn workers answer.

Prints a table and, as the last line, ``RESULT {json}``.  Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import itertools
import json
import math
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from col_core.testing.servers import free_port

HOST = "bench.bench.test"
WORKERS = 2  # gunicorn's sync workers: one per core of the reference machine
# The bare view answers in a fraction of a millisecond: five times the requests of a
# measurement make its sample last as long as a second or two, not a few tenths.
BARE_SAMPLE = 5
SKILLED_HOST = "skilled.bench.test"  # the same activities, tagged with skills
CENTRE = (54.6872, 25.2797)
CATEGORIES = ["arts", "science", "sport", "tech", "nature", "languages", "music", "food"]
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# The app logs in to PostgreSQL as an ordinary role, as production requires; row-level security
# binds its transactions with a key derived from the secret, which the migration stores.
APP_ROLE, APP_PASSWORD = "col_bench_app", "col_bench_app"
SECRET = secrets.token_urlsafe(48)


# -- synthetic city -----------------------------------------------------------------------------


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "ta",
        "vi",
        "so",
        "ža",
        "de",
        "ši",
        "ber",
        "lan",
        "tor",
        "mus",
        "ik",
        "ar",
        "en",
        "gal",
        "pė",
        "dan",
        "ce",
        "work",
        "shop",
        "art",
    ]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic_skills(words: list[str], count: int = 200, seed: int = 23) -> list[tuple]:
    """(uri, labels) of ``count`` skills, each with a preferred and two alternative labels in
    English and in Lithuanian, of two or three words of the vocabulary."""
    rng = random.Random(seed)
    common = words[50:2000]
    return [
        (
            f"http://bench.test/skill/{number}",
            tuple(
                (language, " ".join(rng.sample(common, rng.randint(2, 3))))
                for language in ("en", "lt")
                for _ in range(3)
            ),
        )
        for number in range(count)
    ]


def synthetic_documents(count: int, seed: int = 7, skills: bool = False):
    """The city's activities; with ``skills``, each also tagged with 1 to 3 synthetic skills
    (their own random numbers: the activities are otherwise the same)."""
    from col_core.activities.search.query import Document

    rng = random.Random(seed)
    words = vocabulary(rng)
    pool = synthetic_skills(words) if skills else []
    tagging = random.Random(seed + 1)
    # Zipf-like, as in real text; cumulated once (choices() would cumulate them on every call,
    # which took most of a million documents' build), the same draws.
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for number in range(count):
        title = rng.choices(words, cum_weights=weights, k=rng.randint(3, 6))
        body = rng.choices(words, cum_weights=weights, k=rng.randint(20, 40))
        starts = now + dt.timedelta(hours=rng.randint(1, 24 * 180))
        online = rng.random() < 0.1
        tags = tagging.sample(pool, tagging.randint(1, 3)) if pool else []
        yield Document(
            kind="activity",
            key=str(number + 1),
            title=" ".join(title).capitalize(),
            body=" ".join(body),
            category=rng.choice(CATEGORIES),
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            lat=None if online else CENTRE[0] + rng.gauss(0, 0.05),
            lon=None if online else CENTRE[1] + rng.gauss(0, 0.08),
            online=online,
            in_person=not online,
            price=rng.choice([0, 0, 500, 1500]),
            languages=tuple(rng.sample(["lt", "en", "ru", "pl"], rng.randint(1, 2))),
            skills=tuple(uri for uri, _ in tags),
            skill_labels=tuple(label for _, labels in tags for label in labels),
        )


def search_paths(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    words = vocabulary(random.Random(7))
    # Content words: neither the few that nearly every document holds (nobody searches for
    # "the") nor the rarest.
    common = words[50:1000]
    paths = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.5:
            q, filters = rng.choice(common), ""
        elif kind < 0.8:
            q, filters = f"{rng.choice(common)} {rng.choice(words)[:4]}", ""  # as-you-type
        else:
            q, filters = rng.choice(common), f"&category={rng.choice(CATEGORIES)}&free=1"
        paths.append(f"/api/v1/search?q={quote(q)}&limit=20{filters}")
    return paths


def skill_paths(count: int, seed: int = 19) -> list[str]:
    """Searches for a word of a skill's label, whole or as typed (its first letters)."""
    rng = random.Random(seed)
    labels = [
        text for _, labels in synthetic_skills(vocabulary(random.Random(7))) for _, text in labels
    ]
    paths = []
    for _ in range(count):
        word = rng.choice(rng.choice(labels).split())
        q = word if rng.random() < 0.5 else f"{word} "
        paths.append(f"/api/v1/search?q={quote(q)}&limit=20")
    return paths


def typo_paths(count: int, seed: int = 17) -> list[str]:
    """Searches for a content word with two of its letters swapped or one left out, as learners
    mistype: each finds nothing as typed, so typo tolerance corrects and searches again."""
    rng = random.Random(seed)
    words = [word for word in vocabulary(random.Random(7))[50:1000] if len(word) >= 6]
    paths = []
    for _ in range(count):
        word = rng.choice(words)
        at = rng.randrange(1, len(word) - 2)
        if rng.random() < 0.5:
            typo = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        else:
            typo = word[:at] + word[at + 1 :]
        paths.append(f"/api/v1/search?q={quote(typo)}&limit=20")
    return paths


def viewport_paths(count: int, unique: bool, seed: int = 13) -> list[str]:
    """Tile-aligned viewports around the centre (a small set that repeats, as maps do), or
    unique ones (every answer must be computed)."""
    rng = random.Random(seed)
    step = 0.01
    views = []
    pool = 16
    for number in range(count):
        r = rng if unique else random.Random(seed * 1000 + number % pool)
        lat = round((CENTRE[0] + r.uniform(-0.03, 0.03)) / step) * step
        lon = round((CENTRE[1] + r.uniform(-0.05, 0.05)) / step) * step
        half_lat, half_lon = r.choice([(0.01, 0.02), (0.02, 0.03), (0.03, 0.05)])
        if unique:
            lat += number * 1e-7  # never the same question twice
        views.append(
            f"/api/v1/activities.geojson?bbox={lon - half_lon:.7f},{lat - half_lat:.7f},"
            f"{lon + half_lon:.7f},{lat + half_lat:.7f}"
        )
    return views


MAP_VIEW = (1024, 768)  # pixels
MAP_ZOOMS = (12, 13, 14, 15, 16)
TILE_ZOOM_OFFSET = 1  # as plugins/map/static/map.js: a tile covers 512 pixels of the map


def _tile_xy(lat: float, lon: float, z: int) -> tuple[float, float]:
    """Fractional Web-Mercator tile coordinates (mercantile's, without the floor)."""
    import mercantile

    x, y = mercantile.xy(lon, lat)
    half = 20037508.342789244
    n = 2**z
    return (x + half) / (2 * half) * n, (half - y) / (2 * half) * n


def view_tiles(lat: float, lon: float, zoom: int) -> set[tuple[int, int, int]]:
    """The tiles the map's script asks for under a MAP_VIEW view at ``zoom``."""
    z = zoom - TILE_ZOOM_OFFSET
    tile_pixels = 256 * 2**TILE_ZOOM_OFFSET
    cx, cy = _tile_xy(lat, lon, z)
    half_w, half_h = MAP_VIEW[0] / tile_pixels / 2, MAP_VIEW[1] / tile_pixels / 2
    xs = range(int(cx - half_w), int(cx + half_w) + 1)
    ys = range(int(cy - half_h), int(cy + half_h) + 1)
    return {(z, x, y) for x in xs for y in ys}


def tile_path(tile: tuple[int, int, int], fresh: int | None) -> str:
    """A tile's address; ``fresh`` makes it a question never asked before (a date long past
    as ``from=``: the same activities, another answer to compute)."""
    z, x, y = tile
    path = f"/api/v1/map/tiles/{z}/{x}/{y}.geojson?lang=en"
    if fresh is not None:
        path += f"&from={dt.date(1901, 1, 2) + dt.timedelta(days=fresh)}"
    return path


def _random_view(rng: random.Random) -> tuple[float, float, int]:
    lat = CENTRE[0] + rng.gauss(0, 0.03)
    lon = CENTRE[1] + rng.gauss(0, 0.05)
    return lat, lon, rng.choice(MAP_ZOOMS)


def fresh_views(count: int, seed: int = 29, first: int = 0) -> list[list[str]]:
    """Views, each the tiles under it, every one a new question (numbered from ``first``)."""
    rng = random.Random(seed)
    return [
        [tile_path(tile, first + number) for tile in sorted(view_tiles(*_random_view(rng)))]
        for number in range(count)
    ]


def pans(count: int, seed: int = 31, steps: int = 8) -> list[list[str]]:
    """Pans, each the tiles a client that keeps what it fetched asks for (often none): views
    moved a quarter of their width, eight times in one direction, each start a new question."""
    rng = random.Random(seed)
    moves = []
    start = 0
    while len(moves) < count:
        lat, lon, zoom = _random_view(rng)
        held = view_tiles(lat, lon, zoom)
        angle = rng.uniform(0, 2 * 3.14159)
        degrees = MAP_VIEW[0] / 4 * 360 / (256 * 2**zoom)
        dlon, dlat = degrees * math.cos(angle), degrees * math.sin(angle) * 0.58  # cos(lat)
        for step in range(1, steps + 1):
            wanted = view_tiles(lat + dlat * step, lon + dlon * step, zoom)
            moves.append([tile_path(tile, 30_000 + start) for tile in sorted(wanted - held)])
            held |= wanted
        start += 1
    return moves[:count]


# -- databases ----------------------------------------------------------------------------------


def postgresql_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


class BenchDatabase:
    def __init__(self, kind: str, size: int, workdir: Path):
        self.kind = kind
        if kind == "sqlite":
            self.url = self.owner_url = f"sqlite:///{workdir / f'bench-{size}.sqlite'}"
        else:
            self.name = f"col_bench_{size}_{uuid.uuid4().hex[:8]}"
            self.owner_url = PG_SERVER.rsplit("/", 1)[0] + "/" + self.name
            self.url = self.owner_url.replace("postgres@", f"{APP_ROLE}:{APP_PASSWORD}@")

    def create(self, plugins) -> None:
        from sqlalchemy import create_engine, text

        from col_core.db import make_engine, migrate

        if self.kind == "postgresql":
            server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
                exists = connection.scalar(
                    text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
                )
                connection.execute(
                    text(
                        f'{"ALTER" if exists else "CREATE"} ROLE "{APP_ROLE}" LOGIN PASSWORD '
                        f"'{APP_PASSWORD}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                    )
                )
            server.dispose()
        engine = make_engine(self.owner_url)
        with engine.begin() as connection:
            if self.kind == "postgresql":
                migrate.upgrade(connection, plugins, role=APP_ROLE, secret=SECRET)
            else:
                migrate.upgrade(connection, plugins)
        engine.dispose()

    def drop(self) -> None:
        if self.kind == "postgresql":
            from sqlalchemy import create_engine, text

            server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            server.dispose()


def seed(database: BenchDatabase, size: int, whoosh_dir: Path | None, skills: bool) -> dict:
    """Create the city and its documents (and the skilled city's, with ``skills``); returns
    build times in seconds."""
    from sqlalchemy.orm import sessionmaker

    from col_core.activities.search import store
    from col_core.activities.search.services.database import DatabaseSearch
    from col_core.activities.search.services.whoosh_backend import WhooshSearch, apply_change
    from col_core.db import make_engine
    from col_core.tenancy.models import Tenant
    from col_core.tenancy.scoping import tenant_context

    engine = make_engine(database.owner_url)  # the owner: seeding crosses no city's policy
    sessions = sessionmaker(bind=engine)
    times = {}
    with sessions() as session:
        tenant = Tenant(
            slug="bench",
            name="Bench City",
            locales=["en", "lt"],
            default_locale="en",
            timezone="Europe/Vilnius",
            map={"center": list(CENTRE), "zoom": 12},
        )
        session.add(tenant)
        session.commit()
        started = time.perf_counter()
        with tenant_context(session, tenant):
            # A list: its size lets a large rebuild go the bulk way on PostgreSQL (search/bulk.py).
            DatabaseSearch(session, tenant.id, ("en", "lt")).reindex(
                list(synthetic_documents(size))
            )
            session.commit()
        times["database_build_s"] = round(time.perf_counter() - started, 1)
        if skills:
            skilled = Tenant(
                slug="skilled",
                name="Skilled City",
                locales=["en", "lt"],
                default_locale="en",
                timezone="Europe/Vilnius",
                map={"center": list(CENTRE), "zoom": 12},
            )
            session.add(skilled)
            session.commit()
            started = time.perf_counter()
            with tenant_context(session, skilled):
                DatabaseSearch(session, skilled.id, ("en", "lt")).reindex(
                    list(synthetic_documents(size, skills=True))
                )
                session.commit()
            times["skilled_build_s"] = round(time.perf_counter() - started, 1)
    if database.kind == "postgresql":
        # As the database stands once autovacuum has seen the load (`col search reindex`
        # analyses too): without statistics the planner reads every tile through the (city,
        # kind, key) index, the whole city, and without the visibility map no index-only scan.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE search_documents")
    if whoosh_dir is not None:
        with sessions() as session:
            tenant_id = session.query(Tenant.id).filter_by(slug="bench").scalar()
            started = time.perf_counter()
            with tenant_context(session, tenant_id):
                documents = list(store.all_documents(session, tenant_id))
                whoosh = WhooshSearch(session, tenant_id, ("en", "lt"), str(whoosh_dir))
                whoosh.reindex(documents)
                change = store.pending(session, tenant_id, whoosh.languages)
                session.commit()
            # What the app's search.whoosh job does after the commit: no job queue here.
            apply_change(whoosh.path, change)
            times["whoosh_build_s"] = round(time.perf_counter() - started, 1)
    engine.dispose()
    return times


# -- the server ---------------------------------------------------------------------------------


def server_app():
    """gunicorn entry point: the whole app, plus a bare Pyramid app at /__bare as baseline."""
    from pyramid.config import Configurator

    from col_core.app import main

    full = main()
    config = Configurator()
    config.add_route("bare", "/__bare")
    # The worker's pid tells Server.wait when both workers answer.
    config.add_view(
        lambda request: {"status": "ok", "service": "bare", "worker": os.getpid()},
        route_name="bare",
        renderer="json",
    )
    bare = config.make_wsgi_app()

    def dispatch(environ, start_response):
        app = bare if environ.get("PATH_INFO") == "/__bare" else full
        return app(environ, start_response)

    return dispatch


class Server:
    def __init__(self, database: BenchDatabase, backend: str, data_dir: Path):
        self.port = free_port()
        env = dict(
            os.environ,
            COL_DATABASE_URL=database.url,
            COL_DATABASE_OWNER_URL=database.owner_url,
            COL_SEARCH_BACKEND=backend,
            COL_DATA_DIR=str(data_dir),
            COL_BASE_DOMAIN="bench.test",
            COL_SECRET=SECRET,
            COL_PUBLIC_URL="https://bench.test",
            COL_ENVIRONMENT="production",
        )
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "benchmarks.discovery:server_app()",
            ],
            env=env,
            cwd=str(Path(__file__).resolve().parent.parent),
        )

    def wait(self, timeout: float = 180) -> None:
        """Until every worker has loaded the app and answered: a worker still loading would
        leave the first measurement to the other one."""
        deadline = time.monotonic() + timeout
        answered: set[int] = set()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited; see its output above")
            with contextlib.suppress(OSError):
                answered.add(json.loads(fetch(self.port, "/__bare")[1])["worker"])
            if len(answered) == WORKERS:
                return
            time.sleep(0.2)  # not a busy loop beside a worker still loading
        raise RuntimeError(f"{WORKERS - len(answered)} gunicorn worker(s) not up in {timeout} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def fetch(port: int, path: str, host: str = HOST) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _client(args) -> list[float]:
    port, paths, host = args
    latencies = []
    for path in paths:
        started = time.perf_counter()
        status, _ = fetch(port, path, host)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        latencies.append(time.perf_counter() - started)
    return latencies


def _units_client(args) -> int:
    port, units, host = args
    for unit in units:
        _client((port, unit, host))
    return len(units)


def _arrive(barrier) -> None:
    barrier.wait()


def timed_map(function, shares: list) -> tuple[list, float]:
    """``function`` over ``shares``, one client process each, and the seconds they took.  The
    clock starts once every client has started (a spawned process takes up to a second or two
    to import this module: timed, it would count against the fastest views the most)."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(shares) + 1)
    with context.Pool(len(shares), initializer=_arrive, initargs=(barrier,)) as pool:
        barrier.wait(timeout=120)
        started = time.perf_counter()
        results = pool.map(function, shares, chunksize=1)
        return results, time.perf_counter() - started


def unit_throughput(port: int, units: list[list[str]], clients: int = 4) -> tuple[float, float]:
    """(units, requests) per second, each unit (a view's tiles, a pan's) fetched in turn."""
    shares = [(port, units[i::clients], HOST) for i in range(clients)]
    counts, elapsed = timed_map(_units_client, shares)
    done = sum(counts)
    requests = sum(len(unit) for unit in units)
    return round(done / elapsed, 1), round(requests / elapsed, 1)


def tile_features(port: int, views: list[list[str]]) -> tuple[float, float]:
    """(features, activities) per view, mean over the first 20: clusters count once as a
    feature and as their count of activities."""
    features, represented = [], []
    for view in views[:20]:
        n = m = 0
        for path in view:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={"Host": HOST})
            answer = json.loads(connection.getresponse().read())
            connection.close()
            n += len(answer["features"])
            m += answer["total"]
        features.append(n)
        represented.append(m)
    return round(statistics.mean(features)), round(statistics.mean(represented))


def measure_tiles(port: int, result: dict, requests: int) -> None:
    """The map's tiles: fresh ones, fresh views, pans that reuse tiles, and cached tiles."""
    views = fresh_views(max(requests // 6, 20))
    result["map_viewport_features"], result["map_viewport_activities"] = tile_features(
        port, fresh_views(20, seed=37, first=20_000)
    )
    result["map_tiles_per_view"] = round(statistics.mean(len(view) for view in views), 1)
    view_rps, tile_rps = unit_throughput(port, views)
    result["map_viewport_fresh_rps"] = view_rps
    result["map_tile_fresh_rps"] = tile_rps
    fresh = [path for view in fresh_views(requests, seed=41, first=10_000) for path in view][
        :requests
    ]
    result.update({f"map_tile_fresh_{k}": v for k, v in latency(port, fresh).items()})
    moves = pans(requests)
    result["map_requests_per_pan"] = round(statistics.mean(len(move) for move in moves), 2)
    pan_rps, _ = unit_throughput(port, moves)
    result["map_pan_reuse_rps"] = pan_rps
    # Tiles asked again (as many people look at the same place): a few views' tiles, asked
    # once per worker first, fit in each worker's cache of answers (plugins.map.api.BodyCache).
    again = [path for view in views[:8] for path in view]
    _client((port, again * 4, HOST))
    cached = (again * (requests // len(again) + 1))[:requests]
    result["map_tile_cached_rps"] = throughput(port, cached)


def latency(port: int, paths: list[str], host: str = HOST) -> dict:
    _client((port, paths[: min(50, len(paths))], host))  # warm the workers' caches
    values = sorted(_client((port, paths, host)))
    return {
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(values[int(len(values) * 0.95) - 1] * 1000, 2),
    }


def throughput(port: int, paths: list[str], clients: int = 4, host: str = HOST) -> float:
    shares = [(port, paths[i::clients], host) for i in range(clients)]
    latencies, elapsed = timed_map(_client, shares)
    return round(sum(map(len, latencies)) / elapsed, 1)


def features_per_view(port: int, paths: list[str]) -> float:
    counts = []
    for path in paths[:20]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"Host": HOST})
        counts.append(len(json.loads(connection.getresponse().read())["features"]))
        connection.close()
    return round(statistics.mean(counts))


def measure_skills(port: int, searches: list[str], result: dict, requests: int) -> None:
    """The same searches in the skilled city, and searches for its skills' labels."""
    skilled = throughput(port, searches, host=SKILLED_HOST)
    result["skill_search_rps"] = skilled
    result["skill_cost"] = round(1 - skilled / result["search_rps"], 3)
    result["typo_skill_cost"] = round(1 - skilled / result["search_exact_rps"], 3)
    labels = skill_paths(requests)
    result["skill_hit_rps"] = throughput(port, labels, host=SKILLED_HOST)
    result.update(
        {f"skill_hit_{k}": v for k, v in latency(port, labels, host=SKILLED_HOST).items()}
    )


def measure(
    database: BenchDatabase,
    backend: str,
    data_dir: Path,
    requests: int,
    skills: bool,
    map_only: bool = False,
) -> dict:
    server = Server(database, backend, data_dir)
    try:
        server.wait()
        port = server.port
        bare = ["/__bare"] * requests * BARE_SAMPLE
        result = {"bare_start_rps": throughput(port, bare)}
        if map_only:
            measure_tiles(port, result, requests)
            return with_ratios(result, throughput(port, bare))
        searches = search_paths(requests)
        result.update(latency(port, searches))
        result["search_rps"] = throughput(port, searches)
        # Typo tolerance: the same searches with it off (exact=1), and its share of the cost;
        # then misspelt searches, each corrected and searched again.
        result["search_exact_rps"] = throughput(port, [f"{path}&exact=1" for path in searches])
        result["typo_cost"] = round(1 - result["search_rps"] / result["search_exact_rps"], 3)
        typos = typo_paths(requests)
        result["typo_rps"] = throughput(port, typos)
        result.update({f"typo_{k}": v for k, v in latency(port, typos).items()})
        if skills and backend == "database":
            measure_skills(port, searches, result, requests)
        if backend == "database":
            tiled, unique = viewport_paths(requests, False), viewport_paths(requests, True)
            result["geojson_features"] = features_per_view(port, tiled)
            result["geojson_rps"] = throughput(port, tiled)
            result["geojson_uncached_rps"] = throughput(port, unique)
            result.update({f"geojson_uncached_{k}": v for k, v in latency(port, unique).items()})
            measure_tiles(port, result, requests)
        return with_ratios(result, throughput(port, bare))
    finally:
        server.stop()


# Throughputs also given as a share of the bare view's (``NAME_ratio`` beside ``NAME_rps``).
RATIOS = (
    "search",
    "typo",
    "skill_hit",
    "geojson",
    "geojson_uncached",
    "map_viewport_fresh",
    "map_tile_fresh",
    "map_pan_reuse",
    "map_tile_cached",
)


def with_ratios(result: dict, bare_end: float) -> dict:
    """The bare view is measured first and last; the ratios are to the mean of the two, so a
    machine that slows down (or speeds up) during the run moves both sides alike."""
    result["bare_end_rps"] = bare_end
    bare = result["bare_rps"] = round((result["bare_start_rps"] + bare_end) / 2, 1)
    for name in RATIOS:
        if f"{name}_rps" in result:
            result[f"{name}_ratio"] = round(result[f"{name}_rps"] / bare, 3)
    return result


# -- main ---------------------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    columns = [
        "db",
        "backend",
        "size",
        "build_s",
        "p50_ms",
        "p95_ms",
        "search_rps",
        "search_ratio",
        "search_exact_rps",
        "typo_cost",
        "typo_rps",
        "typo_ratio",
        "typo_p95_ms",
        "skill_search_rps",
        "skill_cost",
        "typo_skill_cost",
        "skill_hit_rps",
        "skill_hit_p95_ms",
        "geojson_features",
        "geojson_rps",
        "geojson_ratio",
        "geojson_uncached_rps",
        "geojson_uncached_ratio",
        "map_viewport_features",
        "map_tile_fresh_ratio",
        "map_viewport_fresh_ratio",
        "map_pan_reuse_ratio",
        "map_tile_cached_ratio",
        "bare_rps",
    ]
    widths = {c: max(len(c), *(len(str(row.get(c, ""))) for row in rows)) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="Comma-separated numbers of activities (default 10000,100000).",
    )
    parser.add_argument("--large", action="store_true", help="Also 1,000,000 activities.")
    parser.add_argument(
        "--requests", type=int, default=1000, help="Requests per measurement (default 1000)."
    )
    parser.add_argument(
        "--whoosh-max",
        type=int,
        default=10000,
        help="Largest size also measured on Whoosh (its build takes minutes at "
        "100,000; default 10000).",
    )
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="sqlite and/or postgresql (skipped when not on 127.0.0.1:5432).",
    )
    parser.add_argument(
        "--no-skills",
        action="store_true",
        help="Leave out the skilled city (its build doubles the seeding time).",
    )
    parser.add_argument(
        "--map-only",
        action="store_true",
        help="Measure only the bare view and the map's tiles (no search, no bbox GeoJSON).",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    if args.large:
        sizes.append(1_000_000)
    databases = [
        d
        for d in args.databases.split(",")
        if d == "sqlite" or (d == "postgresql" and postgresql_available())
    ]

    from col_core import settings as col_settings
    from col_core.plugins import configured_registry

    plugins = configured_registry(col_settings.load())
    rows = []
    workdir = Path(tempfile.mkdtemp(prefix="col-bench-"))
    try:
        for size in sizes:
            for kind in databases:
                database = BenchDatabase(kind, size, workdir)
                data_dir = workdir / f"{kind}-{size}"
                whoosh = kind == "sqlite" and size <= args.whoosh_max
                try:
                    database.create(plugins)
                    print(f"seeding {size} activities on {kind}...", file=sys.stderr, flush=True)
                    times = seed(
                        database, size, data_dir / "whoosh" if whoosh else None, not args.no_skills
                    )
                    for backend in ["database"] + (["whoosh"] if whoosh else []):
                        print(
                            f"measuring {backend} on {kind} at {size}...",
                            file=sys.stderr,
                            flush=True,
                        )
                        row = {
                            "db": kind,
                            "backend": "fts5"
                            if backend == "database" and kind == "sqlite"
                            else "tsvector"
                            if backend == "database"
                            else "whoosh",
                            "size": size,
                            "build_s": times[f"{backend}_build_s"],
                        }
                        if backend == "database" and "skilled_build_s" in times:
                            row["skilled_build_s"] = times["skilled_build_s"]
                        row.update(
                            measure(
                                database,
                                backend,
                                data_dir,
                                args.requests,
                                not args.no_skills,
                                args.map_only,
                            )
                        )
                        rows.append(row)
                        print("row " + json.dumps(row), file=sys.stderr, flush=True)
                finally:
                    database.drop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(rows))
    print("RESULT " + json.dumps({"discovery": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
