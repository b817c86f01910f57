"""Many wall displays and operators against the production layout.

gunicorn (2 workers, gthread) serves a private demo data directory while ONE
`python -m pipeline schedule` process publishes a new snapshot every minute.
N simulated displays each load a screen as chromium does (the index, the
layout with the page as its Referer, which brings the panels drawn, and the
frame's callbacks) and then behave as the browser does: the heartbeat every
--poll seconds, and, when the snapshot id changes, the very callback requests
chromium sent for that screen (recorded first, replayed with the new id). 20
operators drill into regions (the callbacks chromium sent for a drill-down,
replayed for other regions) and export CSVs. Reports latency
p50/p95/p99, throughput, errors, and worker CPU and memory over time.

    .venv/bin/python -m bench.load [--displays 50,200,500] [--minutes 5] [--poll 15]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import resource
import shutil
import threading
import time
from datetime import datetime
from pathlib import Path

from bench.common import (CHROMIUM_ARGS, demo_data_dir, free_port, proc_sample, production_env, results_dir,
                          start_gunicorn, start_scheduler, wait_until_up, warm_workers, worker_pids, write_results)
SCREENS = ["/", "/economy", "/emergency", "/cloud", "/sharing"]
# The region the drill-down is recorded for; replays put another in its place.
DRILL_REGION = 370200


def record(url: str, data_dir: Path, settings) -> dict:
    """For each screen: the callback bodies of a first load, of a drill-down
    into DRILL_REGION and of a snapshot change."""
    from pipeline.build import run_pipeline
    from playwright.sync_api import sync_playwright

    rec = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS)
        for path in SCREENS:
            page = b.new_page(viewport={"width": 1920, "height": 1080})
            bodies = []
            page.on("request", lambda r: bodies.append(r.post_data) if "_dash-update-component" in r.url else None)
            page.goto(url + path, wait_until="networkidle")
            page.wait_for_timeout(1500)
            first = list(bodies)
            bodies.clear()
            # a drill-down as a map click makes it: the query string changes in place
            page.evaluate(f"window.dash_clientside.set_props('url', {{search: '?region={DRILL_REGION}'}})")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)
            drill = list(bodies)
            page.evaluate("window.dash_clientside.set_props('url', {search: ''})")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1500)
            bodies.clear()
            old = page.get_attribute("#cockpit", "data-snapshot")
            run_pipeline(settings)
            page.wait_for_function(f"document.querySelector('#cockpit').dataset.snapshot !== '{old}'")
            page.wait_for_timeout(2500)
            new = page.get_attribute("#cockpit", "data-snapshot")
            # Templates: {SNAP} is the snapshot the display asks for, {PREV} the
            # one its charts were drawn from (their className says so, and the
            # server patches only the traces that differ between the two).
            rec[path] = {"load": [x.replace(old, "{SNAP}") for x in first],
                         "drill": [x.replace(old, "{SNAP}") for x in drill],
                         "change": [x.replace(old, "{PREV}").replace(new, "{SNAP}") for x in bodies],
                         "snap": old}
            page.close()
        b.close()
    return rec


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.count = 0

    def add(self, kind: str, seconds: float, ok: bool, what: str = ""):
        with self.lock:
            self.lat.setdefault(kind, []).append(seconds)
            self.count += 1
            if not ok:
                self.errors.append(what)


def request(conn_box: list, port: int, method: str, path: str, body: str | None, stats: Stats, kind: str,
            referer: str | None = None) -> bytes:
    t0 = time.perf_counter()
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"} if body else {"Accept-Encoding": "gzip"}
    if referer:
        headers["Referer"] = referer
    for attempt in (1, 2):
        reused = conn_box[0] is not None
        try:
            if conn_box[0] is None:
                conn_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn_box[0].request(method, path, body=body, headers=headers)
            resp = conn_box[0].getresponse()
            data = resp.read()
            ok = resp.status in (200, 204)
            stats.add(kind, time.perf_counter() - t0, ok, f"{kind} {resp.status}")
            return data
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
            conn_box[0] = None
            if reused and attempt == 1:   # the server closed an idle keep-alive connection: browsers retry too
                continue
            stats.add(kind, time.perf_counter() - t0, False, f"{kind} {type(e).__name__}")
            return b""
        except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the run
            conn_box[0] = None
            stats.add(kind, time.perf_counter() - t0, False, f"{kind} {type(e).__name__}")
            return b""
    return b""


def with_region(body: str, region: int) -> str:
    """The same callback as the browser sent for the drill-down, for another region."""
    return body.replace(f"region={DRILL_REGION}", f"region={region}")


def display(port: int, path: str, rec: dict, poll: float, stop: float, stats: Stats, delay: float = 0.0):
    conn = [None]
    time.sleep(delay)          # walls are switched on over a while, not in the same instant
    request(conn, port, "GET", path, None, stats, "index")
    request(conn, port, "GET", "/_dash-layout", None, stats, "layout", referer=f"http://127.0.0.1:{port}{path}")
    # the page's layout names the current snapshot; its callbacks ask for it
    shown = json.loads(request(conn, port, "GET", "/api/snapshot", None, stats, "poll") or b"{}").get("id") or ""
    for body in rec["load"]:
        request(conn, port, "POST", "/_dash-update-component", body.replace("{SNAP}", shown), stats, "callback")
    time.sleep(random.uniform(0, poll))
    while time.time() < stop:
        raw = request(conn, port, "GET", "/api/snapshot", None, stats, "poll")
        try:
            current = json.loads(raw).get("id")
        except ValueError:
            current = None
        if current and current != shown:
            for body in rec["change"]:
                request(conn, port, "POST", "/_dash-update-component",
                        body.replace("{PREV}", shown).replace("{SNAP}", current), stats, "refresh")
            shown = current
        time.sleep(poll)


def operator(port: int, rec: dict, stop: float, stats: Stats, regions: list[int]):
    conn = [None]
    while time.time() < stop:
        path = random.choice(SCREENS)
        region = random.choice(regions)
        snap = json.loads(request(conn, port, "GET", "/api/snapshot", None, stats, "poll") or b"{}").get("id") or ""
        for body in rec[path]["drill"]:   # the same callbacks, for another region
            request(conn, port, "POST", "/_dash-update-component", with_region(body.replace("{SNAP}", snap), region),
                    stats, "drill")
        if random.random() < 0.3:
            request(conn, port, "GET", f"/export/economy-rank.csv?region={region}", None, stats, "export")
        time.sleep(random.uniform(2, 6))


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1)))] if xs else float("nan")


RENDERED = re.compile(r"cockpit\.render: rendered (\S+) view=(\S+) for snapshot (\S+) in (\d+) ms")


def renders_in(log_path: Path, offset: int) -> tuple[list[tuple[str, str, str, int]], int]:
    """(panel, view, snapshot, ms) of every render the workers computed since
    offset (the app logs one line per computed render), and the new offset."""
    with open(log_path, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        text = f.read()
        return [(m[1], m[2], m[3], int(m[4])) for m in RENDERED.finditer(text)], f.tell()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--displays", default="50,200,500")
    ap.add_argument("--operators", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--poll", type=float, default=15)
    ap.add_argument("--ramp", type=float, help="seconds over which the displays switch on (default: --poll)")
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    ramp = a.poll if a.ramp is None else a.ramp
    tmp, settings = demo_data_dir("bench-load-", a.scale, datetime.now().replace(microsecond=0))
    env = production_env(tmp, settings)
    port = free_port()
    log_path = results_dir() / "load-server.log"
    web_log = open(log_path, "w")
    web = start_gunicorn(env, port, web_log)
    sched = None
    results = {"scale": a.scale, "minutes": a.minutes, "poll_s": a.poll, "ramp_s": ramp, "runs": {}}
    try:
        wait_until_up(f"http://127.0.0.1:{port}", web)
        warm_workers(f"http://127.0.0.1:{port}")
        rec = record(f"http://127.0.0.1:{port}", tmp, settings)
        for path, r in rec.items():
            print(f"{path:12s} callbacks recorded: load {len(r['load'])}, drill-down {len(r['drill'])}, "
                  f"snapshot change {len(r['change'])}", flush=True)
        # The scheduler renders each new snapshot's screens before publishing it:
        # its log holds those renders, part of the work per refresh tick.
        sched_log_path = results_dir() / "load-scheduler.log"
        sched = start_scheduler(env, open(sched_log_path, "w"))
        regions = [370100, 370200, 370300, 370600, 370700, 371300]
        for n in [int(x) for x in a.displays.split(",")]:
            stats = Stats()
            stop = time.time() + a.minutes * 60
            threads = [threading.Thread(target=display, daemon=True,
                                        args=(port, SCREENS[i % len(SCREENS)], rec[SCREENS[i % len(SCREENS)]],
                                              a.poll, stop, stats, random.uniform(0, ramp))) for i in range(n)]
            threads += [threading.Thread(target=operator, daemon=True, args=(port, rec, stop, stats, regions))
                        for _ in range(a.operators)]
            pids = worker_pids(web.pid)
            samples = []
            cpu0, _ = proc_sample(pids)
            gen0 = resource.getrusage(resource.RUSAGE_SELF)
            _, log_offset = renders_in(log_path, 0)
            _, sched_offset = renders_in(sched_log_path, 0)
            for t in threads:
                t.start()
            t_start = time.time()
            while time.time() < stop:
                time.sleep(10)
                cpu, rss = proc_sample(pids)
                samples.append({"t": round(time.time() - t_start), "cpu_s": round(cpu - cpu0, 1),
                                "rss_mb": round(rss / 2**20)})
            for t in threads:
                t.join(timeout=60)
            gen1 = resource.getrusage(resource.RUSAGE_SELF)
            served, _ = renders_in(log_path, log_offset)
            prerendered, _ = renders_in(sched_log_path, sched_offset)
            renders = served + prerendered
            # The displays show the default view ("?"); operators drill into
            # regions. The server's work per refresh tick is what the displays
            # cost per new snapshot, wherever it ran (scheduler or workers):
            # renders shared by all N (should not grow with N).
            walls = [r for r in renders if r[1] == "?"]
            by_snap: dict[str, int] = {}
            for _, _, snap, _ in walls:
                by_snap[snap] = by_snap.get(snap, 0) + 1
            ticks = sorted(by_snap)[1:]     # snapshots published during the run (not the one it started on)
            all_lat = [x for v in stats.lat.values() for x in v]
            run = {"requests": stats.count, "throughput_rps": stats.count / (a.minutes * 60),
                   "errors": len(stats.errors), "error_kinds": sorted(set(stats.errors))[:10],
                   "latency_ms": {k: {"p50": 1000 * pct(v, .5), "p95": 1000 * pct(v, .95), "p99": 1000 * pct(v, .99),
                                      "n": len(v)} for k, v in stats.lat.items()},
                   "all_p50_ms": 1000 * pct(all_lat, .5), "all_p95_ms": 1000 * pct(all_lat, .95),
                   "all_p99_ms": 1000 * pct(all_lat, .99), "workers": samples,
                   "worker_cpu_s": samples[-1]["cpu_s"] if samples else None,
                   "generator_cpu_s": round(gen1.ru_utime + gen1.ru_stime - gen0.ru_utime - gen0.ru_stime, 1),
                   # The server's own work per refresh tick: panel renders computed
                   # per new snapshot, shared by every display (should not grow with N).
                   "renders": len(renders), "operator_renders": len(renders) - len(walls),
                   "prerendered": len(prerendered),
                   "wall_renders_in_workers": sum(1 for r in served if r[1] == "?"),
                   "snapshots_seen": len(by_snap),
                   "wall_renders_per_snapshot": [by_snap[s] for s in ticks],
                   "wall_render_ms_per_snapshot": [sum(ms for _, _, sn, ms in walls if sn == s) for s in ticks]}
            results["runs"][str(n)] = run
            print(f"N={n:4d}: {stats.count} requests, {run['throughput_rps']:.0f}/s, errors {len(stats.errors)}, "
                  f"p50/p95/p99 all {run['all_p50_ms']:.0f}/{run['all_p95_ms']:.0f}/{run['all_p99_ms']:.0f} ms, "
                  + ", ".join(f"{k} p50/p95/p99 {v['p50']:.0f}/{v['p95']:.0f}/{v['p99']:.0f}"
                              for k, v in run["latency_ms"].items()) +
                  f"; worker CPU {run['worker_cpu_s']} s, RSS {samples[-1]['rss_mb'] if samples else 0} MB, "
                  f"generator CPU {run['generator_cpu_s']} s; wall renders per new snapshot "
                  f"{run['wall_renders_per_snapshot']} ({run['prerendered']} by the scheduler before publishing, "
                  f"{run['wall_renders_in_workers']} in workers; {run['operator_renders']} operator renders)",
                  flush=True)
    finally:
        if sched:
            sched.terminate()
        web.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    write_results("load.json", results)


if __name__ == "__main__":
    main()
