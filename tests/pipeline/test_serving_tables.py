"""Serving tables (queries/build/65_serving.sql and indicator_value's neighbours)
agree with what the detail tables say, on the fixture snapshot."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from queries.sql import named_statements
from tests.conftest import AS_OF, ROOT


def test_indicator_neighbours_match_a_self_join(snap_con):
    bad = snap_con.execute("""
        WITH ranked AS (
            SELECT *, row_number() OVER (PARTITION BY indicator, adcode ORDER BY period) AS n FROM indicator_value
        )
        SELECT count(*) FROM ranked v
        LEFT JOIN ranked nx ON nx.indicator = v.indicator AND nx.adcode = v.adcode AND nx.n = v.n + 1
        LEFT JOIN ranked pv ON pv.indicator = v.indicator AND pv.adcode = v.adcode AND pv.n = v.n - 1
        LEFT JOIN indicator_value y
               ON y.indicator = v.indicator AND y.adcode = v.adcode AND y.period = v.period - INTERVAL 1 YEAR
        LEFT JOIN region r ON r.adcode = v.adcode
        WHERE v.next_period IS DISTINCT FROM nx.period OR v.previous_value IS DISTINCT FROM pv.value
           OR v.year_ago_value IS DISTINCT FROM y.value OR v.parent IS DISTINCT FROM r.parent
    """).fetchone()[0]
    assert bad == 0
    assert snap_con.execute("SELECT count(year_ago_value) FROM indicator_value").fetchone()[0] > 0


def test_sharing_region_daily_is_the_flows_by_consumer_region(snap_con):
    diff = snap_con.execute("""
        WITH direct AS (
            SELECT c.ancestor AS adcode, f.day, sum(f.calls) AS calls, sum(f.calls_ok) AS calls_ok
            FROM sharing_flow f JOIN region_closure c ON c.descendant = f.consumer_adcode
            GROUP BY ALL
        )
        SELECT count(*) FROM direct d FULL JOIN sharing_region_daily s USING (adcode, day)
        WHERE d.calls IS DISTINCT FROM s.calls OR d.calls_ok IS DISTINCT FROM s.calls_ok
    """).fetchone()[0]
    assert diff == 0


@pytest.mark.parametrize("adcode", [ROOT, 370300, 370302])
def test_sharing_tables_see_the_flows_touching_the_region(snap_con, adcode):
    """Either end inside the region: the node, department and provider tables
    each add up to those flows."""
    direct = snap_con.execute("""
        SELECT sum(f.calls) FROM sharing_flow f
        WHERE f.provider_adcode IN (SELECT descendant FROM region_closure WHERE ancestor = $a)
           OR f.consumer_adcode IN (SELECT descendant FROM region_closure WHERE ancestor = $a)
    """, {"a": adcode}).fetchone()[0]
    assert direct
    for table in ("sharing_node_daily", "sharing_dept_daily", "sharing_provider_daily"):
        assert snap_con.execute(f"SELECT sum(calls) FROM {table} WHERE adcode = ?", [adcode]).fetchone()[0] == direct


def test_provider_tail_counts_distinct_consumers_up_to_the_last_day(snap_con):
    diff = snap_con.execute("""
        WITH seen AS (   -- flows either end inside the region, as sharing_provider_daily files them
            SELECT DISTINCT c.ancestor AS adcode, f.provider_dept, f.provider_adcode, f.consumer_dept, f.day
            FROM sharing_flow f
            JOIN region_closure c ON c.descendant = f.provider_adcode OR c.descendant = f.consumer_adcode
            JOIN region r ON r.adcode = f.provider_adcode
        ),
        direct AS (
            SELECT t.adcode, t.provider_dept, t.provider_adcode, t.day, count(DISTINCT s.consumer_dept) AS consumers
            FROM sharing_provider_tail t
            JOIN seen s ON s.adcode = t.adcode AND s.provider_dept = t.provider_dept
                       AND s.provider_adcode = t.provider_adcode AND s.day >= t.day
            GROUP BY ALL
        )
        SELECT count(*) FROM sharing_provider_tail t JOIN direct d USING (adcode, provider_dept, provider_adcode, day)
        WHERE t.consumers <> d.consumers
    """).fetchone()[0]
    assert diff == 0


def test_work_order_tables_count_the_orders_at_as_of(snap_con):
    at = {"t": AS_OF}
    daily = snap_con.execute("""
        SELECT count(*) FROM (
            SELECT c.ancestor AS adcode, CAST(w.created_at AS DATE) AS day, count(*) AS orders,
                   count(*) FILTER (WHERE w.closed_at <= w.due_at) AS on_time
            FROM work_order w JOIN region_closure c ON c.descendant = w.adcode
            WHERE w.created_at > CAST($t AS TIMESTAMP) - INTERVAL 90 DAY
            GROUP BY ALL
        ) d FULL JOIN work_order_daily s USING (adcode, day)
        WHERE d.orders IS DISTINCT FROM s.orders OR d.on_time IS DISTINCT FROM s.on_time
    """, at).fetchone()[0]
    assert daily == 0
    topics = snap_con.execute("""
        SELECT count(*) FROM (
            SELECT c.ancestor AS adcode, w.topic, count(*) AS orders
            FROM work_order w JOIN region_closure c ON c.descendant = w.adcode
            WHERE w.created_at > CAST($t AS TIMESTAMP) - INTERVAL 30 DAY
            GROUP BY ALL
        ) d FULL JOIN (SELECT * FROM work_order_topic WHERE NOT total) s USING (adcode, topic)
        WHERE d.orders IS DISTINCT FROM s.orders
    """, at).fetchone()[0]
    assert topics == 0
    # Every region has its overall row, even without orders.
    assert snap_con.execute("SELECT count(*) FROM work_order_topic WHERE total").fetchone()[0] == \
        snap_con.execute("SELECT count(*) FROM region").fetchone()[0]


def test_cloud_region_hourly_sums_the_reporting_nodes(snap_con):
    diff = snap_con.execute("""
        SELECT count(*) FROM (
            SELECT c.ancestor AS adcode, h.hour, count(*) AS nodes, sum(h.vcpu_used) AS vcpu_used
            FROM cloud_node_hourly h JOIN cloud_node n USING (node_id)
            JOIN region_closure c ON c.descendant = n.adcode
            GROUP BY ALL
        ) d FULL JOIN cloud_region_hourly s USING (adcode, hour)
        WHERE d.nodes IS DISTINCT FROM s.nodes OR abs(d.vcpu_used - s.vcpu_used) > 1e-9 * greatest(1, d.vcpu_used)
    """).fetchone()[0]
    assert diff == 0


def test_catalog_days_hold_the_counts_of_their_day(snap_con):
    """The row of sharing_catalog_day in force on a day carries that day's
    counts, checked against the catalog and objections on a few days."""
    for day in ("2026-11-20", "2026-06-30", "2025-12-31"):
        got = snap_con.execute("""
            SELECT entries, timely, objections_open FROM sharing_catalog_day
            WHERE adcode = $root AND basis = 'subtree' AND (day <= $d OR day IS NULL) AND (next_day > $d OR next_day IS NULL)
        """, {"root": ROOT, "d": day}).fetchall()
        want = snap_con.execute("""
            SELECT (SELECT count(*) FROM data_catalog WHERE registered_on <= $d),
                   (SELECT count(*) FROM data_catalog WHERE registered_on <= $d
                       AND (last_updated > $d OR date_diff('day', last_updated, CAST($d AS DATE)) <= update_days)),
                   (SELECT count(*) FROM quality_objection WHERE raised_at::DATE <= $d
                       AND (resolved_at IS NULL OR resolved_at::DATE > $d))
        """, {"d": day}).fetchall()
        assert got == want, day


def test_validation_refuses_a_serving_table_that_drifted(demo_snapshot, tmp_path):
    copy = tmp_path / "snap.duckdb"
    shutil.copy(demo_snapshot, copy)
    check = named_statements("build/80_validate")["serving_totals"]
    con = duckdb.connect(str(copy))
    try:
        assert con.execute(check, {"root": ROOT, "as_of": AS_OF}).fetchall() == []
        con.execute("UPDATE sharing_region_daily SET calls = calls + 1 WHERE adcode = ?", [ROOT])
        problems = [r[0] for r in con.execute(check, {"root": ROOT, "as_of": AS_OF}).fetchall()]
    finally:
        con.close()
    assert any(p.startswith("sharing_region_daily calls") for p in problems), problems
