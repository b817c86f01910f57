"""What a published demo snapshot holds: the real tree, every indicator at every level."""
from __future__ import annotations

import json

import pytest

from core.catalog import load_catalog
from core.settings import PROJECT_DIR

CATALOG = load_catalog(PROJECT_DIR / "data" / "catalog" / "indicators.yaml")
# Cloud nodes live in cities: counties build no cloud nodes (002:2764).
CITY_LEAF_DOMAINS = {"cloud"}


def test_region_tree_is_real_shandong(snap_con):
    levels = dict(snap_con.execute("SELECT level, count(*) FROM region GROUP BY level").fetchall())
    assert levels == {"province": 1, "city": 16, "county": 136}
    zibo = {r[0] for r in snap_con.execute(
        "SELECT name FROM region WHERE parent = 370300").fetchall()}
    assert zibo == {"张店区", "淄川区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县"}


def test_closure_has_every_ancestor(snap_con):
    # 153 self pairs + 152 parent pairs + 136 grandparent pairs.
    assert snap_con.execute("SELECT count(*) FROM region_closure").fetchone()[0] == 153 + 152 + 136


@pytest.mark.parametrize("indicator", sorted(CATALOG.indicators))
def test_every_indicator_has_values_at_each_level(snap_con, indicator):
    ind = CATALOG.indicators[indicator]
    levels = {r[0] for r in snap_con.execute(
        "SELECT DISTINCT r.level FROM indicator_value v JOIN region r ON r.adcode = v.adcode WHERE v.indicator = ?",
        [indicator]).fetchall()}
    if ind.rollup == "none":
        assert {"province", "city"} <= levels
    elif ind.domain in CITY_LEAF_DOMAINS:
        assert {"province", "city"} <= levels
    else:
        assert levels == {"province", "city", "county"}


def test_no_non_finite_values(snap_con):
    assert snap_con.execute(
        "SELECT count(*) FROM indicator_value WHERE NOT isfinite(value)").fetchone()[0] == 0


def test_snapshot_is_marked_demo(snap_con):
    demo, notice, counts = snap_con.execute("SELECT demo, demo_notice, row_counts FROM snapshot_meta").fetchone()
    assert demo is True and "演示数据" in notice
    assert json.loads(counts)["indicator_value"] > 0
    assert snap_con.execute("SELECT bool_and(demo) FROM freshness").fetchone()[0] is True


def test_catalog_is_copied_with_targets(snap_con):
    n, with_target = snap_con.execute(
        "SELECT count(*), count(target_value) FROM indicator").fetchone()
    assert n == len(CATALOG.indicators)
    assert with_target == sum(1 for i in CATALOG.indicators.values() if i.target)


def test_alerts_fire_for_planted_anomalies(snap_con):
    rules = dict(snap_con.execute("SELECT rule, count(*) FROM alert GROUP BY rule").fetchall())
    assert rules.get("threshold", 0) > 0 and rules.get("event", 0) > 0
    # Every threshold alert names a real indicator, region and department.
    bad = snap_con.execute("""
        SELECT count(*) FROM alert a LEFT JOIN indicator i ON i.id = a.indicator
        LEFT JOIN region r ON r.adcode = a.adcode
        WHERE a.rule = 'threshold' AND (i.id IS NULL OR r.adcode IS NULL OR a.department IS NULL OR a.since IS NULL)
    """).fetchone()[0]
    assert bad == 0


def test_personal_data_is_masked(snap_con):
    leaked = snap_con.execute(r"""
        SELECT count(*) FROM work_order
        WHERE regexp_matches(COALESCE(phone, ''), '^1\d{10}$')
           OR (caller IS NOT NULL AND length(caller) > 1 AND NOT contains(caller, '*'))
    """).fetchone()[0]
    assert leaked == 0
