"""Many wall displays and operators against the production layout.

gunicorn (2 workers, gthread) serves a private demo data directory while ONE
`python -m pipeline schedule` process publishes a new snapshot every minute.
N simulated displays each load a screen and then behave as the browser does:
the heartbeat every --poll seconds, and, when the snapshot id changes, the very
callback requests chromium sent for that screen (recorded first, replayed with
the new id). 20 operators drill into regions and export CSVs. Reports latency
p50/p95/p99, throughput, errors, and worker CPU and memory over time.

    .venv/bin/python -m bench.load [--displays 50,200,500] [--minutes 5] [--poll 15]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from bench.common import CHROMIUM_ARGS, PROJECT, demo_data_dir, free_port, wait_until_up
SCREENS = ["/", "/economy", "/emergency", "/cloud", "/sharing"]


def record(url: str, data_dir: Path, settings) -> dict:
    """For each screen: the callback bodies of a first load and of a snapshot change."""
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
            old = page.get_attribute("#cockpit", "data-snapshot")
            run_pipeline(settings)
            page.wait_for_function(f"document.querySelector('#cockpit').dataset.snapshot !== '{old}'")
            page.wait_for_timeout(2500)
            rec[path] = {"load": first, "change": [x.replace(old, "{SNAP}") for x in bodies], "snap": old}
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


def request(conn_box: list, port: int, method: str, path: str, body: str | None, stats: Stats, kind: str) -> bytes:
    t0 = time.perf_counter()
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"} if body else {"Accept-Encoding": "gzip"}
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
    """The same callback as the browser sent, for the page scoped to another region."""
    doc = json.loads(body)

    def fix(items):
        for item in items:
            if isinstance(item, list):
                fix(item)
            elif isinstance(item, dict) and item.get("id") == "url" and item.get("property") == "href":
                item["value"] = item["value"].split("?")[0] + f"?region={region}"
    fix(doc.get("inputs", []))
    fix(doc.get("state", []))
    return json.dumps(doc)


def display(port: int, path: str, rec: dict, poll: float, stop: float, stats: Stats):
    conn = [None]
    request(conn, port, "GET", path, None, stats, "index")
    for body in rec["load"]:
        request(conn, port, "POST", "/_dash-update-component", body, stats, "callback")
    shown = json.loads(request(conn, port, "GET", "/api/snapshot", None, stats, "poll") or b"{}").get("id")
    time.sleep(random.uniform(0, poll))
    while time.time() < stop:
        raw = request(conn, port, "GET", "/api/snapshot", None, stats, "poll")
        try:
            current = json.loads(raw).get("id")
        except ValueError:
            current = None
        if current and current != shown:
            for body in rec["change"]:
                request(conn, port, "POST", "/_dash-update-component", body.replace("{SNAP}", current), stats,
                        "refresh")
            shown = current
        time.sleep(poll)


def operator(port: int, rec: dict, stop: float, stats: Stats, regions: list[int]):
    conn = [None]
    while time.time() < stop:
        path = random.choice(SCREENS)
        region = random.choice(regions)
        for body in rec[path]["load"]:   # the same callbacks, for another region
            request(conn, port, "POST", "/_dash-update-component", with_region(body, region), stats, "drill")
        if random.random() < 0.3:
            request(conn, port, "GET", f"/export/economy-rank.csv?region={region}", None, stats, "export")
        time.sleep(random.uniform(2, 6))


def proc_sample(pids: list[int]) -> tuple[float, int]:
    cpu, rss = 0.0, 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().split()
            cpu += (int(stat[13]) + int(stat[14])) / tick
            rss += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return cpu, rss


def worker_pids(master: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().split()[3]) == master:
                    out.append(int(p.name))
            except OSError:
                pass
    return out


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * (len(xs) - 1)))] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--displays", default="50,200,500")
    ap.add_argument("--operators", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--poll", type=float, default=15)
    ap.add_argument("--scale", type=float, default=1.0)
    a = ap.parse_args()
    tmp, settings = demo_data_dir("bench-load-", a.scale, datetime.now().replace(microsecond=0))
    sources = [{"name": c.name, "kind": c.kind, "cadence_seconds": c.cadence_seconds, "options": c.options}
               for c in settings.sources]
    env = {**os.environ, "COCKPIT_DATA_DIR": str(tmp), "COCKPIT_SOURCES": json.dumps(sources)}
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    web_log = open(Path(__file__).resolve().parent / "results" / "load-server.log", "w")
    web = subprocess.Popen([str(gunicorn), "-w", "2", "--threads", "8", "-b", f"127.0.0.1:{port}", "app:server"],
                           cwd=PROJECT, env=env, stdout=web_log, stderr=subprocess.STDOUT)
    sched = None
    results = {"scale": a.scale, "minutes": a.minutes, "poll_s": a.poll, "runs": {}}
    try:
        wait_until_up(f"http://127.0.0.1:{port}", web)
        rec = record(f"http://127.0.0.1:{port}", tmp, settings)
        sched = subprocess.Popen([sys.executable, "-m", "pipeline", "schedule"], cwd=PROJECT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        regions = [370100, 370200, 370300, 370600, 370700, 371300]
        for n in [int(x) for x in a.displays.split(",")]:
            stats = Stats()
            stop = time.time() + a.minutes * 60
            threads = [threading.Thread(target=display, daemon=True,
                                        args=(port, SCREENS[i % len(SCREENS)], rec[SCREENS[i % len(SCREENS)]],
                                              a.poll, stop, stats)) for i in range(n)]
            threads += [threading.Thread(target=operator, daemon=True, args=(port, rec, stop, stats, regions))
                        for _ in range(a.operators)]
            pids = worker_pids(web.pid)
            samples = []
            cpu0, _ = proc_sample(pids)
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
            all_lat = [x for v in stats.lat.values() for x in v]
            run = {"requests": stats.count, "throughput_rps": stats.count / (a.minutes * 60),
                   "errors": len(stats.errors), "error_kinds": sorted(set(stats.errors))[:10],
                   "latency_ms": {k: {"p50": 1000 * pct(v, .5), "p95": 1000 * pct(v, .95), "p99": 1000 * pct(v, .99),
                                      "n": len(v)} for k, v in stats.lat.items()},
                   "all_p95_ms": 1000 * pct(all_lat, .95), "workers": samples}
            results["runs"][str(n)] = run
            print(f"N={n:4d}: {stats.count} requests, {run['throughput_rps']:.0f}/s, errors {len(stats.errors)}, "
                  f"p95 all {run['all_p95_ms']:.0f} ms, " + ", ".join(
                      f"{k} p50/p95/p99 {v['p50']:.0f}/{v['p95']:.0f}/{v['p99']:.0f}"
                      for k, v in run["latency_ms"].items()) +
                  f"; worker CPU {samples[-1]['cpu_s'] if samples else 0} s, RSS {samples[-1]['rss_mb'] if samples else 0} MB",
                  flush=True)
    finally:
        if sched:
            sched.terminate()
        web.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    dest = Path(__file__).resolve().parent / "results" / "load.json"
    dest.write_text(json.dumps(results, indent=1))
    print("written", dest)


if __name__ == "__main__":
    main()
