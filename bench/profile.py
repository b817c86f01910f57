"""Where a screen's server time goes: the callbacks chromium sends for each
screen, replayed in-process under cProfile, with the render cache empty (what a
new snapshot or a new view costs) and full (what every other display costs).

    .venv/bin/python -m bench.profile [--top 25] [--region 370200]

The callbacks are recorded from a real browser first (bench.load.record), so
the profile covers exactly the requests a wall sends. Prints per-screen
milliseconds per pass and the functions with the most cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import time
from datetime import datetime

from bench.common import (demo_data_dir, free_port, production_env, results_dir, start_gunicorn, wait_until_up,
                          warm_workers, write_results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--region", type=int, default=370200, help="the drilled-into view operators ask for")
    a = ap.parse_args()
    from bench.load import record, with_region

    tmp, settings = demo_data_dir("bench-profile-", 1.0, datetime.now().replace(microsecond=0))
    env = production_env(tmp, settings)
    port = free_port()
    web = start_gunicorn(env, port, open(results_dir() / "profile-server.log", "w"))
    try:
        wait_until_up(f"http://127.0.0.1:{port}", web)
        warm_workers(f"http://127.0.0.1:{port}")
        rec = record(f"http://127.0.0.1:{port}", tmp, settings)
    finally:
        web.terminate()
    os.environ.update({k: env[k] for k in ("COCKPIT_DATA_DIR", "COCKPIT_SOURCES")})
    os.environ["COCKPIT_LOG_LEVEL"] = "WARNING"
    from app import create_app

    app = create_app()
    client = app.server.test_client()
    cache = app.server.config["COCKPIT_DB"].cache
    snap = client.get("/api/snapshot").get_json()["id"]
    out = {"snapshot": snap, "passes": {}}

    def replay(label: str, region: int | None, profile: cProfile.Profile | None):
        per_screen = {}
        for path, r in rec.items():
            t0 = time.perf_counter()
            for body in r["load"]:
                b = body.replace("{SNAP}", snap)
                if region:
                    b = with_region(b, region)
                if profile:
                    profile.enable()
                resp = client.post("/_dash-update-component", data=b,
                                   headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"})
                if profile:
                    profile.disable()
                assert resp.status_code in (200, 204), (path, resp.status_code)
            per_screen[path] = round(1000 * (time.perf_counter() - t0), 1)
        out["passes"][label] = per_screen
        print(f"{label:34s} " + "  ".join(f"{k} {v:.0f}" for k, v in per_screen.items())
              + f"  | total {sum(per_screen.values()):.0f} ms", flush=True)

    try:
        replay("whole region, first request", None, None)
        cold, warm = cProfile.Profile(), cProfile.Profile()
        cache.clear()
        app.server.config["COCKPIT_DB"].recent.clear()
        replay(f"region {a.region}, cache empty", a.region, cold)
        replay(f"region {a.region}, cache full", a.region, warm)
        for label, prof in (("cache empty (every panel rendered)", cold), ("cache full (every panel a hit)", warm)):
            # The cockpit's own functions by cumulative time (the web framework's
            # frames above them say nothing), then every function by its own time.
            for title, key, restrict in (("cockpit code, cumulative", "cumulative", r"/(components|pages|queries)/"),
                                         ("all code, own time", "tottime", None)):
                buf = io.StringIO()
                stats = pstats.Stats(prof, stream=buf).sort_stats(key)
                stats.print_stats(*([restrict] if restrict else []), a.top)
                body = buf.getvalue().split("\n\n", 1)[-1].strip()
                print(f"\n--- {label}: {title}\n{body}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_results("profile.json", out)


if __name__ == "__main__":
    main()
