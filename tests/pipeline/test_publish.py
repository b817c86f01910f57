"""Publishing is atomic; failures and kills publish nothing; rollback repoints."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta

import duckdb
import pytest
import yaml

from core.snapshots import SnapshotStore
from pipeline.build import BuildError, run_pipeline
from tests.conftest import AS_OF, settings_env


def _meta_id(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT id FROM snapshot_meta").fetchone()[0]
    finally:
        con.close()


def test_build_publishes_and_prunes(fresh_settings):
    s = replace(fresh_settings, keep_snapshots=2)
    store = SnapshotStore(s.snapshot_dir)
    ids = [run_pipeline(s, as_of=AS_OF + timedelta(minutes=i)).snapshot_id for i in range(3)]
    assert store.current_id() == ids[-1]
    assert [x.id for x in store.list()] == ids[1:]
    assert _meta_id(store.path(ids[-1])) == ids[-1]
    states = [r["state"] for r in store.runs()]
    assert states.count("published") == 3


def test_rollback_repoints_and_refuses_unknown(fresh_settings):
    store = SnapshotStore(fresh_settings.snapshot_dir)
    first = run_pipeline(fresh_settings, as_of=AS_OF).snapshot_id
    second = run_pipeline(fresh_settings, as_of=AS_OF + timedelta(minutes=5)).snapshot_id
    assert store.rollback() == first
    assert store.current_id() == first
    assert store.rollback(second) == second
    with pytest.raises(LookupError, match="不存在"):
        store.rollback("nope")
    assert store.current_id() == second


def test_failed_validation_publishes_nothing(fresh_settings, tmp_path):
    store = SnapshotStore(fresh_settings.snapshot_dir)
    good = run_pipeline(fresh_settings, as_of=AS_OF).snapshot_id
    # A catalog naming a statistic no source delivers: the demo build is strict,
    # so validation must refuse to publish.
    doc = yaml.safe_load(fresh_settings.catalog_path.read_text(encoding="utf-8"))
    doc["measures"].append({"id": "ghost", "source": "statistic", "grain": "month", "additive": True})
    doc["indicators"].append({**doc["indicators"][0], "id": "ghost_total", "measure": "ghost", "cadence": "month",
                              "rollup": "sum", "target": None, "warn": None, "alarm": None})
    for k in ("numerator", "denominator", "weight", "target", "warn", "alarm"):
        doc["indicators"][-1].pop(k, None)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BuildError, match="missing_indicators: ghost_total"):
        run_pipeline(replace(fresh_settings, catalog_path=catalog), as_of=AS_OF + timedelta(minutes=1))
    assert store.current_id() == good
    assert [s.id for s in store.list()] == [good]
    assert not list(store.dir.glob(".*building*"))
    assert store.runs()[-1]["state"] == "failed"
    assert "ghost_total" in store.runs()[-1]["error"]


def test_killed_build_keeps_previous_snapshot(fresh_settings):
    store = SnapshotStore(fresh_settings.snapshot_dir)
    good = run_pipeline(fresh_settings, as_of=AS_OF).snapshot_id
    env = settings_env(replace(fresh_settings, sources=(
        replace(fresh_settings.sources[0], options={"seed": 7, "scale": 0.3}),)))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "build", "--no-progress"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(store.dir.glob(".*.building")):
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.01)
    assert list(store.dir.glob(".*.building")), "the build never reached the snapshot-writing stage"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # The previous snapshot keeps serving, and readers can open it.
    assert store.current_id() == good
    assert _meta_id(store.path(good)) == good
    assert store.runs()[-1]["state"] == "interrupted"
    # The next build settles the record, cleans up and succeeds.
    after = run_pipeline(fresh_settings, as_of=AS_OF + timedelta(minutes=1)).snapshot_id
    assert store.current_id() == after
    assert not list(store.dir.glob(".*building*"))
    states = [r["state"] for r in store._raw_runs()]
    assert "interrupted" in states and states[-1] == "published"


def test_before_publish_runs_on_the_validated_file_and_never_holds_it_back(fresh_settings):
    store = SnapshotStore(fresh_settings.snapshot_dir)
    seen = []

    def hook(snap):
        seen.append((snap, store.path(snap).exists(), store.current_id()))
        raise RuntimeError("the render cache is unreachable")

    r = run_pipeline(fresh_settings, as_of=AS_OF, before_publish=hook)
    assert seen == [(r.snapshot_id, True, None)]        # the file is there, CURRENT not yet moved
    assert store.current_id() == r.snapshot_id          # a failing hook costs a warm cache, not the data
    assert "prerender" in r.timings
