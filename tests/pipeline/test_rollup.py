"""Rollups: sums add up the tree; ratios are recomputed from summed parts."""
from __future__ import annotations

import pytest


def test_additive_indicators_sum_children_to_parent(snap_con):
    # For each sum indicator, a parent's value equals the sum of its children's
    # values at the same period (no region here has data of its own besides
    # leaves, except province-level departments in sharing: those add their own).
    rows = snap_con.execute("""
        WITH kids AS (
            SELECT v.indicator, r.parent AS adcode, v.period, sum(v.value) AS kids
            FROM indicator_value v JOIN region r ON r.adcode = v.adcode
            JOIN indicator i ON i.id = v.indicator AND i.rollup = 'sum'
            WHERE r.parent IS NOT NULL GROUP BY ALL
        )
        SELECT v.indicator, v.adcode, v.period, v.value, k.kids
        FROM indicator_value v JOIN kids k USING (indicator, adcode, period)
        JOIN indicator i ON i.id = v.indicator AND i.domain <> 'sharing'
        WHERE abs(v.value - k.kids) > 1e-6 * greatest(1, abs(v.value))
        LIMIT 5
    """).fetchall()
    assert rows == []
    checked = snap_con.execute("""
        SELECT count(DISTINCT v.indicator) FROM indicator_value v JOIN indicator i ON i.id = v.indicator
        JOIN region r ON r.adcode = v.adcode WHERE i.rollup = 'sum' AND r.level = 'province'
    """).fetchone()[0]
    assert checked >= 10


def test_counties_sum_to_city_and_cities_to_province_for_gdp(snap_con):
    def at(level):
        return snap_con.execute("""
            SELECT sum(v.value) FROM indicator_value v JOIN region r ON r.adcode = v.adcode
            WHERE v.indicator = 'gdp' AND r.level = ? AND v.period = (SELECT max(period) FROM indicator_value WHERE indicator = 'gdp')
        """, [level]).fetchone()[0]
    assert at("county") == pytest.approx(at("city"), rel=1e-9)
    assert at("city") == pytest.approx(at("province"), rel=1e-9)


def test_ratio_indicators_equal_ratio_of_summed_parts(snap_con):
    # num/den at a parent are the sums of the children's num/den, and the value
    # is scale * num / den: never an average of the children's ratios.
    mismatch = snap_con.execute("""
        WITH kids AS (
            SELECT v.indicator, r.parent AS adcode, v.period, sum(v.num) AS num, sum(v.den) AS den, count(*) AS n
            FROM indicator_value v JOIN region r ON r.adcode = v.adcode
            JOIN indicator i ON i.id = v.indicator AND i.rollup = 'ratio' AND i.domain <> 'sharing'
            WHERE r.parent IS NOT NULL GROUP BY ALL
        )
        SELECT v.indicator, v.adcode, v.period
        FROM indicator_value v JOIN kids k USING (indicator, adcode, period)
        JOIN indicator i ON i.id = v.indicator
        WHERE abs(v.num - k.num) > 1e-6 * greatest(1, abs(v.num))
           OR abs(v.value - i.scale * k.num / k.den) > 1e-6 * greatest(1, abs(v.value))
        LIMIT 5
    """).fetchall()
    assert mismatch == []


def test_ratio_differs_from_mean_of_child_ratios_somewhere(snap_con):
    # Guards the test above against a degenerate fixture where both would agree.
    differs = snap_con.execute("""
        WITH kids AS (
            SELECT v.indicator, r.parent AS adcode, v.period, avg(v.value) AS mean_of_ratios
            FROM indicator_value v JOIN region r ON r.adcode = v.adcode
            JOIN indicator i ON i.id = v.indicator AND i.rollup = 'ratio'
            WHERE r.parent IS NOT NULL GROUP BY ALL
        )
        SELECT count(*) FROM indicator_value v JOIN kids k USING (indicator, adcode, period)
        WHERE abs(v.value - k.mean_of_ratios) > 1e-3
    """).fetchone()[0]
    assert differs > 0


def test_growth_is_yoy_of_summed_levels(snap_con):
    row = snap_con.execute("""
        SELECT v.value, v.num, v.den FROM indicator_value v
        WHERE v.indicator = 'gdp_growth' AND v.adcode = 370000 ORDER BY period DESC LIMIT 1
    """).fetchone()
    value, num, den = row
    assert value == pytest.approx(100 * (num / den - 1))
    cur, prev = snap_con.execute("""
        SELECT sum(v.num), sum(v.den) FROM indicator_value v JOIN region r ON r.adcode = v.adcode
        WHERE v.indicator = 'gdp_growth' AND r.level = 'county'
          AND v.period = (SELECT max(period) FROM indicator_value WHERE indicator = 'gdp_growth')
    """).fetchone()
    assert num == pytest.approx(cur) and den == pytest.approx(prev)


def test_sharing_calls_trace_back_to_flow_rows(snap_con):
    # Province-level departments call in their own right, so the province is its
    # own calls plus its cities'; both must match the detail rows behind them.
    mismatch = snap_con.execute("""
        WITH day AS (SELECT max(period) AS p FROM indicator_value WHERE indicator = 'api_calls'),
        flows AS (
            SELECT c.ancestor AS adcode, sum(f.calls) AS calls
            FROM sharing_flow f JOIN region_closure c ON c.descendant = f.consumer_adcode
            WHERE f.day = (SELECT p FROM day)::DATE GROUP BY ALL
        )
        SELECT v.adcode, v.value, f.calls FROM indicator_value v JOIN flows f USING (adcode)
        WHERE v.indicator = 'api_calls' AND v.period = (SELECT p FROM day) AND v.value <> f.calls
    """).fetchall()
    assert mismatch == []
    assert snap_con.execute("SELECT count(*) FROM sharing_flow").fetchone()[0] > 0


def test_mean_indicator_is_weighted_by_its_weight(snap_con):
    # Per-capita income: a city is the population-weighted mean of its counties,
    # which differs from the plain mean of county values.
    rows = snap_con.execute("""
        WITH p AS (SELECT max(period) AS p FROM indicator_value WHERE indicator = 'income_per_capita'),
        kids AS (
            -- at a county, den is that county's own weight (its population)
            SELECT r.parent AS adcode, sum(v.value * v.den) / sum(v.den) AS weighted, avg(v.value) AS plain
            FROM indicator_value v JOIN region r ON r.adcode = v.adcode
            WHERE v.indicator = 'income_per_capita' AND v.period = (SELECT p FROM p) AND r.level = 'county'
            GROUP BY ALL
        )
        SELECT v.value, k.weighted, k.plain FROM indicator_value v JOIN kids k USING (adcode)
        WHERE v.indicator = 'income_per_capita' AND v.period = (SELECT p FROM p)
    """).fetchall()
    assert len(rows) == 16
    county_den = snap_con.execute("""
        SELECT v.den, v.num FROM indicator_value v
        JOIN region r ON r.adcode = v.adcode AND r.level = 'county'
        WHERE v.indicator = 'income_per_capita' LIMIT 1
    """).fetchone()
    assert county_den[0] > 0
    for value, weighted, plain in rows:
        assert value == pytest.approx(weighted, rel=1e-9)
    assert any(abs(value - plain) > 1 for value, _, plain in rows)
