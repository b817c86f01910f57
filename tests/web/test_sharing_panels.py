"""The sharing screen's own panels on the real demo snapshot (seed 7, as of
2026-11-20 14:30), checked against numbers computed here from the snapshot's
tables, not through the panels' queries."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash.development.base_component import Component

import pages  # noqa: F401  (registers the panels)
from components.panels import REGISTRY
from pages import sharing_panels as sp
from pipeline.sources.demo import PLANTED_ANOMALIES

PANELS = ["sharing-flow-map", "sharing-dept-sankey", "sharing-calls-trend", "sharing-providers", "sharing-catalog"]
CITY = 370200       # 青岛市
COUNTY = 370202     # 市南区


def window_calls(con, adcode: int, days: int = sp.FLOW_DAYS) -> int:
    """Calls in the last `days` days of sharing_flow with either end in the subtree."""
    return int(con.sql(f"""
        WITH sub AS (SELECT descendant FROM region_closure WHERE ancestor = {adcode}),
             last AS (SELECT max(day) AS d FROM sharing_flow)
        SELECT sum(calls) FROM sharing_flow, last
        WHERE day > last.d - {days} AND day <= last.d
          AND (provider_adcode IN (SELECT * FROM sub) OR consumer_adcode IN (SELECT * FROM sub))
    """).fetchall()[0][0])


def subtree(con, adcode: int) -> set[int]:
    return {r[0] for r in con.sql(f"SELECT descendant FROM region_closure WHERE ancestor = {adcode}").fetchall()}


@pytest.mark.parametrize("search", ["", f"?region={CITY}", f"?region={COUNTY}", f"?region={CITY}&lang=en",
                                    "?period=2026-06", "?theme=light"])
def test_each_panel_renders(render_panel, search):
    for pid in PANELS:
        rows, out, title = render_panel(pid, search)
        panel = REGISTRY[pid]
        assert isinstance(out, go.Figure if panel.kind == "graph" else Component), pid
        assert isinstance(rows, pd.DataFrame), pid
        assert title, pid


def test_panels_are_placed_in_their_own_grid_areas():
    from pages.domains import EXTRA

    assert [p.id for p in EXTRA["sharing"]] == PANELS
    css = open("assets/sharing.css", encoding="utf-8").read()
    for p in EXTRA["sharing"]:
        area = p.area.removeprefix("area-")
        assert f".{p.area} {{ grid-area: {area};" in css, p.id
        assert f" {area} " in css or f'"{area} ' in css or f' {area}"' in css, p.id


@pytest.mark.parametrize("adcode", [370000, CITY, COUNTY])
def test_sankey_adds_up_to_every_call_of_the_window(render_panel, snap_con, adcode):
    rows, fig, _ = render_panel("sharing-dept-sankey", f"?region={adcode}")
    expected = window_calls(snap_con, adcode)
    assert expected > 0
    assert int(rows["calls"].sum()) == expected
    sankey = fig.data[0]
    assert sum(sankey.link.value) == pytest.approx(expected)
    # Top links drawn as they are, the rest folded into "other" nodes.
    assert (~rows["folded"]).sum() == sp.SANKEY_LINKS
    # Providers and consumers are separate node sets: no link can close a loop.
    assert not set(sankey.link.source) & set(sankey.link.target)
    assert max(sankey.link.source) < min(sankey.link.target)


def test_sankey_names_the_provinces_departments_and_merges_the_rest(render_panel, snap_con):
    rows, fig, _ = render_panel("sharing-dept-sankey")
    named = set(rows.loc[rows["provider_kind"] == "named", "provider"])
    province_depts = {r[0] for r in snap_con.sql(
        "SELECT DISTINCT provider_dept FROM sharing_flow WHERE provider_adcode = 370000").fetchall()}
    assert named and named <= province_depts
    merged = rows.loc[rows["provider_kind"] == "below", "provider"]
    assert merged.str.startswith("市县").all() and len(merged)
    labels = list(fig.data[0].node.label)
    assert "其他提供部门" in labels and "其他使用部门" in labels


def test_fold_links_keeps_every_call():
    df = pd.DataFrame({
        "provider": ["a", "a", "b", "c", "d"], "provider_kind": ["named"] * 5,
        "consumer": ["x", "y", "x", "z", "w"], "consumer_kind": ["named"] * 5,
        "calls": [50, 5, 40, 3, 2], "calls_ok": [50, 5, 40, 3, 2], "latency_ms_sum": [1.0] * 5})
    out = sp.fold_links(df, 2, "P*", "C*")
    assert out["calls"].sum() == df["calls"].sum()
    got = {(r.provider, r.consumer): r.calls for r in out.itertuples()}
    # a -> y folds to a -> other (a is drawn, its total stays whole); c -> z and d -> w to other -> other.
    assert got == {("a", "x"): 50, ("b", "x"): 40, ("a", "C*"): 5, ("P*", "C*"): 5}


def test_provider_list_is_worst_first_and_shows_the_failing_provider(render_panel, snap_con):
    planted = next(a for a in PLANTED_ANOMALIES if a["id"] == "api_success_drop")["provider_dept"]
    rows, out, _ = render_panel("sharing-providers")
    rates = rows["success_rate"].tolist()
    assert rates == sorted(rates)
    assert rows["calls"].min() >= rows["min_calls"].iloc[0]
    worst = rows.iloc[0]
    assert worst["provider_dept"] == planted
    assert worst["success_rate"] < rows["success_rate"].iloc[1:].min()
    calls, ok = snap_con.sql(f"""
        WITH last AS (SELECT max(day) AS d FROM sharing_flow)
        SELECT sum(calls), sum(calls_ok) FROM sharing_flow, last
        WHERE provider_dept = '{planted}' AND day > last.d - {sp.FLOW_DAYS}""").fetchall()[0]
    assert worst["calls"] == calls
    assert worst["success_rate"] == pytest.approx(100.0 * ok / calls)
    assert worst["success_rate"] < 96          # the demo plants ~93%
    assert planted in str(out) and "row-alarm" in str(out)


def test_a_city_still_sees_the_failing_provincial_provider(render_panel):
    planted = next(a for a in PLANTED_ANOMALIES if a["id"] == "api_success_drop")["provider_dept"]
    rows, _, _ = render_panel("sharing-providers", f"?region={CITY}")
    assert rows.iloc[0]["provider_dept"] == planted


def test_scoping_to_a_city_restricts_the_flows(render_panel, snap_con):
    all_rows, _, _ = render_panel("sharing-flow-map")
    rows, fig, _ = render_panel("sharing-flow-map", f"?region={CITY}")
    assert int(all_rows["calls"].sum()) == window_calls(snap_con, 370000)
    assert int(rows["calls"].sum()) == window_calls(snap_con, CITY) < int(all_rows["calls"].sum())
    # Every flow has an end in the city; the city's own nodes are it and its counties.
    assert (rows["provider_inside"] | rows["consumer_inside"]).all()
    inside = set(rows.loc[rows["provider_inside"], "provider_node"]) | set(rows.loc[rows["consumer_inside"], "consumer_node"])
    kids = {r[0] for r in snap_con.sql(f"SELECT adcode FROM region WHERE parent = {CITY}").fetchall()}
    assert inside <= kids | {CITY} and CITY in inside
    assert not inside & {370100, 370000}
    # Outside partners appear as whole cities (or the province), not as their counties.
    outside = (set(rows["provider_node"]) | set(rows["consumer_node"])) - inside
    levels = dict(snap_con.sql("SELECT adcode, level FROM region").fetchall())
    assert outside and {levels[a] for a in outside} <= {"city", "province"}
    # The province-level node sits at the province's centroid.
    lon, lat = snap_con.sql("SELECT lon, lat FROM region WHERE adcode = 370000").fetchall()[0]
    nodes = fig.data[-1]
    i = list(nodes.customdata).index(370000)
    assert (nodes.lon[i], nodes.lat[i]) == pytest.approx((lon, lat))


def test_city_sankey_only_has_calls_touching_the_city(render_panel, snap_con):
    rows, _, _ = render_panel("sharing-dept-sankey", f"?region={CITY}")
    sub = subtree(snap_con, CITY)
    assert int(rows["calls"].sum()) == window_calls(snap_con, CITY)
    assert len(sub) > 1
    named = set(rows.loc[rows["provider_kind"] == "named", "provider"])
    assert any(n.startswith("青岛市") for n in named)
    assert not any(n.startswith("济南市") for n in named)


def test_flow_map_draws_the_top_flows_over_city_boundaries(render_panel):
    rows, fig, _ = render_panel("sharing-flow-map")
    base = fig.data[0]
    assert isinstance(base, go.Choropleth) and "city.geojson" in base.geojson and len(base.locations) == 16
    lines = [tr for tr in fig.data if isinstance(tr, go.Scattergeo) and tr.mode == "lines+markers"]
    cross = rows[rows["provider_node"] != rows["consumer_node"]]
    assert len(lines) == min(sp.MAP_FLOWS, len(cross))
    widths = [tr.line.width for tr in lines]
    # Drawn smallest first, so the widest (busiest) flow is on top.
    assert widths == sorted(widths) and widths[-1] > widths[0]
    assert str(cross.iloc[0]["provider_name"]) in lines[-1].text


def test_trend_counts_calls_in_the_consumers_region(render_panel, snap_con):
    rows, fig, title = render_panel("sharing-calls-trend", f"?region={CITY}")
    expect = snap_con.sql(f"""
        SELECT day, sum(calls), sum(calls_ok), sum(latency_ms_sum) FROM sharing_flow
        WHERE consumer_adcode IN (SELECT descendant FROM region_closure WHERE ancestor = {CITY})
        GROUP BY day ORDER BY day""").fetchall()
    assert len(rows) == len(expect) <= sp.TREND_DAYS
    assert rows["calls"].tolist() == [e[1] for e in expect]
    assert rows["success_rate"].tolist() == pytest.approx([100.0 * e[2] / e[1] for e in expect])
    assert rows["latency_ms"].tolist() == pytest.approx([e[3] / e[1] for e in expect])
    assert [tr.yaxis or "y" for tr in fig.data] == ["y", "y2", "y3"]
    assert "14:30" in str(fig.layout.annotations)     # the snapshot's day is not over
    assert "调用方" in title


def test_catalog_rows_add_up_and_demand_is_against_the_catalog_target(render_panel, snap_con):
    rows, out, _ = render_panel("sharing-catalog")
    total = rows[rows["row_kind"] == "total"].iloc[0]
    parts = rows[rows["row_kind"] != "total"]
    assert set(parts["row_kind"]) == {"own", "child"} and len(parts) == 17
    entries, shareable, timely = snap_con.sql("""
        SELECT count(*), count(*) FILTER (WHERE share_type <> '不予共享'), count(*) FILTER (WHERE timely)
        FROM data_catalog""").fetchall()[0]
    assert total["entries"] == entries and total["shareable"] == shareable and total["timely"] == timely
    for col in ("entries", "shareable", "open", "timely", "objections_open", "objections_resolved", "requests"):
        assert parts[col].sum() == pytest.approx(total[col]), col
    open_now = snap_con.sql("SELECT count(*) FROM quality_objection WHERE resolved_at IS NULL").fetchall()[0][0]
    assert total["objections_open"] == open_now
    num, den = snap_con.sql(f"""
        SELECT sum(num), sum(den) FROM indicator_value
        WHERE indicator = 'demand_satisfaction' AND adcode = 370000
          AND period > (SELECT max(period) FROM indicator_value WHERE indicator = 'demand_satisfaction')
                       - INTERVAL {sp.FLOW_DAYS} DAY""").fetchall()[0]
    assert total["demand_pct"] == pytest.approx(100.0 * num / den)
    target, year = snap_con.sql(
        "SELECT target_value, target_year FROM indicator WHERE id = 'demand_satisfaction'").fetchall()[0]
    text = str(out)
    assert f"{target:.1f}%" in text and str(year) in text
    assert f"{total['demand_pct']:.1f}" in text


def test_catalog_follows_the_region(render_panel, snap_con):
    rows, _, _ = render_panel("sharing-catalog", f"?region={CITY}")
    total = rows[rows["row_kind"] == "total"].iloc[0]
    expect = snap_con.sql(f"""SELECT count(*) FROM data_catalog
        WHERE adcode IN (SELECT descendant FROM region_closure WHERE ancestor = {CITY})""").fetchall()[0][0]
    assert total["entries"] == expect
    own = rows[rows["row_kind"] == "own"].iloc[0]
    assert own["adcode"] == CITY
    assert own["entries"] == snap_con.sql(f"SELECT count(*) FROM data_catalog WHERE adcode = {CITY}").fetchall()[0][0]


def test_an_earlier_period_moves_the_window(render_panel, snap_con):
    rows, _, _ = render_panel("sharing-calls-trend", "?period=2026-10-31")
    assert pd.Timestamp(rows["day"].max()) == pd.Timestamp("2026-10-31")
    rows, fig, _ = render_panel("sharing-dept-sankey", "?period=2025-06")
    assert rows.empty and len(fig.data) == 0
