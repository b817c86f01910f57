"""The query layer: scoping, caching per snapshot, reopening on a new pointer."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from cachelib import SimpleCache

from core.snapshots import SnapshotStore
from pipeline.build import run_pipeline
from queries.database import Database, NoSnapshot, ScopeError
from queries.sql import QueryError, available, load_sql
from tests.conftest import AS_OF


def test_every_serving_query_filters_by_scope():
    for name in available("serve"):
        assert "$scope" in load_sql(name), name


def test_no_snapshot_is_a_clear_error(tmp_path):
    db = Database(SnapshotStore(tmp_path), root_adcode=370000)
    with pytest.raises(NoSnapshot, match="python -m pipeline build"):
        db.execute("snapshot_meta")


def test_scope_limits_regions(demo_settings):
    db = Database(SnapshotStore(demo_settings.snapshot_dir), root_adcode=370000)
    db.check_region(370302)                      # 张店区, in Shandong
    db.check_region(370302, scope=370300)        # and in 淄博
    with pytest.raises(ScopeError, match="370102"):
        db.check_region(370102, scope=370300)    # 历下区 is Jinan's, outside a Zibo user's scope
    with pytest.raises(ScopeError, match="999999"):
        db.check_region(999999)


def test_indicator_latest_respects_scope(demo_settings):
    db = Database(SnapshotStore(demo_settings.snapshot_dir), root_adcode=370000)
    inside = db.execute("indicator_latest", scope=370300, adcode=370302)
    outside = db.execute("indicator_latest", scope=370300, adcode=370102)
    assert not inside.empty and outside.empty


def test_missing_parameter_is_named(demo_settings):
    db = Database(SnapshotStore(demo_settings.snapshot_dir), root_adcode=370000)
    with pytest.raises(QueryError, match="adcode"):
        db.execute("indicator_latest")


def test_results_are_cached_per_snapshot_and_reopened_on_swap(fresh_settings):
    s = replace(fresh_settings, keep_snapshots=5)
    store = SnapshotStore(s.snapshot_dir)
    first = run_pipeline(s, as_of=AS_OF).snapshot_id
    cache = SimpleCache()
    db = Database(store, cache=cache, root_adcode=370000)
    a = db.execute("snapshot_meta")
    assert a.iloc[0]["id"] == first
    n_keys = len(cache._cache)
    assert db.execute("snapshot_meta").iloc[0]["id"] == first
    assert len(cache._cache) == n_keys          # served from cache, nothing new stored
    second = run_pipeline(s, as_of=AS_OF + timedelta(minutes=5)).snapshot_id
    assert db.execute("snapshot_meta").iloc[0]["id"] == second   # the new pointer is noticed
    assert len(cache._cache) == n_keys + 1      # under a new key: no stale hit
    store.rollback(first)
    assert db.execute("snapshot_meta").iloc[0]["id"] == first


def test_threads_keep_querying_while_snapshots_swap(demo_snapshot, tmp_path):
    """Retired connections are closed only when no thread is using them."""
    import shutil
    import threading

    from core.snapshots import SnapshotStore, new_snapshot_id
    from queries.database import Database

    store = SnapshotStore(tmp_path / "snapshots").ensure()
    first = new_snapshot_id()
    shutil.copy(demo_snapshot, store.path(first))
    store.publish(first)
    db = Database(store, cache=None, root_adcode=370000)
    errors, done = [], threading.Event()

    def reader():
        while not done.is_set():
            try:
                db.execute("indicator_latest", adcode=370000, cached=False)
                db.execute("indicator_children", adcode=370000, indicator="gdp", cached=False)
            except Exception as e:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(e))

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for t in threads:
        t.start()
    try:
        for _ in range(8):   # more swaps than KEEP_CONNECTIONS: old connections must retire safely
            snap = new_snapshot_id()
            shutil.copy(demo_snapshot, store.path(snap))
            store.publish(snap)
            time.sleep(0.4)
    finally:
        done.set()
        for t in threads:
            t.join()
    assert errors == []
    assert len(db._connections) <= Database.KEEP_CONNECTIONS and db._retired == []
