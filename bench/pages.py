"""Page render time and bytes in headless chromium, on a warm server.

For every screen: time from navigation until every chart has drawn (plotly
charts, maps with their boundaries, the KPI cards' trend images) and, reported
beside it, until every other panel (tables, alert lists) is filled too, with an
empty browser cache and again on a reload
(the wall display's case), bytes on the wire on a first load (empty cache) and a
repeat load (warm cache), and bytes per heartbeat poll. Each figure is the median
of --runs runs with its min-max spread.

    .venv/bin/python -m bench.pages [--url http://127.0.0.1:8050] [--runs 5] [--size 1920x1080]

Without --url it starts the app on the current data directory (COCKPIT_DATA_DIR).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from bench.common import CHROMIUM_ARGS, DRAWN, PROJECT, free_port, wait_until_up, write_results

PAGES = ["/", "/economy", "/emergency", "/cloud", "/sharing", "/indicator?indicator=gdp", "/status", "/wall"]
# Reported beside it: every other panel (tables, alert lists) filled too.
FILLED = """() => [...document.querySelectorAll('.panel-html')].filter(x => x.id).every(x => x.childElementCount > 0)"""


def start_server(port: int) -> subprocess.Popen:
    code = ("import sys; from app import create_app; "
            "create_app().run(host='127.0.0.1', port=int(sys.argv[1]), debug=False, threaded=True)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=PROJECT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc)
    except SystemExit:
        proc.kill()
        raise
    return proc


def measure(url: str, runs: int, size: tuple[int, int], pages: list[str]) -> dict:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS)
        # "On a warm server": every panel of every screen rendered and cached
        # once, as the scheduler's prerender leaves them in production (fetching
        # the index alone renders nothing), so no timed run pays for a render.
        ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
        page = ctx.new_page()
        for path in pages:
            page.goto(url + path)
            page.wait_for_function(FILLED, timeout=120_000)
            page.wait_for_load_state("networkidle")
        ctx.close()
        for path in pages:
            times, warm_times, first_bytes, repeat_bytes, filled, warm_filled = [], [], [], [], [], []
            for _ in range(runs):
                ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page)
                cdp.send("Network.enable")
                wire = {"bytes": 0}
                cdp.on("Network.loadingFinished", lambda e: wire.__setitem__("bytes", wire["bytes"] + e["encodedDataLength"]))
                t0 = time.perf_counter()
                page.goto(url + path)
                page.wait_for_function(DRAWN, timeout=60_000)
                times.append(time.perf_counter() - t0)
                page.wait_for_function(FILLED, timeout=60_000)
                filled.append(time.perf_counter() - t0)
                page.wait_for_load_state("networkidle")
                first_bytes.append(wire["bytes"])
                wire["bytes"] = 0
                t0 = time.perf_counter()
                page.reload()
                page.wait_for_function(DRAWN, timeout=60_000)
                warm_times.append(time.perf_counter() - t0)
                page.wait_for_function(FILLED, timeout=60_000)
                warm_filled.append(time.perf_counter() - t0)
                page.wait_for_load_state("networkidle")
                repeat_bytes.append(wire["bytes"])
                ctx.close()
            out[path] = {
                "render_s": {"median": statistics.median(times), "min": min(times), "max": max(times)},
                "render_warm_browser_s": {"median": statistics.median(warm_times), "min": min(warm_times),
                                          "max": max(warm_times)},
                "all_panels_s": {"median": statistics.median(filled), "min": min(filled), "max": max(filled)},
                "all_panels_warm_browser_s": {"median": statistics.median(warm_filled), "min": min(warm_filled),
                                              "max": max(warm_filled)},
                "first_load_bytes": int(statistics.median(first_bytes)),
                "repeat_load_bytes": int(statistics.median(repeat_bytes)),
            }
            print(f"{path:28s} drawn {out[path]['render_s']['median']:.2f}s "
                  f"({min(times):.2f}-{max(times):.2f}), warm browser "
                  f"{out[path]['render_warm_browser_s']['median']:.2f}s  first {out[path]['first_load_bytes'] / 1e6:.2f} MB  "
                  f"repeat {out[path]['repeat_load_bytes'] / 1e3:.0f} KB; every panel filled "
                  f"{statistics.median(filled):.2f}s, warm browser {statistics.median(warm_filled):.2f}s", flush=True)
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--pages", help="comma-separated paths (default: every screen)")
    a = ap.parse_args()
    size = tuple(int(x) for x in a.size.split("x"))
    proc = None
    url = a.url
    if not url:
        port = free_port()
        proc = start_server(port)
        url = f"http://127.0.0.1:{port}"
    try:
        pages = a.pages.split(",") if a.pages else PAGES
        result = {"size": a.size, "runs": a.runs, "pages": measure(url, a.runs, size, pages)}
    finally:
        if proc:
            proc.terminate()
    write_results(f"pages-{a.size}.json", result)


if __name__ == "__main__":
    main()
