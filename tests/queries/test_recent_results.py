"""A worker's recent results, in front of the shared cache (queries/database.py _RecentResults)."""
from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
from cachelib import SimpleCache

from core.snapshots import SnapshotStore
from queries.database import Database, _RecentResults


class CountingCache(SimpleCache):
    """The shared cache, counting the reads that found something."""

    def __init__(self):
        super().__init__()
        self.hits = 0

    def get(self, key):
        value = super().get(key)
        self.hits += value is not None
        return value


def _db(settings, cache) -> Database:
    return Database(SnapshotStore(settings.snapshot_dir), cache=cache, root_adcode=370000)


def test_a_worker_answers_a_repeated_query_without_reading_the_shared_cache(demo_settings):
    cache = CountingCache()
    db = _db(demo_settings, cache)
    first = db.execute("indicator_children", adcode=370000, indicator="gdp")
    again = db.execute("indicator_children", adcode=370000, indicator="gdp")
    assert cache.hits == 0
    pdt.assert_frame_equal(first, again)
    assert db.recent.bytes_held() > 0
    uncached = db.execute("indicator_children", adcode=370000, indicator="gdp", cached=False)
    pdt.assert_frame_equal(uncached, again)


def test_another_worker_reads_the_shared_cache_once_then_its_own(demo_settings):
    cache = CountingCache()
    filled = _db(demo_settings, cache).execute("indicators")
    other = _db(demo_settings, cache)           # another worker, same shared cache
    pdt.assert_frame_equal(other.execute("indicators"), filled)
    assert cache.hits == 1
    pdt.assert_frame_equal(other.execute("indicators"), filled)
    assert cache.hits == 1


def test_a_caller_changing_its_answer_does_not_change_the_next_one(demo_settings):
    db = _db(demo_settings, SimpleCache())
    original = db.execute("indicator_children", adcode=370000, indicator="gdp").copy(deep=True)
    mine = db.execute("indicator_children", adcode=370000, indicator="gdp")
    mine.loc[mine.index[0], "value"] = -1.0
    mine.loc[mine.index[0], "name"] = "changed"
    mine["extra"] = 1
    mine.iloc[1:3, 0] = 0
    pdt.assert_frame_equal(db.execute("indicator_children", adcode=370000, indicator="gdp"), original)


def test_uncached_calls_leave_no_recent_result(demo_settings):
    db = _db(demo_settings, SimpleCache())
    db.execute("indicators", cached=False)
    assert db.recent.bytes_held() == 0


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"adcode": range(rows), "name": [f"区{i}" for i in range(rows)]})


def test_only_the_newest_snapshots_are_kept():
    recent = _RecentResults(keep=2, max_bytes=2**20)
    for snap in ("20261201T000000Z-a", "20261201T000100Z-b", "20261201T000200Z-c"):
        recent.put(snap, "k", _frame(10), 100)
    assert recent.get("20261201T000000Z-a", "k") is None
    assert recent.get("20261201T000100Z-b", "k") is not None
    assert recent.get("20261201T000200Z-c", "k") is not None


def test_a_snapshot_s_results_stay_within_their_bytes():
    recent = _RecentResults(keep=2, max_bytes=3000)
    for i in range(10):
        recent.put("s", f"k{i}", _frame(100), 1000)
        recent.get("s", "k0")                   # k0 stays the most recently used
    assert recent.bytes_held() <= 3000
    assert recent.get("s", "k0") is not None and recent.get("s", "k9") is not None
    assert recent.get("s", "k5") is None
    recent.put("s", "huge", _frame(10), 3001)   # larger than the bound: not kept, nothing evicted
    assert recent.get("s", "huge") is None and recent.get("s", "k9") is not None


def test_a_result_is_counted_by_its_arrow_bytes(demo_settings):
    db = _db(demo_settings, SimpleCache())
    db.execute("indicators")
    arrow = db.cursor(db.snapshot_id()).execute("SELECT * FROM indicator").to_arrow_table()
    assert db.recent.bytes_held() > 0
    # The same table served as the query's answer: its size is of that order, not of a count of rows.
    assert arrow.nbytes / 2 < db.recent.bytes_held() < arrow.nbytes * 2
