"""Full snapshot builds at several demo scales: wall time, peak memory, size.

Each build runs in a fresh process and a fresh data directory (boundaries
copied, so geography is not timed), ingest included. Reports the median and
spread over --runs, and time per million raw rows to show how time grows.

    .venv/bin/python -m bench.build [--scales 1,10,30] [--runs 3] [--china]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import write_results

PROJECT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
from datetime import datetime
from core.settings import Settings, SourceConfig
from pathlib import Path
from pipeline.build import run_pipeline
data, scale, root = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
s = Settings(root_adcode=root, data_dir=data, sources=(SourceConfig("demo", "demo", 60, {"seed": 20231, "scale": scale}),))
t0 = time.perf_counter()
r = run_pipeline(s, as_of=datetime(2026, 11, 20, 14, 30))
print(json.dumps({"seconds": time.perf_counter() - t0, "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "size_bytes": r.size_bytes, "raw_rows": r.raw_rows, "timings": r.timings}))
"""


def geo_for(root: int) -> Path:
    out = PROJECT / "data" / "geo" / str(root)
    subprocess.run([sys.executable, "-m", "pipeline", "geo", "--root", str(root)], cwd=PROJECT, check=True,
                   stdout=subprocess.DEVNULL)
    return out


def one_build(scale: float, root: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(geo_for(root), data / "geo" / str(root))
        out = subprocess.run([sys.executable, "-c", CHILD, str(data), str(scale), str(root)], cwd=PROJECT,
                             capture_output=True, text=True)
        if out.returncode != 0:     # the build's own message, not just an exit status
            raise SystemExit(f"build of root {root} at scale {scale} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def summarize(runs: list[dict]) -> dict:
    secs = [r["seconds"] for r in runs]
    return {"raw_rows": runs[0]["raw_rows"], "seconds": {"median": statistics.median(secs), "min": min(secs),
                                                         "max": max(secs)},
            "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs), "size_bytes": runs[0]["size_bytes"],
            "seconds_per_million_rows": statistics.median(secs) / (runs[0]["raw_rows"] / 1e6),
            "steps": runs[len(runs) // 2]["timings"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10,30")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--china", action="store_true", help="also build the whole country (root 100000)")
    a = ap.parse_args()
    result = {"runs": a.runs, "shandong": {}}
    for scale in [float(x) for x in a.scales.split(",")]:
        s = summarize([one_build(scale, 370000) for _ in range(a.runs)])
        result["shandong"][str(scale)] = s
        print(f"scale {scale:>5}: {s['raw_rows'] / 1e6:6.2f} M raw rows  {s['seconds']['median']:6.1f} s "
              f"({s['seconds']['min']:.1f}-{s['seconds']['max']:.1f})  peak {s['peak_rss_bytes'] / 2**30:.2f} GiB  "
              f"snapshot {s['size_bytes'] / 1e6:.0f} MB  {s['seconds_per_million_rows']:.2f} s/M rows", flush=True)
    if a.china:
        geo = geo_for(100000)
        sizes = {p.name: p.stat().st_size for p in sorted(geo.glob("*.geojson"))}
        s = summarize([one_build(1.0, 100000)])
        result["china"] = {**s, "boundary_bytes": sizes}
        print(f"China  : {s['raw_rows'] / 1e6:6.2f} M raw rows  {s['seconds']['median']:6.1f} s  "
              f"peak {s['peak_rss_bytes'] / 2**30:.2f} GiB  snapshot {s['size_bytes'] / 1e6:.0f} MB  boundaries "
              + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()), flush=True)
    write_results("build.json", result)


if __name__ == "__main__":
    main()
