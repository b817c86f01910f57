"""The whole benchmark suite in one command, then the figures against the targets.

    .venv/bin/python -m bench [--quick | --full] [--only build,soak] [--summary-only] [--readme | --no-readme]

--quick (default, under 10 minutes on 2 cores; results in bench/results/quick/,
so they never overwrite the figures the README quotes): build at scales 1 and 10
once, queries n = 20, pages once, poll on 2 screens, load N = 50 for 1 minute,
soak 90 s (10 s dwell, a snapshot every 30 s).
--full (bench/results/, about an hour): build scales 1, 10, 30 × 3 and China,
queries n = 200, pages × 5, poll, load N = 50, 200, 500 × 5 minutes, soak 30
minutes.

Each benchmark runs as its own process (output in <results>/<name>.log), so
one that fails or overruns is reported and the rest still run. Then
<results>/summary.json is written and the "figures vs targets" table in
bench/README.md regenerated: always after --full; after --quick only while no
full-mode summary exists (or with --readme).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from bench import summary
from bench.common import PROJECT

FULL_DIR = PROJECT / "bench" / "results"
QUICK_DIR = FULL_DIR / "quick"
README = PROJECT / "bench" / "README.md"

# bench.load records what chromium sends on a snapshot change before the load
# starts; the recording browser's heartbeat is what it waits for. The simulated
# displays poll at --poll whatever this says.
LOAD_ENV = {"COCKPIT_POLL_SECONDS": "2"}
# name, arguments, needs the shared scale-1 data directory, time limit in seconds, extra environment
QUICK = [
    ("build", ["--scales", "1,10", "--runs", "1"], False, 240, {}),
    ("queries", ["--n", "20"], True, 180, {}),
    ("pages", ["--runs", "1"], True, 240, {}),
    # the heaviest screen and the wall: each screen costs a build and ~25 s
    ("poll", ["--pages", "/emergency,/wall"], False, 240, {}),
    ("load", ["--displays", "50", "--minutes", "1"], False, 420, LOAD_ENV),
    # a shorter dwell and cadence, so 90 s still show every screen and a few snapshots
    ("soak", ["--minutes", "1.5", "--dwell", "10", "--publish-every", "30"], False, 300, {}),
]
FULL = [
    ("build", ["--scales", "1,10,30", "--runs", "3", "--china"], False, 3 * 3600, {}),
    ("queries", ["--n", "200"], True, 1800, {}),
    ("pages", ["--runs", "5"], True, 1800, {}),
    ("poll", [], False, 900, {}),
    ("load", ["--displays", "50,200,500", "--minutes", "5"], False, 3600, LOAD_ENV),
    ("soak", ["--minutes", "30"], False, 3600, {}),
]


def make_data_dir() -> Path:
    """One scale-1 demo snapshot for the benchmarks that read the current data
    directory (queries, pages), private so nothing else publishes into it."""
    code = ("from datetime import datetime; from bench.common import demo_data_dir; "
            "print(demo_data_dir('bench-run-', 1.0, datetime.now().replace(microsecond=0))[0])")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def stop_group(proc: subprocess.Popen) -> None:
    """Interrupt the benchmark and everything it started (its own session), so its
    finally blocks stop servers and remove temporary data; kill what lingers."""
    for sig, wait in ((signal.SIGINT, 60), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_one(name: str, args: list[str], env: dict, limit: float, out_dir: Path) -> dict:
    result = out_dir / summary.FILES[name]
    log_path = out_dir / f"{name}.log"
    cmd = [sys.executable, "-m", f"bench.{name}", *args]
    print(f"\n=== {name}: {' '.join(cmd[1:])}", flush=True)
    t0 = time.time()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, bufsize=1, start_new_session=True)

        def pump():
            for line in proc.stdout:
                log.write(line)
                log.flush()
                print(f"[{name}] {line}", end="", flush=True)
        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        timed_out = False
        try:
            proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            print(f"[{name}] over its {limit:.0f} s limit: stopping it", flush=True)
            stop_group(proc)
        except KeyboardInterrupt:
            stop_group(proc)
            raise
        reader.join(timeout=10)
    seconds = time.time() - t0
    written = result.exists() and result.stat().st_mtime >= t0
    status = "timeout" if timed_out else "ok" if proc.returncode == 0 and written else "failed"
    print(f"=== {name}: {status} in {seconds:.0f} s (exit {proc.returncode})", flush=True)
    return {"command": " ".join(["python", "-m", f"bench.{name}", *args]), "status": status,
            "exit_code": proc.returncode, "seconds": round(seconds, 1), "log": str(log_path.relative_to(PROJECT))}


def write_summary(mode: str, out_dir: Path, benches: dict, readme: bool | None, started: float) -> list[dict]:
    results = summary.load_results(out_dir)
    rows = summary.summarize(results)
    try:   # keep how the benchmarks not run this time (--only, --summary-only) last ran
        benches = {**(json.loads((out_dir / "summary.json").read_text()).get("benches") or {}), **benches}
    except (OSError, ValueError):
        pass
    now = datetime.now()
    doc = {"mode": mode, "generated": now.isoformat(timespec="seconds"),
           "results_dir": str(out_dir.relative_to(PROJECT)), "benches": benches, "rows": rows}
    if started:
        doc["seconds"] = round(time.time() - started, 1)
    (out_dir / "summary.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False))
    command = f"`.venv/bin/python -m bench --{mode}`"
    heading = (f"Generated by {command} on {now:%Y-%m-%d %H:%M} from `{out_dir.relative_to(PROJECT)}/*.json`"
               + (" (quick mode: short runs, indicative only; the targets are judged on `--full`)"
                  if mode == "quick" else "") + ". Figures are medians with the min–max spread in brackets "
               "where the benchmark repeats a run. " + summary.provenance(results)).rstrip()
    table = summary.markdown(rows, heading)
    print("\n" + table)
    why = "--no-readme"
    if readme is None:
        readme = mode == "full" or not (FULL_DIR / "summary.json").exists()
        why = "it quotes the full-mode figures; --readme replaces them"
    if readme:
        README.write_text(summary.replace_section(README.read_text(), table))
        print(f"\ntable written to {README.relative_to(PROJECT)}")
    else:
        print(f"\n{README.relative_to(PROJECT)} left as is ({why})")
    print(f"summary written to {(out_dir / 'summary.json').relative_to(PROJECT)}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small runs, under 10 minutes (default)")
    mode.add_argument("--full", action="store_true", help="the figures for the README, about an hour")
    ap.add_argument("--only", help="comma-separated benchmarks: " + ",".join(summary.FILES))
    ap.add_argument("--summary-only", action="store_true", help="no runs: summarise the JSON already there")
    rd = ap.add_mutually_exclusive_group()
    rd.add_argument("--readme", action="store_true", default=None, help="always regenerate the README table")
    rd.add_argument("--no-readme", dest="readme", action="store_false", help="never touch the README")
    a = ap.parse_args()
    name = "full" if a.full else "quick"
    plan = FULL if a.full else QUICK
    out_dir = FULL_DIR if a.full else QUICK_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    if not a.full and not (out_dir / ".gitignore").exists():
        (out_dir / ".gitignore").write_text("# Quick-mode results: routine checks, never quoted in the README.\n*\n"
                                            "!.gitignore\n")
    if a.only:
        wanted = set(a.only.split(","))
        unknown = wanted - {p[0] for p in plan}
        if unknown:
            ap.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")
        plan = [p for p in plan if p[0] in wanted]
    started = time.time()
    benches = {}
    if not a.summary_only:
        env = {**os.environ, "COCKPIT_BENCH_RESULTS": str(out_dir), "PYTHONUNBUFFERED": "1"}
        data_dir = None
        try:
            if any(p[2] for p in plan):
                t0 = time.time()
                data_dir = make_data_dir()
                print(f"scale-1 data directory for queries and pages: {data_dir} ({time.time() - t0:.0f} s)")
            for bench, args, needs_data, limit, extra in plan:
                bench_env = {**env, **extra, **({"COCKPIT_DATA_DIR": str(data_dir)} if needs_data else {})}
                benches[bench] = run_one(bench, args, bench_env, limit, out_dir)
        finally:
            if data_dir:
                shutil.rmtree(data_dir, ignore_errors=True)
    write_summary(name, out_dir, benches, a.readme, None if a.summary_only else started)
    if benches:
        print(f"\n{name} run: {time.time() - started:.0f} s; "
              + ", ".join(f"{k} {v['status']} ({v['seconds']:.0f} s)" for k, v in benches.items()))
    if any(v["status"] != "ok" for v in benches.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
