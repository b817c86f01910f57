"""Bytes on the wire per auto-refresh poll, when nothing changed and when a new
snapshot was published, for every screen, in headless chromium.

Builds a private demo data directory, serves it, opens each screen, lets three
heartbeats pass (unchanged), then publishes a new snapshot and counts what the
page fetches to update itself in place.

    .venv/bin/python -m bench.poll [--scale 1] [--pages /,/emergency]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

from bench.common import CHROMIUM_ARGS, PROJECT, demo_data_dir, free_port, wait_until_up, write_results
PAGES = ["/", "/economy", "/emergency", "/cloud", "/sharing", "/wall"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--pages", help="comma-separated paths (default: every screen)")
    a = ap.parse_args()
    pages = a.pages.split(",") if a.pages else PAGES
    as_of = datetime(2026, 11, 20, 14, 30)
    tmp, s = demo_data_dir("bench-poll-", a.scale, as_of)
    from pipeline.build import run_pipeline
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "COCKPIT_DATA_DIR": str(tmp), "COCKPIT_POLL_SECONDS": "2"}
    code = ("import sys; from app import create_app; "
            "create_app().run(host='127.0.0.1', port=int(sys.argv[1]), threaded=True)")
    server = subprocess.Popen([sys.executable, "-c", code, str(port)], cwd=PROJECT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    result = {}
    try:
        wait_until_up(url, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium"),
                                        args=CHROMIUM_ARGS)
            for i, path in enumerate(pages):
                ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page)
                cdp.send("Network.enable")
                urls, wire = {}, []
                cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
                cdp.on("Network.loadingFinished",
                       lambda e: wire.append((urls.get(e["requestId"], ""), e["encodedDataLength"])))
                page.goto(url + path, wait_until="networkidle")
                page.wait_for_timeout(2000)
                wire.clear()
                page.wait_for_timeout(6500)                      # three heartbeats, nothing new
                polls = [n for u, n in wire if "/api/snapshot" in u]
                other = sum(n for u, n in wire if "/api/snapshot" not in u)
                unchanged = (sum(polls) + other) / max(len(polls), 1)
                wire.clear()
                old = page.get_attribute("#cockpit", "data-snapshot")
                run_pipeline(s, as_of=as_of + timedelta(days=i + 1))
                page.wait_for_function(f"document.querySelector('#cockpit').dataset.snapshot !== '{old}'")
                page.wait_for_timeout(3000)
                changed = sum(n for u, n in wire)
                callbacks = sum(1 for u, _ in wire if "_dash-update-component" in u)
                result[path] = {"unchanged_poll_bytes": round(unchanged), "changed_poll_bytes": changed,
                                "callbacks_on_change": callbacks}
                print(f"{path:12s} unchanged poll {unchanged:6.0f} B   changed snapshot {changed / 1e3:7.1f} KB "
                      f"({callbacks} callbacks)", flush=True)
                ctx.close()
            browser.close()
    finally:
        server.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    write_results("poll.json", {"scale": a.scale, "pages": result})


if __name__ == "__main__":
    main()
