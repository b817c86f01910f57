"""The government cloud screen's own panels, checked against the snapshot tables
they are built from (computed here independently, straight from DuckDB)."""
from __future__ import annotations

import plotly.graph_objects as go
import pytest
import yaml
from dash.development.base_component import Component

import pages  # noqa: F401  (registers the panels)
from components.panels import REGISTRY
from core.settings import PROJECT_DIR
from pages import cloud_panels
from pages.domains import EXTRA

PANELS = ["cloud-topology", "cloud-capacity", "cloud-utilisation", "cloud-reclaim", "cloud-availability-pue"]
SCOPES = ["", "?region=370200", "?region=370202", "?region=370100&lang=en&theme=light", "?period=2026-06"]


def _nodes_in(con, adcode: int) -> set[str]:
    return {r[0] for r in con.execute("""
        SELECT n.node_id FROM cloud_node n
        JOIN region_closure c ON c.descendant = n.adcode AND c.ancestor = ?""", [adcode]).fetchall()}


def _latest_hour(con):
    return con.execute("SELECT max(hour) FROM cloud_node_hourly").fetchone()[0]


def test_panels_are_on_the_cloud_screen():
    assert [p.id for p in EXTRA["cloud"]] == PANELS
    for pid in PANELS:
        assert REGISTRY[pid].area.startswith("area-cl-")


@pytest.mark.parametrize("search", SCOPES)
def test_every_cloud_panel_renders(render_panel, search):
    for pid in PANELS:
        rows, out, title = render_panel(pid, search)
        assert isinstance(out, go.Figure if REGISTRY[pid].kind == "graph" else Component), pid
        assert title, pid
        if isinstance(out, go.Figure):
            out.to_json()   # serialisable, as the callback will send it


# ---------------------------------------------------------------- topology

def test_topology_shows_every_node_with_an_uplink(render_panel, snap_con):
    rows, fig, _ = render_panel("cloud-topology")
    assert set(rows["node_id"]) == _nodes_in(snap_con, 370000)
    tiers = dict(snap_con.execute("SELECT node_id, tier FROM cloud_node").fetchall())
    prov = [n for n, t in tiers.items() if t == "provincial"]
    up = dict(zip(rows["node_id"], rows["uplink"]))
    for node, tier in tiers.items():
        if tier == "backbone":
            assert up[node] == prov[0]
        elif tier == "city":
            assert tiers[up[node]] in ("provincial", "backbone")
    # The backbone nodes serve their own city: the city node there links to them.
    assert up["GC-C-370200"] == "GC-B-370200" and up["GC-C-370400"] == "GC-B-370400"
    assert up["GC-C-370100"] == prov[0]
    # Base map: the cities; every node drawn once, sized by vCPU total.
    base = fig.data[0]
    assert isinstance(base, go.Choropleth) and "city.geojson" in base.geojson
    cities = {r[0] for r in snap_con.execute("SELECT adcode FROM region WHERE parent = 370000").fetchall()}
    assert set(base.locations) == cities
    markers = [tr for tr in fig.data if isinstance(tr, go.Scattergeo) and tr.mode and "markers" in tr.mode
               and tr.lon is not None and tr.lon[0] is not None]
    assert sum(len(tr.lon) for tr in markers) == len(tiers)
    prov_trace = next(tr for tr in markers if tr.name == "provincial")
    assert max(prov_trace.marker.size) == max(s for tr in markers for s in tr.marker.size)
    links = [tr for tr in fig.data if isinstance(tr, go.Scattergeo) and tr.mode == "lines"]
    assert sum(len(tr.lon) for tr in links) == 3 * (len(tiers) - 1)


def test_topology_colour_is_the_vcpu_status(render_panel, snap_con):
    rows, _, _ = render_panel("cloud-topology")
    hour = _latest_hour(snap_con)
    util = dict(snap_con.execute("""
        SELECT n.node_id, 100 * h.vcpu_used / n.vcpu_total FROM cloud_node n
        JOIN cloud_node_hourly h ON h.node_id = n.node_id AND h.hour = ?""", [hour]).fetchall())
    warn, alarm = snap_con.execute("SELECT warn, alarm FROM indicator WHERE id = 'vcpu_util'").fetchone()
    for r in rows.itertuples():
        expect = "alarm" if util[r.node_id] >= alarm else "warn" if util[r.node_id] >= warn else "ok"
        assert r.status == expect, r.node_id
    # The demo plants an overloaded node in 潍坊.
    assert rows.set_index("node_id").at["GC-C-370700", "status"] == "alarm"


def test_topology_of_a_city_keeps_its_nodes_and_their_uplinks(render_panel, snap_con):
    rows, fig, _ = render_panel("cloud-topology", "?region=370200")
    view = set(rows.loc[rows["in_view"], "node_id"])
    assert view == _nodes_in(snap_con, 370200) == {"GC-B-370200", "GC-C-370200"}
    # Context: the provincial node the backbone uplinks to, faded.
    assert set(rows.loc[~rows["in_view"], "node_id"]) == {"GC-P-370100"}
    base = fig.data[0]
    assert [z for a, z in zip(base.locations, base.z) if z == 1] == [1] and \
        dict(zip(base.locations, base.z))[370200] == 1


def test_a_county_has_no_node(render_panel):
    rows, fig, _ = render_panel("cloud-topology", "?region=370202")
    assert not rows["in_view"].any()
    assert fig.layout.annotations and "无政务云节点" in fig.layout.annotations[0].text


# ---------------------------------------------------------------- capacity

@pytest.mark.parametrize("adcode", [370000, 370200, 370100])
def test_capacity_is_the_sum_over_the_scoped_nodes(render_panel, snap_con, adcode):
    search = "" if adcode == 370000 else f"?region={adcode}"
    rows, fig, _ = render_panel("cloud-capacity", search)
    nodes = sorted(_nodes_in(snap_con, adcode))
    hour = _latest_hour(snap_con)
    q = ",".join("?" * len(nodes))
    totals = snap_con.execute(f"""SELECT sum(vcpu_total), sum(mem_total_gb), sum(storage_total_tb)
                                  FROM cloud_node WHERE node_id IN ({q})""", nodes).fetchone()
    used = snap_con.execute(f"""SELECT sum(vcpu_alloc), sum(vcpu_used), sum(mem_alloc_gb), sum(mem_used_gb),
                                       sum(storage_alloc_tb), sum(storage_used_tb)
                                FROM cloud_node_hourly WHERE hour = ? AND node_id IN ({q})""",
                            [hour, *nodes]).fetchone()
    r = rows.set_index("resource")
    assert list(r.index) == ["vcpu", "memory", "storage"]
    assert r["total"].tolist() == pytest.approx(list(totals))
    assert r["allocated"].tolist() == pytest.approx([used[0], used[2], used[4]])
    assert r["used"].tolist() == pytest.approx([used[1], used[3], used[5]])
    assert (r["nodes"] == len(nodes)).all() and (r["reporting"] == len(nodes)).all()
    # Drawn as % of the total: allocated and used bars.
    alloc_bar = next(tr for tr in fig.data if tr.name == "已分配")
    used_bar = next(tr for tr in fig.data if tr.name == "在用")
    assert list(alloc_bar.x) == pytest.approx([100 * used[i] / totals[j] for i, j in ((0, 0), (2, 1), (4, 2))])
    assert list(used_bar.x) == pytest.approx([100 * used[i] / totals[j] for i, j in ((1, 0), (3, 1), (5, 2))])


def test_city_capacity_is_smaller_than_the_province(render_panel):
    prov, _, _ = render_panel("cloud-capacity")
    city, _, _ = render_panel("cloud-capacity", "?region=370200")
    assert (city["total"] < prov["total"]).all() and (city["used"] > 0).all()


# ---------------------------------------------------------------- utilisation

def test_utilisation_is_hourly_over_the_scoped_nodes(render_panel, snap_con):
    rows, fig, _ = render_panel("cloud-utilisation", "?region=370200")
    nodes = sorted(_nodes_in(snap_con, 370200))
    expect = snap_con.execute("""
        SELECT h.hour, 100 * sum(h.vcpu_used) / sum(n.vcpu_total), 100 * sum(h.mem_used_gb) / sum(n.mem_total_gb)
        FROM cloud_node_hourly h JOIN cloud_node n USING (node_id)
        WHERE n.node_id IN (?, ?) GROUP BY h.hour ORDER BY h.hour""", nodes).fetchall()
    assert len(rows) == len(expect) > 24
    assert rows["vcpu_util"].tolist() == pytest.approx([e[1] for e in expect])
    assert rows["mem_util"].tolist() == pytest.approx([e[2] for e in expect])
    assert list(fig.data[0].y) == pytest.approx([e[1] for e in expect])


def test_province_utilisation_matches_the_vcpu_util_indicator(render_panel, snap_con):
    """Same data, two paths: the pipeline's hourly indicator and this panel's sum over nodes."""
    rows, _, _ = render_panel("cloud-utilisation")
    ind = dict(snap_con.execute("""SELECT period, value FROM indicator_value
                                   WHERE indicator = 'vcpu_util' AND adcode = 370000""").fetchall())
    got = dict(zip(rows["hour"].dt.to_pydatetime(), rows["vcpu_util"]))
    common = set(got) & set(ind)
    assert len(common) >= 24
    assert [got[h] for h in sorted(common)] == pytest.approx([ind[h] for h in sorted(common)], rel=1e-6)


def test_an_early_period_has_no_hourly_samples(render_panel):
    rows, fig, _ = render_panel("cloud-utilisation", "?period=2026-06")
    assert rows.empty and fig.layout.annotations


# ---------------------------------------------------------------- reclaim

def test_reclaim_list_is_cloud_tenant_ranked_by_idle_vcpu(render_panel, snap_con):
    rows, out, _ = render_panel("cloud-reclaim")
    expect = snap_con.execute("""
        SELECT department, sum(vcpu_alloc), sum(vcpu_used), sum(vcpu_idle) FROM cloud_tenant
        GROUP BY department""").fetchall()
    assert len(rows) == len(expect)               # export: every department, not just the top
    assert rows["vcpu_idle"].is_monotonic_decreasing
    by = {d: (a, u, i) for d, a, u, i in expect}
    for r in rows.itertuples():
        assert (r.vcpu_alloc, r.vcpu_used, r.vcpu_idle) == pytest.approx(by[r.department])
        assert r.vcpu_util == pytest.approx(100 * by[r.department][1] / by[r.department][0])
    top = max(expect, key=lambda e: e[3])[0]
    assert rows["department"].iloc[0] == top
    text = str(out)
    assert top in text
    shown = [d for d in rows["department"] if d in text]
    assert len(rows["department"].head(cloud_panels.TOP_RECLAIM)) == cloud_panels.TOP_RECLAIM
    assert rows["department"].iloc[cloud_panels.TOP_RECLAIM - 1] in shown
    assert "tr" in text.lower() and text.count("cl-dept") == cloud_panels.TOP_RECLAIM


def test_reclaim_list_follows_the_region(render_panel, snap_con):
    rows, _, _ = render_panel("cloud-reclaim", "?region=370200")
    expect = {r[0] for r in snap_con.execute("""
        SELECT DISTINCT t.department FROM cloud_tenant t JOIN cloud_node n USING (node_id)
        WHERE n.adcode = 370200""").fetchall()}
    assert set(rows["department"]) == expect
    assert rows["vcpu_idle"].is_monotonic_decreasing


def test_reclaim_advice_rule():
    assert cloud_panels.advice(100, 20) == ("reclaim", 60)      # keep 40 cores: 20 used is 50% of them
    assert cloud_panels.advice(100, 40) == ("review", 20)
    assert cloud_panels.advice(100, 60) == ("keep", 0)
    assert cloud_panels.advice(0, 0) == ("keep", 0)
    assert cloud_panels.advice(None, 3) == ("keep", 0)


def test_reclaim_rows_carry_the_advice(render_panel):
    rows, _, _ = render_panel("cloud-reclaim")
    for r in rows.itertuples():
        assert (r.action, r.reclaim_vcpu) == cloud_panels.advice(r.vcpu_alloc, r.vcpu_used)


def test_no_tenant_list_for_a_period_before_the_snapshot(render_panel):
    rows, out, _ = render_panel("cloud-reclaim", "?period=2026-06")
    assert rows.empty and "24" in str(out)


# ---------------------------------------------------------------- availability and PUE

def test_targets_come_from_the_catalog(render_panel, snap_con):
    rows, fig, _ = render_panel("cloud-availability-pue")
    with open(PROJECT_DIR / "data" / "catalog" / "indicators.yaml", encoding="utf-8") as f:
        cat = {i["id"]: i["target"]["value"] for i in yaml.safe_load(f)["indicators"]
               if i["id"] in ("cloud_availability", "pue")}
    assert cat["cloud_availability"] == pytest.approx(99.99)
    targets = rows.groupby("measure")["target"].first()
    assert targets["availability"] == pytest.approx(cat["cloud_availability"])
    assert targets["pue"] == pytest.approx(cat["pue"])
    vlines = sorted(s.x0 for s in fig.layout.shapes if s.x0 == s.x1)
    assert cat["cloud_availability"] in vlines and cat["pue"] in vlines
    assert "99.99" in fig.layout.annotations[0].text


def test_availability_per_node_and_pue_per_region(render_panel, snap_con):
    rows, _, _ = render_panel("cloud-availability-pue")
    avail = rows[rows["measure"] == "availability"].set_index("key")["value"]
    expect = dict(snap_con.execute("""SELECT node_id, 100 * avg(availability) FROM cloud_node_hourly
                                      GROUP BY node_id""").fetchall())
    assert avail.to_dict() == pytest.approx(expect)
    assert avail.iloc[0] == pytest.approx(min(expect.values()))      # worst first (sums: last bit may differ)
    pue = rows[rows["measure"] == "pue"]
    period = snap_con.execute("SELECT max(period) FROM indicator_value WHERE indicator = 'pue' AND adcode = 370000"
                              ).fetchone()[0]
    ind = dict(snap_con.execute("""SELECT adcode, value FROM indicator_value WHERE indicator = 'pue' AND period = ?
                                   AND adcode IN (SELECT adcode FROM cloud_node UNION SELECT 370000)""",
                                [period]).fetchall())
    assert dict(zip(pue["key"].astype(int), pue["value"])) == pytest.approx(ind)
    assert pue["is_total"].tolist()[0] and pue["key"].iloc[0] == "370000"
    # The demo plants a high-PUE node in 德州 and a low-availability one in 临沂.
    st = dict(zip(pue["key"], pue["status"]))
    assert st["371400"] == "alarm"
    assert rows.set_index("key").at["GC-C-371300", "status"] == "alarm"


def test_availability_and_pue_follow_the_region(render_panel):
    rows, _, _ = render_panel("cloud-availability-pue", "?region=370200")
    assert set(rows.loc[rows["measure"] == "availability", "key"]) == {"GC-B-370200", "GC-C-370200"}
    assert rows.loc[rows["measure"] == "pue", "key"].tolist() == ["370200"]


# ---------------------------------------------------------------- exports

def test_reclaim_export_holds_every_department(client, snap_con):
    import io

    import pandas as pd

    resp = client.get("/export/cloud-reclaim.csv?region=370200")
    assert resp.status_code == 200
    df = pd.read_csv(io.StringIO(resp.get_data().decode("utf-8-sig")), comment="#")
    n = snap_con.execute("""SELECT count(DISTINCT t.department) FROM cloud_tenant t JOIN cloud_node n USING (node_id)
                            WHERE n.adcode = 370200""").fetchone()[0]
    assert len(df) == n > cloud_panels.TOP_RECLAIM
    assert {"department", "vcpu_alloc", "vcpu_used", "vcpu_idle", "vcpu_util", "advice"} <= set(df.columns)
    assert df["vcpu_idle"].is_monotonic_decreasing


@pytest.mark.parametrize("pid", PANELS)
def test_every_cloud_panel_exports(client, pid):
    assert client.get(f"/export/{pid}.xlsx").status_code == 200
