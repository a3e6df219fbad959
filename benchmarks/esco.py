"""ESCO import and autocomplete at the official size.

    python -m benchmarks esco [--scale 1.0] [--database-url URL] [--queries 300]
    python -m benchmarks.esco ...

Generates the synthetic ESCO 1.1.1 download (``benchmarks/esco_synth.py``: 14,000 skills,
3,000 occupations, 125,000 occupation-skill relations, English and German), imports it into a
fresh database (SQLite in a temporary folder unless ``--database-url`` names an empty
PostgreSQL database) in one transaction, as ``col esco import`` does, then times
autocomplete queries typed as people type them: prefixes of label words, one to three words,
in both languages.  Prints a table, then ``RESULT {json}`` as the last line.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmarks import esco_synth
from col_core.db import make_engine, migrate
from col_core.plugins import PluginRegistry, load_plugin
from plugins.esco.importer import Importer
from plugins.esco.models import Label
from plugins.esco.services.search import SkillSearch


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def typed_queries(session: Session, count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(text, language) pairs: the first letters of one to three words of random labels."""
    rng = random.Random(seed)
    total = session.scalar(select(func.max(Label.id)))
    queries = []
    while len(queries) < count:
        label = session.get(Label, rng.randint(1, total))
        if label is None:
            continue
        words = label.text.split()
        start = rng.randrange(len(words))
        picked = words[start : start + rng.randint(1, 3)]
        picked[-1] = picked[-1][: rng.randint(2, max(2, len(picked[-1])))]
        queries.append((" ".join(picked), label.language))
    return queries


def run(scale: float, database_url: str | None, queries: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="esco-bench-") as tmp:
        download = Path(tmp) / "download"
        started = time.perf_counter()
        rows_by_file = esco_synth.generate(download, scale=scale)
        generated = time.perf_counter() - started
        engine = make_engine(database_url or f"sqlite:///{tmp}/bench.sqlite")
        plugins = PluginRegistry([load_plugin("esco", "plugins.esco")])
        with engine.begin() as connection:
            migrate.upgrade(connection, plugins)
        rss_before = peak_rss_mib()
        with Session(engine) as session:
            started, cpu_started = time.perf_counter(), time.process_time()
            counts = dict(Importer(session, "1.1.1").run(download).counts)
            session.commit()
            imported = time.perf_counter() - started
            # This process's CPU time: on a busy machine it moves much less than the wall
            # clock (for SQLite it is the whole import; PostgreSQL works in its own process).
            imported_cpu = time.process_time() - cpu_started
        rss_after = peak_rss_mib()
        rows = sum(rows_by_file.values())
        with Session(engine) as session:
            search = SkillSearch(session)
            timings, cpu_timings = [], []
            typed = typed_queries(session, queries)
            search.search(*typed[0])  # warm the page cache once
            for text, language in typed:
                started, cpu_started = time.perf_counter(), time.process_time()
                search.search(text, language, languages=["en", "de"], limit=10)
                timings.append((time.perf_counter() - started) * 1000)
                cpu_timings.append((time.process_time() - cpu_started) * 1000)
        engine.dispose()
    timings.sort()
    cpu_timings.sort()
    return {
        "dialect": engine.dialect.name,
        "scale": scale,
        "csv_rows": rows,
        "generate_s": round(generated, 1),
        "import_s": round(imported, 1),
        "rows_per_s": round(rows / imported),
        "import_cpu_s": round(imported_cpu, 1),
        "peak_rss_mib": round(rss_after, 1),
        "import_rss_growth_mib": round(rss_after - rss_before, 1),
        "closure_rows": counts.get("closure", 0),
        "queries": len(timings),
        "autocomplete_p50_ms": round(statistics.median(timings), 2),
        "autocomplete_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "autocomplete_max_ms": round(timings[-1], 2),
        "autocomplete_cpu_p95_ms": round(cpu_timings[int(len(cpu_timings) * 0.95) - 1], 2),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is the size of ESCO 1.1.1")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args(argv)
    result = run(args.scale, args.database_url, args.queries)
    for key, value in result.items():
        print(f"{key:>24}  {value:,}" if isinstance(value, (int, float)) else f"{key:>24}  {value}")
    print("RESULT " + orjson.dumps({"benchmark": "esco", **result}).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
