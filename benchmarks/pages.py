"""Page weight and first paint on a slow phone network: the city home and the map page.

``python -m benchmarks pages [--city vilnius] [--chromium /usr/bin/chromium]`` starts ``col
demo`` (its example cities and demo data) in a data directory of its own on a free port, then
opens each page in Chromium at 390x844 with an empty cache, its network throttled through the
DevTools protocol (``Network.emulateNetworkConditions``) to slow 3G as Lighthouse defines it:
400 ms round trip, 400 kbit/s down and up.  Requests leaving the server (map tiles, anything on
the internet) are refused and not counted.  For each page it reports the requests made, the
bytes that crossed the network (``encodedDataLength``: compressed bodies and headers), the first
contentful paint and, on the map page, when the first marker showed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from col_core.testing.servers import free_port

SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}
PAGES = [("city home", "/"), ("map", "/map/")]
# Set on the page before its own scripts: when the first marker (or cluster) enters the map.
MARKER_WATCH = """
new MutationObserver((changes, observer) => {
  if (document.querySelector(".leaflet-marker-icon, .marker-cluster")) {
    window.__markersAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def start_demo(data_dir: Path, port: int) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COL_")}
    env["COL_DATA_DIR"] = str(data_dir)
    col = Path(sys.executable).with_name("col")
    log = open(data_dir / "demo.log", "w")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [str(col), "demo", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"col demo exited; see {data_dir / 'demo.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except OSError:
            time.sleep(1)
    process.terminate()
    raise RuntimeError("col demo did not answer within ten minutes")


def measure(browser, origin: str, path: str) -> dict:
    # bypass_csp: the marker watch is a script the pages' policy would refuse.
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en", bypass_csp=True
    )
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(origin) else route.abort(),
    )
    page.add_init_script(MARKER_WATCH)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    local: set[str] = set()
    sizes: dict[str, float] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda event: (
            local.add(event["requestId"]) if event["request"]["url"].startswith(origin) else None
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]),
    )
    page.goto(origin + path, wait_until="load", timeout=300_000)
    markers = None
    if page.locator("#map").count():
        page.wait_for_function("window.__markersAt", timeout=300_000)
        markers = page.evaluate("window.__markersAt")
    page.wait_for_load_state("networkidle", timeout=300_000)
    paint = page.evaluate(
        "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
    )
    done = [request for request in local if request in sizes]
    context.close()
    return {
        "requests": len(done),
        "kb": round(sum(sizes[request] for request in done) / 1000, 1),
        "fcp_s": None if paint is None else round(paint / 1000, 2),
        "markers_s": None if markers is None else round(markers / 1000, 2),
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| page | requests | transferred | first contentful paint | markers shown |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        markers = f"{row['markers_s']:.2f} s" if row["markers_s"] is not None else ""
        lines.append(
            f"| {row['page']} | {row['requests']} | {row['kb']:.1f} kB | {row['fcp_s']:.2f} s"
            f" | {markers} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks pages", description=__doc__)
    parser.add_argument("--city", default="vilnius")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="col-pages-") as folder:
        demo = start_demo(Path(folder), port)
        try:
            origin = f"http://{args.city}.localhost:{port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium)
                rows = [{"page": name, **measure(browser, origin, path)} for name, path in PAGES]
                browser.close()
        finally:
            demo.terminate()
            demo.wait(timeout=30)
    print(f"Slow 3G (400 ms, 400 kbit/s), 390x844, empty cache, tiles excluded; {args.city}")
    print(table(rows))
    print("RESULT " + json.dumps({row["page"]: row for row in rows}))
    return 0
