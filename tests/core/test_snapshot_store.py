"""SnapshotStore bookkeeping that needs no build: the run log and its rotation."""
from __future__ import annotations

import os

from core import snapshots
from core.snapshots import SnapshotStore


def test_run_log_keeps_its_tail_when_it_grows(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshots, "RUNS_LOG_MAX_BYTES", 4000)
    monkeypatch.setattr(snapshots, "RUNS_LOG_KEEP_LINES", 10)
    store = SnapshotStore(tmp_path).ensure()
    for i in range(200):
        store.log_run(run=f"r{i:03d}", state="published", pid=os.getpid(), snapshot=f"s{i}")
    assert (tmp_path / snapshots.RUNS_LOG).stat().st_size <= 4000 + 200
    runs = store.runs(1000)
    assert runs[-1]["run"] == "r199"          # the newest survive, in order
    assert 10 <= len(runs) < 200
    assert [r["run"] for r in runs] == sorted(r["run"] for r in runs)


def test_dead_started_run_reads_as_interrupted(tmp_path):
    store = SnapshotStore(tmp_path).ensure()
    store.log_run(run="gone", state="started", pid=2**22 + 12345)  # no such process
    assert store.runs(5)[-1]["state"] == "interrupted"
