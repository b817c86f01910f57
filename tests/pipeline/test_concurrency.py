"""Readers in other processes never see a half-built snapshot; one scheduler only."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import replace

from core.snapshots import SnapshotStore
from pipeline.build import run_pipeline
from tests.conftest import AS_OF, settings_env

# A reader process: query in a loop through the real Database class; every
# snapshot it sees must be complete (its own row counts match what it holds).
READER = r"""
import json, os, sys, time
from core.settings import load_settings
from core.snapshots import SnapshotStore
from queries.database import Database
s = load_settings()
db = Database(SnapshotStore(s.snapshot_dir), cache=None, root_adcode=s.root_adcode)
seen, errors, n = set(), [], 0
stop = time.monotonic() + float(sys.argv[1])
while time.monotonic() < stop and not os.path.exists(sys.argv[2]):    # until told, at most argv[1] s
    try:
        snap = db.snapshot_id()
        meta = db.meta(snapshot=snap)
        counts = meta["row_counts"]
        got = db.cursor(snap).execute("SELECT count(*) FROM indicator_value").fetchall()[0][0]
        latest = db.execute("indicator_latest", snapshot=snap, adcode=s.root_adcode)
        if got != counts["indicator_value"] or latest.empty or meta["id"] != snap:
            errors.append(f"incomplete snapshot {snap}: {got} vs {counts['indicator_value']}")
        seen.add(snap)
        n += 1
        time.sleep(0.01)    # three readers spinning flat out on two cores starve the scheduler they watch
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
print(json.dumps({"seen": sorted(seen), "errors": errors[:10], "n_errors": len(errors), "queries": n}))
"""


def _log(settings, name: str):
    """A scheduler's output, to a file: it logs every render, and a pipe nobody
    reads can fill after a few builds and block it."""
    return open(settings.data_dir / f"{name}.log", "w")


def test_readers_see_only_complete_snapshots_while_scheduler_publishes(fresh_settings):
    s = replace(fresh_settings, keep_snapshots=2,
                sources=(replace(fresh_settings.sources[0], cadence_seconds=2),))
    store = SnapshotStore(s.snapshot_dir)
    first = run_pipeline(s, as_of=AS_OF).snapshot_id
    env = settings_env(s)
    done = s.data_dir / "readers-stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, "200", str(done)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]
    sched = subprocess.Popen([sys.executable, "-m", "pipeline", "schedule"], env=env,
                             stdout=_log(s, "scheduler"), stderr=subprocess.STDOUT)
    try:
        # Generous: the loop ends as soon as three are published; the suite
        # runs on two workers, so a build may share the cores with another test's.
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and sum(r.get("state") == "published" for r in store.runs(100)) < 3:
            time.sleep(0.5)
    finally:
        sched.send_signal(signal.SIGINT)
        sched.wait(120)     # it finishes the build it is running first
        done.touch()    # the readers have read through every publication
    results = [json.loads(r.communicate(timeout=240)[0]) for r in readers]
    published = [r["snapshot"] for r in store.runs(100) if r.get("state") == "published"]
    assert len(published) >= 3, store.runs(100)
    for res in results:
        assert res["n_errors"] == 0, res["errors"]
        assert res["queries"] > 50
        assert len(res["seen"]) >= 2, "a reader never noticed a new snapshot"
    assert store.current_id() != first


def test_only_one_scheduler_runs(fresh_settings):
    s = replace(fresh_settings, sources=(replace(fresh_settings.sources[0], cadence_seconds=2),))
    store = SnapshotStore(s.snapshot_dir)
    env = settings_env(s)
    first = subprocess.Popen([sys.executable, "-m", "pipeline", "schedule"], env=env,
                             stdout=_log(s, "first"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(r.get("state") == "published" for r in store.runs()):
            time.sleep(0.2)
        # A second plain scheduler refuses to start.
        second = subprocess.run([sys.executable, "-m", "pipeline", "schedule"], env=env,
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 3
        assert "another scheduler" in second.stderr
        # A standby scheduler waits, and runs nothing while the first is alive.
        standby = subprocess.Popen([sys.executable, "-m", "pipeline", "schedule", "--standby"], env=env,
                                   stdout=_log(s, "standby"), stderr=subprocess.STDOUT)
        time.sleep(6)
        pids = {r.get("pid") for r in store.runs(200) if r.get("state") == "started"}
        assert pids == {first.pid}, pids
        # When the first dies, the standby takes over.
        first.kill()
        first.wait()
        t_kill = time.monotonic()
        deadline = t_kill + 120
        while time.monotonic() < deadline and standby.pid not in {
                r.get("pid") for r in store.runs(200) if r.get("state") == "published"}:
            time.sleep(0.2)
        assert standby.pid in {r.get("pid") for r in store.runs(200) if r.get("state") == "published"}
    finally:
        for p in (first, locals().get("standby")):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGINT)
                p.wait(120)     # it finishes the build it is running first
