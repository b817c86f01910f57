"""Panels only the cloud screen has (registered into pages.domains.EXTRA): the
node topology, capacity allocated/used against the installed total, hourly
utilisation, the idle-resource reclaim list, and availability and PUE against
their planning targets. Every panel follows the region in the URL: a node
belongs to the region of its adcode."""
from __future__ import annotations

import math

import pandas as pd
from dash import html

from components import figures, figures_cloud
from components.common import number, geojson_url, status
from components.panels import Panel, register
from pages.domains import EXTRA

L = {
    "topo_title": ("政务云节点拓扑", "Cloud node topology"),
    "capacity_title": ("资源容量与分配", "Capacity and allocation"),
    "util_title": ("资源使用率（逐小时）", "Hourly utilisation"),
    "reclaim_title": ("闲置资源回收建议（近24小时）", "Idle capacity to reclaim (last 24 h)"),
    "availpue_title": ("可用率与PUE对标", "Availability & PUE vs targets"),
    "tier_provincial": ("省级主节点", "Provincial node"),
    "tier_backbone": ("骨干节点", "Backbone node"),
    "tier_city": ("市级节点", "City node"),
    "status_ok": ("正常", "Normal"), "status_warn": ("预警", "Warning"), "status_alarm": ("告警", "Alarm"),
    "uplink_note": ("连线：市级节点接入最近的<br>骨干或主节点，骨干节点<br>接入省级主节点",
                    "Links: a city node to the<br>nearest hub, a backbone<br>node to the provincial one"),
    "vcpu": ("vCPU", "vCPU"), "memory": ("内存", "Memory"), "storage": ("存储", "Storage"),
    "total": ("总量", "Total"), "allocated": ("已分配", "Allocated"), "used": ("在用", "Used"),
    "idle": ("闲置", "Idle"), "util": ("使用率", "Utilisation"),
    "warn": ("预警", "Warning"), "alarm": ("告警", "Alarm"),
    "availability": ("节点可用率", "Node availability"), "pue": ("PUE", "PUE"),
    "target": ("目标", "target"),
    "rank": ("#", "#"), "department": ("租户部门", "Department"), "advice": ("建议", "Advice"),
    "row_hint": ("在用 / 已分配 {used} / {alloc} 核 · {nodes}",
                 "Used / allocated {used} / {alloc} cores · {nodes}"),
    "met": ("达标 {n}/{total}", "{n}/{total} on target"),
    "no_nodes": ("本地区无政务云节点", "No cloud node in this region"),
    "no_samples": ("所选时段无节点监测数据", "No node samples for this period"),
    "no_tenants": ("所选时段无租户数据（仅保留快照前24小时）",
                   "No tenant data for this period (last 24 h only)"),
    "reclaim": ("建议回收 {n} 核", "Reclaim {n} cores"),
    "review": ("建议评估缩容 {n} 核", "Review: shrink by {n} cores"),
    "keep": ("保持", "Keep"),
    "summary": ("共 {n} 个部门 · 闲置合计 {idle} 核 · 建议回收 {rec} 核 · 导出查看全部",
                "{n} departments · {idle} idle cores · {rec} to reclaim · export for all"),
    "hover_node": ("{name}<br>{tier} · {region}<br>vCPU 在用/分配/总量 {used} / {alloc} / {total} 核（{util}）"
                   "<br>内存 在用/总量 {mem_used} / {mem_total} GB<br>存储 在用/总量 {sto_used} / {sto_total} TB"
                   "<br>可用率 {avail}",
                   "{name}<br>{tier} · {region}<br>vCPU used/alloc/total {used} / {alloc} / {total} ({util})"
                   "<br>Memory used/total {mem_used} / {mem_total} GB"
                   "<br>Storage used/total {sto_used} / {sto_total} TB"
                   "<br>Availability {avail}"),
}

TOP_RECLAIM = 12
# Rows per side of the availability/PUE chart: the worst ones, so a breach
# never falls off the screen (the export has every node).
AVAIL_ROWS = 9
# Reclaim rule on the 24-hour mean: below RECLAIM_BELOW the allocation is
# clearly oversized; below REVIEW_BELOW it is worth a look. The suggested cut
# leaves the tenant at KEEP_UTIL mean use, i.e. twice its mean load, headroom
# for daytime peaks (the mean hides them).
RECLAIM_BELOW = 30.0
REVIEW_BELOW = 50.0
KEEP_UTIL = 50.0


def _l(key: str, c, **kw) -> str:
    text = L[key][1 if c.lang == "en" else 0]
    return text.format(**kw) if kw else text


def _labels(c, *keys) -> dict:
    return {k: _l(k, c) for k in keys}


def _ind(c, indicator: str) -> dict | None:
    return c.indicators.get(indicator)


def _status(c, indicator: str, value) -> str:
    ind = _ind(c, indicator)
    return status(ind, value) if ind is not None else "none"


def _target(c, indicator: str) -> float | None:
    ind = _ind(c, indicator)
    return None if ind is None else number(ind.get("target_value"))


def target_text(c, indicator: str, decimals: int, unit: str = "") -> str:
    ind, tv = _ind(c, indicator), _target(c, indicator)
    if tv is None:
        return ""
    year = ind.get("target_year")
    year = "" if year is None or pd.isna(year) else f"{int(year)}{'年' if c.lang == 'zh' else ' '}"
    return f"{year}{_l('target', c)} {figures.fmt(tv, decimals)}{unit}"


# ---------------------------------------------------------------- topology

def _distance_km(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl, dp = math.radians(lon2 - lon1), p2 - p1
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(a))


def uplinks(nodes: pd.DataFrame) -> pd.Series:
    """The hub each node connects to. cloud_node has no parent column, so the
    "1 provincial + backbones + cities" tree is inferred: a backbone node hangs
    off the provincial node, a city node off the nearest hub (provincial or
    backbone) by great-circle distance."""
    prov = nodes[nodes["tier"] == "provincial"]
    hubs = nodes[nodes["tier"].isin(["provincial", "backbone"])]
    out = {}
    for r in nodes.itertuples():
        if r.tier == "backbone" and not prov.empty:
            out[r.node_id] = prov.iloc[0]["node_id"]
        elif r.tier == "city" and not hubs.empty:
            d = [(_distance_km(r.lon, r.lat, h.lon, h.lat), h.node_id) for h in hubs.itertuples()]
            out[r.node_id] = min(d)[1]
        else:
            out[r.node_id] = None
    return pd.Series(out, dtype=object).reindex(nodes["node_id"]).set_axis(nodes.index)


def _short_name(r, c) -> str:
    if c.lang == "en":     # no English region names in the snapshot: the id, which carries tier and adcode
        return str(r["node_id"]).removeprefix("GC-")
    if r["tier"] == "provincial":
        return "省主节点"
    city = str(r["region_name"]).removesuffix("市")
    return f"{city}骨干" if r["tier"] == "backbone" else city


def _node_hover(r, c) -> str:
    def n(v, d=0):
        return figures.fmt(number(v), d)

    util = number(r["vcpu_util"])
    tier = _l(f"tier_{r['tier']}", c) if f"tier_{r['tier']}" in L else r["tier"]
    return _l("hover_node", c, name=r["name"], tier=tier, region=r["region_name"], used=n(r["vcpu_used"]),
              alloc=n(r["vcpu_alloc"]), total=n(r["vcpu_total"]), util="—" if util is None else f"{util:.1f}%",
              mem_used=n(r["mem_used_gb"]), mem_total=n(r["mem_total_gb"]),
              sto_used=n(r["storage_used_tb"], 1), sto_total=n(r["storage_total_tb"], 1),
              avail="—" if number(r["availability"]) is None else f"{r['availability']:.3f}%")


def _topology_data(c) -> pd.DataFrame:
    nodes = c.q("cloud_nodes")
    if nodes.empty:
        return nodes
    nodes = nodes.assign(uplink=uplinks(nodes))
    view = nodes[nodes["in_view"]]
    # Show the nodes in view and the hubs they connect to, so a city view keeps its uplink.
    shown = set(view["node_id"]) | set(view["uplink"].dropna())
    backbone_up = set(nodes.loc[nodes["node_id"].isin(shown) & (nodes["tier"] == "backbone"), "uplink"].dropna())
    nodes = nodes[nodes["node_id"].isin(shown | backbone_up)].copy()
    nodes["status"] = [_status(c, "vcpu_util", v) for v in nodes["vcpu_util"]]
    return nodes


def _topology_render(df, c):
    if df.empty or not df["in_view"].any():
        return figures.empty(_l("no_nodes", c), c.theme)
    regions = c.q("cloud_regions")
    d = df.assign(label=[_short_name(r, c) for r in df.to_dict("records")],
                  hover=[_node_hover(r, c) for r in df.to_dict("records")])
    level = str(regions["level"].iloc[0]) if not regions.empty else "city"
    labels = _labels(c, "tier_provincial", "tier_backbone", "tier_city", "status_ok", "status_warn", "status_alarm")
    labels["note"] = _l("uplink_note", c)
    return figures_cloud.topology(regions, d, geojson_url=geojson_url(c, level), theme=c.theme, labels=labels)


# ---------------------------------------------------------------- capacity

CAPACITY_STATUS = {"vcpu": "vcpu_util", "memory": "mem_util", "storage": "storage_util"}


def _capacity_render(df, c):
    if df.empty:
        return figures.empty(_l("no_nodes", c), c.theme)
    if df["used"].isna().all():
        return figures.empty(_l("no_samples", c), c.theme)
    d = df.assign(label=[_l(r, c) for r in df["resource"]])
    st = [_status(c, CAPACITY_STATUS[r.resource], r.used_pct) for r in df.itertuples()]
    return figures_cloud.capacity(d, theme=c.theme, labels=_labels(c, "total", "allocated", "used"), used_status=st)


def _capacity_title(c):
    return _l("capacity_title", c)


# ---------------------------------------------------------------- utilisation

def _no_data(c, key: str) -> str:
    """Why a panel is empty: no node in the region at all, or none in the period."""
    return _l("no_nodes", c) if c.q("cloud_capacity").empty else _l(key, c)


def _util_render(df, c):
    if df.empty:
        return figures.empty(_no_data(c, "no_samples"), c.theme)
    ind = _ind(c, "vcpu_util") or {}
    return figures_cloud.utilisation(df, theme=c.theme, labels=_labels(c, "vcpu", "memory", "warn", "alarm"),
                                     warn=number(ind.get("warn")), alarm=number(ind.get("alarm")))


# ---------------------------------------------------------------- reclaim

def advice(alloc, used) -> tuple[str, int]:
    """(action, cores) for one tenant: reclaim | review | keep, and the cores
    that would bring its mean use up to KEEP_UTIL of what it keeps."""
    alloc, used = number(alloc), number(used)
    if not alloc or used is None:
        return "keep", 0
    util = 100.0 * used / alloc
    cut = max(0, math.floor(alloc - used * 100.0 / KEEP_UTIL))
    if util < RECLAIM_BELOW and cut > 0:
        return "reclaim", cut
    if util < REVIEW_BELOW and cut > 0:
        return "review", cut
    return "keep", 0


def _reclaim_data(c) -> pd.DataFrame:
    df = c.q("cloud_tenants")
    acts = [advice(a, u) for a, u in zip(df["vcpu_alloc"], df["vcpu_used"])]
    return df.assign(action=[a for a, _ in acts], reclaim_vcpu=[n for _, n in acts],
                     advice=[_l(a, c, n=f"{n:,}") for a, n in acts])


def _reclaim_render(df, c):
    if df.empty:
        return html.Div(_no_data(c, "no_tenants"), className="message")
    head = html.Tr([html.Th(_l("rank", c)), html.Th(_l("department", c)), html.Th(f"{_l('idle', c)} vCPU"),
                    html.Th(_l("util", c)), html.Th(_l("advice", c))])
    body = []
    for i, r in enumerate(df.head(TOP_RECLAIM).to_dict("records"), start=1):
        util = number(r["vcpu_util"]) or 0.0
        level = "alarm" if r["action"] == "reclaim" else ("warn" if r["action"] == "review" else "ok")
        hint = _l("row_hint", c, used=figures.fmt(r["vcpu_used"], 0), alloc=figures.fmt(r["vcpu_alloc"], 0),
                  nodes=r["node_names"])
        body.append(html.Tr([
            html.Td(str(i), className="cl-rank"),
            html.Td(r["department"], className="cl-dept"),
            html.Td(figures.fmt(r["vcpu_idle"], 0), className="cl-idle"),
            html.Td(html.Div([html.Div(className=f"cl-bar-fill cl-{level}", style={"width": f"{min(util, 100):.0f}%"}),
                              html.Span(f"{util:.0f}%", className="cl-bar-text")], className="cl-bar")),
            html.Td(r["advice"], className=f"cl-advice cl-{level}"),
        ], title=f"{r['department']}：{hint}"))
    foot = html.Div(_l("summary", c, n=len(df), idle=figures.fmt(df["vcpu_idle"].sum(), 0),
                       rec=f"{int(df['reclaim_vcpu'].sum()):,}"), className="cl-foot")
    return html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="cl-table"), foot],
                    className="cl-reclaim")


# ---------------------------------------------------------------- availability and PUE

def _availpue_data(c) -> pd.DataFrame:
    nodes = c.q("cloud_nodes")
    nodes = nodes[nodes["in_view"] & nodes["availability"].notna()]
    avail = pd.DataFrame({
        "measure": "availability", "key": nodes["node_id"], "name": nodes["name"],
        "label": [_short_name(r, c) for r in nodes.to_dict("records")], "tier": nodes["tier"],
        "value": nodes["availability"], "unit": "%", "target": _target(c, "cloud_availability"),
        "status": [_status(c, "cloud_availability", v) for v in nodes["availability"]],
        "period_from": nodes["first_hour"], "period_to": nodes["last_hour"], "is_total": False,
    })
    pue = c.q("cloud_indicator_nodes", indicator="pue") if _ind(c, "pue") else pd.DataFrame()
    if not pue.empty:
        pue = pd.DataFrame({
            "measure": "pue", "key": pue["adcode"].astype(str), "name": pue["name"], "label": pue["name"],
            "tier": pue["level"], "value": pue["value"], "unit": "", "target": _target(c, "pue"),
            "status": [_status(c, "pue", v) for v in pue["value"]], "period_from": pue["period"],
            "period_to": pue["period"], "is_total": pue["is_total"],
        })
    parts = [p for p in (avail.sort_values(["value", "key"]), pue) if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else avail


def _met(c, rows: pd.DataFrame, indicator: str) -> str:
    """"达标 n/N": how many rows reach the indicator's target, in its direction."""
    ind, target = _ind(c, indicator), _target(c, indicator)
    if target is None or rows.empty:
        return ""
    ok = rows["value"] >= target if ind["direction"] == "up" else rows["value"] <= target
    return _l("met", c, n=int(ok.sum()), total=len(rows))


def _availpue_render(df, c):
    if df.empty:
        return figures.empty(_l("no_nodes", c), c.theme)
    avail = df[df["measure"] == "availability"]
    pue = df[df["measure"] == "pue"]
    cities = pue[~pue["is_total"].astype(bool)]
    labels = {
        "availability": f"{_l('availability', c)}（{target_text(c, 'cloud_availability', 2, '%')}）"
                        f"<br>{_met(c, avail, 'cloud_availability')}",
        "pue": f"PUE（{target_text(c, 'pue', 2)}）<br>{_met(c, cities, 'pue')}",
    }
    # Totals first, then the worst: availability is sorted ascending, PUE descending.
    avail = avail.head(AVAIL_ROWS)
    pue = pd.concat([pue[pue["is_total"].astype(bool)], cities.head(AVAIL_ROWS - 1)])
    ind = _ind(c, "pue") or {}
    return figures_cloud.availability_pue(avail, pue, theme=c.theme, labels=labels,
                                          avail_target=_target(c, "cloud_availability"),
                                          pue_target=_target(c, "pue"), pue_warn=number(ind.get("warn")))


EXTRA["cloud"] = register(
    Panel("cloud-topology", lambda c: _l("topo_title", c), _topology_data, _topology_render,
          area="area-cl-topo", drill=True),
    Panel("cloud-capacity", _capacity_title, lambda c: c.q("cloud_capacity"), _capacity_render, area="area-cl-cap"),
    Panel("cloud-utilisation", lambda c: _l("util_title", c), lambda c: c.q("cloud_hourly"), _util_render,
          area="area-cl-util"),
    Panel("cloud-reclaim", lambda c: _l("reclaim_title", c), _reclaim_data, _reclaim_render, kind="html",
          area="area-cl-reclaim"),
    Panel("cloud-availability-pue", lambda c: _l("availpue_title", c), _availpue_data, _availpue_render,
          area="area-cl-avail"),
)
