"""The benchmark summary judges made-up results against the targets; nothing here
runs a benchmark or looks at a clock."""
from __future__ import annotations

import copy

from bench import summary
from bench.soak import trend


def spread(m, lo=None, hi=None):
    return {"median": m, "min": m if lo is None else lo, "max": m if hi is None else hi}


GOOD = {
    "build": {"runs": 3, "shandong": {
        "1.0": {"raw_rows": 1_000_000, "seconds": spread(6.7, 6.5, 7.0), "peak_rss_bytes": 0.7 * 2**30,
                "seconds_per_million_rows": 6.7},
        "10.0": {"raw_rows": 9_900_000, "seconds": spread(22.5, 21.0, 24.0), "peak_rss_bytes": 2.9 * 2**30,
                 "seconds_per_million_rows": 2.3},
        "30.0": {"raw_rows": 29_750_000, "seconds": spread(73.2), "peak_rss_bytes": 3.6 * 2**30,
                 "seconds_per_million_rows": 2.5}}},
    "queries": {"n": 200, "queries": {"a": {"uncached": {"p50_ms": 3, "p95_ms": 4}, "cached": {"p95_ms": 0.2}},
                                      "b": {"uncached": {"p50_ms": 8, "p95_ms": 9.5}, "cached": {"p95_ms": 0.9}}}},
    "pages": {"runs": 5, "pages": {
        "/": {"render_s": spread(1.2, 1.1, 1.4), "render_warm_browser_s": spread(0.8),
              "first_load_bytes": 1_900_000, "repeat_load_bytes": 88_000},
        "/status": {"render_s": spread(0.5), "render_warm_browser_s": spread(0.2),
                    "first_load_bytes": 300_000, "repeat_load_bytes": 37_000}}},
    "poll": {"pages": {"/": {"unchanged_poll_bytes": 356, "changed_poll_bytes": 11_000}}},
    "load": {"minutes": 5, "runs": {
        "50": {"errors": 0, "all_p50_ms": 8, "all_p95_ms": 40, "latency_ms": {"refresh": {"p95": 30}},
               "wall_renders_per_snapshot": [37, 36, 37], "wall_render_ms_per_snapshot": [9000, 8000, 8500]},
        "200": {"errors": 0, "all_p95_ms": 90, "wall_renders_per_snapshot": [37, 38]}}},
    "soak": {"minutes": 30, "console_errors": 0,
             "activity": {"snapshots_seen": 29, "snapshots_published": 30, "page_visits": 90},
             "trends": {"js_heap_used_mb": {"baseline": 20, "last": 22, "growth_pct": 10, "max": 25,
                                            "slope_per_10min": 0.5},
                        "chromium_own_mb": {"baseline": 400, "last": 410, "growth_pct": 2.5, "max": 480,
                                            "slope_per_10min": 1},
                        "worker_rss_mb": {"101": {"baseline": 300, "last": 310, "growth_pct": 3.3,
                                                  "slope_per_10min": 2}}}},
}


def statuses(results):
    return {f"{r['area']}: {r['measure']}": r["status"] for r in summary.summarize(results)}


def test_everything_within_the_targets_is_met():
    got = statuses(GOOD)
    assert set(got.values()) <= {summary.MET, summary.INFO}, got
    assert got["load: p95, all requests, N = 200 (5 min)"] == summary.MET


def test_load_latency_is_judged_at_n_200_only():
    slow = copy.deepcopy(GOOD)
    slow["load"]["runs"]["50"]["all_p95_ms"] = 900          # reported, not judged: the target is set at N = 200
    assert statuses(slow)["load: p95, all requests, N = 50 (5 min)"] == summary.INFO
    slow["load"]["runs"]["200"]["all_p95_ms"] = 101
    assert statuses(slow)["load: p95, all requests, N = 200 (5 min)"] == summary.MISSED


def test_each_target_can_be_missed():
    bad = copy.deepcopy(GOOD)
    bad["build"]["shandong"]["10.0"]["seconds"] = spread(61)
    bad["build"]["shandong"]["30.0"]["seconds_per_million_rows"] = 3.0        # +30 % per row: superlinear
    bad["queries"]["queries"]["b"]["cached"]["p95_ms"] = 1.5
    bad["pages"]["pages"]["/"]["repeat_load_bytes"] = 151_000
    bad["poll"]["pages"]["/"]["changed_poll_bytes"] = 31_000
    bad["load"]["runs"]["200"]["all_p95_ms"] = 150
    bad["load"]["runs"]["200"]["wall_renders_per_snapshot"] = [74, 70]     # one render per display: grows with N
    bad["soak"]["trends"]["js_heap_used_mb"]["growth_pct"] = 25
    bad["soak"]["trends"]["worker_rss_mb"]["101"]["growth_pct"] = 12
    got = statuses(bad)
    missed = {k for k, v in got.items() if v == summary.MISSED}
    assert missed == {
        "build: 9.90 M raw rows (scale 10.0, 3 runs): wall time",
        "build: time growth with raw rows",
        "queries: p95 cached, worst query (n = 200)",
        "pages: repeat load, heaviest screen",
        "poll: snapshot changed, worst screen",
        "load: p95, all requests, N = 200 (5 min)",
        "load: server work per refresh tick vs N",
        "soak: browser memory growth: JS heap after GC (30 min)",
        "soak: worker RSS growth, each worker (30 min)",
    }
    assert got["pages: drawn, empty cache, slowest screen (median of 5 runs)"] == summary.MET


def test_a_short_soak_does_not_meet_the_length_target():
    short = copy.deepcopy(GOOD)
    short["soak"]["minutes"] = 3
    assert statuses(short)["soak: length, with refresh and carousel"] == summary.MISSED


def test_missing_results_and_fields_give_no_data_rows():
    rows = summary.summarize({})
    assert rows and {r["status"] for r in rows} == {summary.NO_DATA}
    partial = {"load": {"runs": {"50": {"errors": 0}}}, "pages": {"pages": {"/": {}}}, "soak": {"trends": {}}}
    assert summary.summarize(partial)


def test_per_tick_work_is_found_under_a_nested_field():
    load = {"runs": {"50": {"errors": 0, "server": {"per_tick": {"median": 2.0, "min": 1, "max": 3}}},
                     "500": {"errors": 0, "server": {"per_tick": {"median": 2.2}}}}}
    row = [r for r in summary.load_rows(load) if "tick" in r["measure"]][0]
    assert row["status"] == summary.MET and "server.per_tick" in row["figure"]


def test_readme_section_is_replaced_between_the_markers_only():
    text = "# Benchmarks\n\nprose\n\n## Latest figures\n\nold figures\n"
    once = summary.replace_section(text, "table 1")
    assert once.index(summary.START) < once.index("## Latest figures") and "prose" in once
    twice = summary.replace_section(once, "table 2")
    assert "table 1" not in twice and twice.count(summary.START) == 1 and "old figures" in twice


def test_soak_trend_compares_window_medians_after_the_warmup():
    points = [(0, 50.0), (30, 10.0), (60, 10.0), (90, 11.0), (120, 11.0), (150, 12.0), (180, 12.0)]
    t = trend(points, start_s=30, window_s=60)
    assert t["baseline"] == 10.0 and t["last"] == 12.0 and t["growth_pct"] == 20.0
    assert t["max"] == 50.0 and t["slope_per_10min"] > 0
    assert trend([(0, 1.0)], start_s=0, window_s=60) is None


def test_a_query_that_failed_is_missed_not_skipped():
    results = copy.deepcopy(GOOD)
    results["queries"]["queries"]["c"] = {"error": "CatalogException: no table"}
    rows = [r for r in summary.query_rows(results["queries"])]
    assert {r["status"] for r in rows} == {summary.MISSED} and all("1 failed (c)" in r["figure"] for r in rows)


def test_queries_in_rounds_are_judged_on_the_median_round_and_show_the_spread():
    q = {"n": 200, "rounds": 5, "queries": {
        "a": {"uncached": {"p95_ms": 9.0, "round_p95_min_ms": 7.5, "round_p95_max_ms": 14.0}, "cached": {"p95_ms": 0.3}},
        "b": {"uncached": {"p95_ms": 4.0, "round_p95_min_ms": 3.0, "round_p95_max_ms": 5.0}, "cached": {"p95_ms": 0.2}}}}
    row = summary.query_rows(q)[0]
    assert row["measure"] == "p95 uncached, worst query (n = 200, median of 5 rounds' p95)"
    assert row["figure"].startswith("9.00 ms (a, rounds 7.50–14.00)") and row["status"] == summary.MET


def test_queries_a_week_before_the_instant_are_judged_apart():
    q = {"n": 200, "queries": {
        "a": {"uncached": {"p95_ms": 6.0}, "cached": {"p95_ms": 0.3}},
        "a@week-before": {"uncached": {"p95_ms": 14.0}, "cached": {"p95_ms": 0.4}},
        "b": {"uncached": {"p95_ms": 4.0}, "cached": {"p95_ms": 0.2}}}}
    rows = {r["measure"]: r for r in summary.query_rows(q)}
    now = rows["p95 uncached, worst query (n = 200)"]
    before = rows["p95 uncached, at the end of the day a week before the snapshot's instant, worst query (n = 200)"]
    cached = rows["p95 cached, worst query (n = 200)"]
    assert now["figure"].startswith("6.00 ms (a)") and "2/2 within" in now["figure"] and now["status"] == summary.MET
    assert before["figure"].startswith("14.00 ms (a@week-before)") and before["status"] == summary.MISSED
    assert "3/3 within" in cached["figure"]
    del q["queries"]["a@week-before"]
    assert len(summary.query_rows(q)) == 2


def test_load_with_one_n_or_no_new_snapshot_has_no_verdict_on_tick_work():
    one = {"runs": {"50": {"errors": 0, "all_p95_ms": 50, "wall_renders_per_snapshot": [37]}}}
    none = {"runs": {"50": {"errors": 0, "all_p95_ms": 50, "wall_renders_per_snapshot": []},
                     "200": {"errors": 0, "all_p95_ms": 50, "wall_renders_per_snapshot": []}}}
    for load in (one, none):
        row = [r for r in summary.load_rows(load) if "tick" in r["measure"]][0]
        assert row["status"] == summary.NO_DATA


def test_provenance_names_when_and_how_fast_for_the_results_that_record_it():
    results = {"queries": {"measured_at": "2026-12-02T13:30", "machine": {"python_loop_1m_ms": 61.5}},
               "pages": {"measured_at": "2026-12-02T13:40"}, "build": {"shandong": {}}, "load": None}
    assert summary.provenance(results) == \
        "Measured: queries 2026-12-02 13:30 (1M-step Python loop 61.5 ms); pages 2026-12-02 13:40."
    assert summary.provenance({"build": {}}) == ""


def test_a_first_hit_in_a_worker_is_judged_as_a_cached_call_in_a_row_of_its_own():
    q = {"n": 200, "queries": {
        "a": {"uncached": {"p95_ms": 6.0}, "cached": {"p95_ms": 0.1}, "shared": {"p95_ms": 1.3}},
        "b": {"uncached": {"p95_ms": 4.0}, "cached": {"p95_ms": 0.2}, "shared": {"p95_ms": 0.6}}}}
    rows = {r["measure"]: r for r in summary.query_rows(q)}
    shared = rows["p95 cached, first hit in a worker (read from the shared cache), worst query (n = 200)"]
    assert shared["figure"].startswith("1.30 ms (a)") and "1/2 within" in shared["figure"]
    assert shared["status"] == summary.MISSED
    assert rows["p95 cached, worst query (n = 200)"]["status"] == summary.MET
    for v in q["queries"].values():         # results from before workers kept their own: no such row
        del v["shared"]
    assert not any("first hit" in r["measure"] for r in summary.query_rows(q))
