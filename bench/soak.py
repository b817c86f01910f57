"""Soak: one wall display left running with the carousel and live refresh.

The production layout (gunicorn, 2 workers × 8 threads, plus ONE `python -m
pipeline schedule` publishing a new snapshot every --publish-every seconds) on a
private demo data directory; ONE headless chromium at 1920×1080 on
`/wall?kiosk=1&dwell=<dwell>`, so every screen is shown many times and every
published snapshot is pushed into whatever screen is up. Every --sample-every
seconds, on a settled screen and after a forced garbage collection: the JS heap,
DOM nodes, the memory of the renderer and of all chromium processes (PSS, and
its anonymous + shmem part, which other chromium instances on the machine cannot
move), each gunicorn worker's RSS, and how many snapshot changes and carousel
pages the page has seen. Console errors and failed requests are counted throughout.

Growth is first-vs-last after a warm-up: the baseline is the median of the
samples in the first carousel cycle after the warm-up, the end figure the median
of the last cycle (one cycle = dwell × screens, so both sides average over the
same mix of screens). The slope is a least-squares fit over all samples after
the warm-up.

    .venv/bin/python -m bench.soak [--minutes 30] [--dwell 20] [--publish-every 60]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bench.common import (CHROMIUM_ARGS, DRAWN, demo_data_dir, descendants, free_port, memory_kib, production_env,
                          results_dir, start_gunicorn, start_scheduler, wait_until_up, warm_workers, worker_pids,
                          write_results)

TARGET_BROWSER_GROWTH_PCT = 20.0
# "Worker memory flat" has no number in the issue: allow what allocator noise and
# the caches' steady state cost, not a trend.
TARGET_WORKER_GROWTH_PCT = 10.0
TARGET_MINUTES = 30

# Counted in the page itself: a 1 s poll sees every carousel step (dwell ≥ 5 s)
# and every snapshot change, and costs nothing measurable.
COUNTERS = """(() => {
  const s = window.__soak = {visits: 0, pages: {}, snaps: 0, page: null, snap: null, changed: Date.now()};
  setInterval(() => {
    const slot = document.getElementById('wall-slot'), root = document.getElementById('cockpit');
    const p = slot && slot.getAttribute('data-page'), id = root && root.getAttribute('data-snapshot');
    if (p && p !== s.page) { s.visits += 1; s.pages[p] = (s.pages[p] || 0) + 1; s.page = p; s.changed = Date.now(); }
    if (id && id !== s.snap) { if (s.snap !== null) s.snaps += 1; s.snap = id; s.changed = Date.now(); }
  }, 1000);
})();"""
# Sample a settled screen, not one half-way through a carousel step or a refresh:
# mid-step the DOM and heap hold both screens, which is noise, not growth.
SETTLED_MS = 4000
SETTLED = """ms => window.__soak && Date.now() - window.__soak.changed >= ms
  && !document.querySelector('[data-dash-is-loading="true"]')
  && [...document.querySelectorAll('.js-plotly-plot')].every(x => x._fullData && x.querySelector('.main-svg'))"""


def chromium_memory() -> dict:
    """PSS of the renderer(s) and of every chromium process below this one: all of
    it, and the anonymous + shmem part this browser owns. Other chromium instances
    on the machine (other benchmarks, tests) share the binary's file pages and move
    the total PSS by ~100 MB as they come and go; they cannot share the heaps."""
    total = {"renderer_pss_kib": 0, "renderer_own_kib": 0, "chromium_pss_kib": 0, "chromium_own_kib": 0,
             "chromium_rss_kib": 0, "processes": 0}
    for pid in descendants(os.getpid()):
        try:
            if "chrom" not in os.path.basename(os.readlink(f"/proc/{pid}/exe")):
                continue
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        mem = memory_kib(pid)
        own = mem.get("pss_anon", 0) + mem.get("pss_shmem", 0)
        total["chromium_pss_kib"] += mem.get("pss", 0)
        total["chromium_own_kib"] += own
        total["chromium_rss_kib"] += mem.get("rss", 0)
        total["processes"] += 1
        if b"--type=renderer" in cmd:
            total["renderer_pss_kib"] += mem.get("pss", 0)
            total["renderer_own_kib"] += own
    return total


def worker_rss_mb(master: int) -> dict[str, float]:
    out = {}
    for pid in worker_pids(master):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[str(pid)] = round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
    return out


def trend(points: list[tuple[float, float]], start_s: float, window_s: float) -> dict | None:
    """Growth first-vs-last (medians of a window at each end, from start_s on), max and slope.
    Pure: the runner's summary and the tests read the same numbers."""
    pts = [(t, y) for t, y in points if t >= start_s and y is not None]
    if len(pts) < 2:
        return None
    window_s = min(window_s, (pts[-1][0] - pts[0][0]) / 3)
    first = [y for t, y in pts if t <= pts[0][0] + window_s]
    last = [y for t, y in pts if t >= pts[-1][0] - window_s]
    base, end = statistics.median(first), statistics.median(last)
    mt, my = statistics.fmean(t for t, _ in pts), statistics.fmean(y for _, y in pts)
    var = sum((t - mt) ** 2 for t, _ in pts)
    slope = sum((t - mt) * (y - my) for t, y in pts) / var if var else 0.0
    return {"baseline": round(base, 2), "last": round(end, 2),
            "growth_pct": round(100 * (end - base) / base, 2) if base else None,
            "max": round(max(y for _, y in points if y is not None), 2),
            "slope_per_10min": round(slope * 600, 3),
            "slope_pct_per_10min": round(100 * slope * 600 / base, 2) if base else None,
            "samples": len(pts), "baseline_samples": len(first), "last_samples": len(last)}


def verdict(growth_pct: float | None, limit: float) -> str:
    if growth_pct is None:
        return "no data"
    return "met" if growth_pct <= limit else "missed"


def run(a) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

    as_of = datetime.now().replace(microsecond=0)
    tmp, settings = demo_data_dir("bench-soak-", a.scale, as_of)
    # The scheduler runs each source at its cadence_seconds (COCKPIT_SOURCES).
    settings = replace(settings, sources=tuple(replace(s, cadence_seconds=a.publish_every) for s in settings.sources))
    env = production_env(tmp, settings, COCKPIT_POLL_SECONDS=str(a.poll))
    out_dir = results_dir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web_log = open(out_dir / "soak-server.log", "w")
    sched_log = open(out_dir / "soak-scheduler.log", "w")
    result_logs = {"server_log": web_log.name, "scheduler_log": sched_log.name}
    web = start_gunicorn(env, port, web_log)
    sched = None
    samples: list[dict] = []
    errors: list[str] = []
    failed: list[str] = []
    callbacks: dict[str, int] = {}
    result = {"minutes": a.minutes, "dwell_s": a.dwell, "publish_every_s": a.publish_every, "poll_s": a.poll,
              "scale": a.scale, "sample_every_s": a.sample_every, "warmup_s": a.warmup * 60,
              "started": as_of.isoformat(), "url": "/wall?kiosk=1&dwell=%d" % a.dwell, **result_logs}
    try:
        wait_until_up(url, web)
        warm_workers(url)
        sched = start_scheduler(env, sched_log)

        def on_request(r):
            if "_dash-update-component" not in r.url:
                return
            try:
                changed = json.loads(r.post_data or "{}").get("changedPropIds") or ["(screen load)"]
            except ValueError:
                changed = ["?"]
            key = changed[0].rsplit(".", 1)[0]
            if key.startswith("{"):   # pattern-matching ids: group by component type
                try:
                    key = json.loads(key).get("type", key)
                except ValueError:
                    pass
            callbacks[key] = callbacks.get(key, 0) + 1

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium"),
                                        args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            page = ctx.new_page()
            page.add_init_script(COUNTERS)
            page.on("console", lambda m: errors.append(f"console: {m.text[:300]}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {str(e)[:300]}"))
            page.on("response", lambda r: failed.append(f"{r.status} {r.url[len(url):][:120]}")
                    if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failed.append(f"failed {r.url[len(url):][:120]} {r.failure}"))
            page.on("request", on_request)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(url + result["url"])
            try:
                page.wait_for_function(DRAWN, timeout=60_000)
            except PlaywrightTimeout:   # a wall that never drew is counted, then reloaded once
                errors.append("first load: charts not drawn within 60 s, reloaded")
                page.reload()
                page.wait_for_function(DRAWN, timeout=60_000)
            t0 = time.monotonic()
            end = t0 + a.minutes * 60
            next_sample = t0
            while True:
                now = time.monotonic()
                if now < next_sample:
                    # Playwright's sync API delivers page events only inside its own calls.
                    page.wait_for_timeout(min(1000, (next_sample - now) * 1000))
                    continue
                try:
                    page.wait_for_function(SETTLED, arg=SETTLED_MS, timeout=3 * SETTLED_MS, polling=500)
                except PlaywrightTimeout:   # a screen that never settles is sampled as it is
                    pass
                now = time.monotonic()
                cdp.send("HeapProfiler.collectGarbage")
                m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
                live = page.evaluate("() => ({dom: document.getElementsByTagName('*').length, "
                                     "soak: window.__soak || {}})")
                mem = chromium_memory()
                workers = worker_rss_mb(web.pid)
                s = {"t_s": round(now - t0, 1), "page": live["soak"].get("page"),
                     "js_heap_used_mb": round(m.get("JSHeapUsedSize", 0) / 2**20, 2),
                     "js_heap_total_mb": round(m.get("JSHeapTotalSize", 0) / 2**20, 2),
                     "dom_nodes": live["dom"], "nodes_metric": int(m.get("Nodes", 0)),
                     "listeners": int(m.get("JSEventListeners", 0)), "documents": int(m.get("Documents", 0)),
                     "renderer_pss_mb": round(mem["renderer_pss_kib"] / 1024, 1),
                     "renderer_own_mb": round(mem["renderer_own_kib"] / 1024, 1),
                     "chromium_pss_mb": round(mem["chromium_pss_kib"] / 1024, 1),
                     "chromium_own_mb": round(mem["chromium_own_kib"] / 1024, 1),
                     "chromium_rss_mb": round(mem["chromium_rss_kib"] / 1024, 1),
                     "chromium_processes": mem["processes"],
                     "workers_rss_mb": workers, "workers_rss_total_mb": round(sum(workers.values()), 1),
                     "snapshots_seen": live["soak"].get("snaps", 0), "visits": live["soak"].get("visits", 0),
                     "callbacks": dict(callbacks), "console_errors": len(errors), "failed_requests": len(failed)}
                samples.append(s)
                print(f"t={s['t_s']:6.0f}s  {str(s['page']):10s} heap {s['js_heap_used_mb']:6.1f} MB  "
                      f"dom {s['dom_nodes']:5d}  renderer {s['renderer_own_mb']:6.1f} MB  "
                      f"chromium {s['chromium_own_mb']:6.1f} MB (PSS {s['chromium_pss_mb']:6.1f})  "
                      f"workers {s['workers_rss_total_mb']:6.1f} MB  "
                      f"snapshots seen {s['snapshots_seen']:3d}  visits {s['visits']:4d}  errors {len(errors)}",
                      flush=True)
                if now >= end:
                    break
                next_sample = min(end, next_sample + a.sample_every)
            result["visits_per_page"] = page.evaluate("() => (window.__soak || {}).pages || {}")
            browser.close()
    finally:
        if sched:
            sched.terminate()
            sched.wait(timeout=60)
        web.terminate()
        web.wait(timeout=60)
        web_log.close()
        sched_log.close()
        published = failed_builds = 0
        try:
            for line in (tmp / "snapshots" / "runs.jsonl").read_text().splitlines():
                state = json.loads(line).get("state")
                published += state == "published"
                failed_builds += state == "failed"
        except (OSError, ValueError):
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    # The first snapshot is demo_data_dir's; only the scheduler's count as refreshes.
    result["activity"] = {"snapshots_published": max(0, published - 1), "builds_failed": failed_builds,
                          "snapshots_seen": samples[-1]["snapshots_seen"] if samples else 0,
                          "page_visits": samples[-1]["visits"] if samples else 0,
                          "callbacks": dict(callbacks)}
    result["console_errors"] = len(errors)
    result["console_error_samples"] = errors[:20]
    result["failed_requests"] = len(failed)
    result["failed_request_samples"] = failed[:20]
    result["samples"] = samples
    return result


def analyse(result: dict) -> dict:
    samples = result["samples"]
    pages = max(1, len(result.get("visits_per_page") or {}) or 5)
    warm = result["warmup_s"]
    window = result["dwell_s"] * pages
    result["baseline"] = (f"growth compares the median of the samples in the first carousel cycle "
                          f"({window:.0f} s) after a {warm / 60:g}-minute warm-up with the median of the last cycle")

    def series(key):
        return [(s["t_s"], s.get(key)) for s in samples]

    trends = {k: trend(series(k), warm, window) for k in
              ("js_heap_used_mb", "dom_nodes", "nodes_metric", "listeners", "renderer_own_mb", "chromium_own_mb",
               "renderer_pss_mb", "chromium_pss_mb", "workers_rss_total_mb")}
    per_worker = {}
    for pid in sorted({p for s in samples for p in s["workers_rss_mb"]}):
        per_worker[pid] = trend([(s["t_s"], s["workers_rss_mb"].get(pid)) for s in samples], warm, window)
    trends["worker_rss_mb"] = per_worker
    result["trends"] = trends
    worker_growth = [t["growth_pct"] for t in per_worker.values() if t and t["growth_pct"] is not None]
    act = result["activity"]
    happened = (act["snapshots_seen"] >= 1 and act["page_visits"] >= 2 * pages
                and act["snapshots_seen"] >= act["snapshots_published"] - 2)
    result["verdict"] = {
        "browser_js_heap": verdict((trends["js_heap_used_mb"] or {}).get("growth_pct"), TARGET_BROWSER_GROWTH_PCT),
        "browser_memory": verdict((trends["chromium_own_mb"] or {}).get("growth_pct"), TARGET_BROWSER_GROWTH_PCT),
        "workers_flat": verdict(max(worker_growth) if worker_growth else None, TARGET_WORKER_GROWTH_PCT),
        "duration": "met" if result["minutes"] >= TARGET_MINUTES else "missed",
        "refresh_and_carousel": "met" if happened else "missed",
        "console_errors": "met" if result["console_errors"] == 0 else "missed",
    }
    return result


def report(result: dict) -> None:
    t = result["trends"]
    print(f"\n{result['baseline']}")
    for key, label in (("js_heap_used_mb", "JS heap after GC (MB)"), ("renderer_own_mb", "renderer anon+shm (MB)"),
                       ("chromium_own_mb", "chromium anon+shm (MB)"), ("chromium_pss_mb", "chromium PSS, all (MB)"),
                       ("dom_nodes", "DOM nodes"),
                       ("listeners", "JS event listeners"), ("workers_rss_total_mb", "gunicorn workers RSS (MB)")):
        x = t.get(key)
        if x:
            print(f"  {label:28s} {x['baseline']:9.1f} -> {x['last']:9.1f}  growth {x['growth_pct']:+6.1f} %  "
                  f"max {x['max']:9.1f}  slope {x['slope_per_10min']:+8.2f} per 10 min "
                  f"({x['slope_pct_per_10min']:+.1f} %)")
    for pid, x in t["worker_rss_mb"].items():
        if x:
            print(f"  worker {pid:>7s} RSS (MB)          {x['baseline']:9.1f} -> {x['last']:9.1f}  "
                  f"growth {x['growth_pct']:+6.1f} %  slope {x['slope_per_10min']:+8.2f} per 10 min")
    act = result["activity"]
    print(f"  activity: {act['snapshots_published']} snapshots published, {act['snapshots_seen']} seen by the page, "
          f"{act['page_visits']} carousel pages shown {result.get('visits_per_page')}, callbacks {act['callbacks']}")
    if act.get("builds_failed") or not act["snapshots_published"]:
        print(f"  the scheduler published {act['snapshots_published']} snapshots, {act.get('builds_failed', 0)} builds "
              f"failed: see {result.get('scheduler_log')}")
    print(f"  console errors {result['console_errors']}, failed requests {result['failed_requests']}")
    for line in result["console_error_samples"][:5] + result["failed_request_samples"][:5]:
        print(f"    {line}")
    v = result["verdict"]
    print(f"\nbrowser JS heap growth ≤ {TARGET_BROWSER_GROWTH_PCT:g} %: {v['browser_js_heap']}")
    print(f"browser memory (chromium processes' anonymous + shmem PSS) growth ≤ {TARGET_BROWSER_GROWTH_PCT:g} %: "
          f"{v['browser_memory']}")
    print(f"worker memory flat (each worker ≤ {TARGET_WORKER_GROWTH_PCT:g} % growth): {v['workers_flat']}")
    print(f"soak length ≥ {TARGET_MINUTES} min ({result['minutes']:g} min): {v['duration']}")
    print(f"refresh and carousel really happened: {v['refresh_and_carousel']}")
    print(f"no console errors: {v['console_errors']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--dwell", type=int, default=20, help="carousel seconds per screen (5-3600)")
    ap.add_argument("--publish-every", type=int, default=60, help="scheduler cadence in seconds")
    ap.add_argument("--poll", type=int, default=15, help="heartbeat seconds (COCKPIT_POLL_SECONDS)")
    ap.add_argument("--sample-every", type=float, help="seconds between samples (default 30; 15 under 10 minutes)")
    ap.add_argument("--warmup", type=float, help="minutes before the baseline (default: a fifth of the run, ≤ 5)")
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    if a.sample_every is None:
        a.sample_every = 30 if a.minutes >= 10 else 15
    if a.warmup is None:
        a.warmup = min(5.0, a.minutes / 5)
    result = analyse(run(a))
    report(result)
    write_results("soak.json", result)


if __name__ == "__main__":
    main()
