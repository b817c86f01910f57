"""Panels only the emergency screen has (registered into pages.domains.EXTRA):
open events over the county map with the resource layers, the list of events
being handled, response and handling times, and the 12345 hotline.

Every query runs at the view's instant: the snapshot's as_of, or the end of the
chosen period when that is earlier, so "open" and "elapsed" mean the same on
the map, in the list and in the export. Reporter, caller and phone columns are
never selected (queries/serve/emergency_*.sql), so they cannot leak into a
chart, a hover or an export.
"""
from __future__ import annotations

import pandas as pd
from dash import html

from components import figures
from components import figures_emergency as fe
from components.common import geojson_url
from components.i18n import t
from components.panels import Panel, register
from pages.domains import EXTRA

LIST_ROWS = 15
HIDDEN_LAYERS = {"province": frozenset({"risk_point", "hazard_source", "rescue_team"}),
                 "city": frozenset({"risk_point"})}

LABELS = {
    "zh": {
        "map_title": "突发事件分布 · 在办 {n} 起", "list_title": "在办事件 · {n} 起（超期 {late}）",
        "stats_title": "事件响应与处置时效 · 近30天", "hotline_title": "12345 热线工单 · 日受理量",
        "topics_title": "12345 热点诉求 · 近30天",
        "自然灾害": "自然灾害", "事故灾难": "事故灾难", "公共卫生": "公共卫生", "社会安全": "社会安全",
        "接报": "接报", "处置中": "处置中", "已办结": "已办结",
        "n_items": "{n} 处", "risk_point": "风险隐患点", "hazard_source": "危险源", "warehouse": "应急物资仓库", "rescue_team": "救援队伍",
        "resources": "应急资源", "severity": "事件级别", "overdue": "超期",
        "severity_1": "Ⅰ级 特别重大", "severity_2": "Ⅱ级 重大", "severity_3": "Ⅲ级 较大", "severity_4": "Ⅳ级 一般",
        "level_short": "{r}级", "grade": "风险等级 {g} 级", "capacity_warehouse": "储备 {c:,.0f} 件",
        "capacity_rescue_team": "{c:,.0f} 人",
        "col_level": "级别", "col_type": "类型", "col_title": "事件", "col_county": "县区", "col_reported": "接报时间",
        "col_elapsed": "已用时", "col_status": "状态", "col_overdue": "超期",
        "overdue_yes": "超期", "deadline": "办结时限", "unit": "责任单位", "reported": "接报", "elapsed": "已用时",
        "more": "另有 {n} 起，导出可查看全部", "none_open": "当前无在办事件", "as_of": "截至 {t}",
        "d": "{n}天", "h": "{n}小时", "m": "{n}分钟", "hm": "{h}小时{m}分", "dh": "{d}天{h}小时",
        "response": "响应时长（分钟）", "handling": "办结用时（小时）", "median": "中位数",
        "count": "{n}起", "on_time": "按期{p:.0f}%", "all": "全部",
        "orders": "工单量", "unit_orders": "件", "on_time_rate": "按时办结", "satisfaction_rate": "满意率",
        "satisfied_short": "满意", "total_orders": "工单", "trailing": "{name}（{n}日）",
    },
    "en": {
        "map_title": "Emergency events · {n} open", "list_title": "Open events · {n} ({late} overdue)",
        "stats_title": "Response times · last 30 days", "hotline_title": "12345 hotline · orders per day",
        "topics_title": "12345 top topics · last 30 days",
        "自然灾害": "Natural disaster", "事故灾难": "Accident", "公共卫生": "Public health", "社会安全": "Public security",
        "接报": "New", "处置中": "Active", "已办结": "Closed",
        "n_items": "× {n}", "risk_point": "Risk points", "hazard_source": "Hazard sources", "warehouse": "Warehouses",
        "rescue_team": "Rescue teams",
        "resources": "Resources", "severity": "Level", "overdue": "Overdue",
        "severity_1": "Ⅰ Extraordinary", "severity_2": "Ⅱ Major", "severity_3": "Ⅲ Large", "severity_4": "Ⅳ General",
        "level_short": "{r}", "grade": "risk grade {g}", "capacity_warehouse": "stock {c:,.0f}",
        "capacity_rescue_team": "{c:,.0f} members",
        "col_level": "Level", "col_type": "Type", "col_title": "Event", "col_county": "County",
        "col_reported": "Reported", "col_elapsed": "Elapsed", "col_status": "Status", "col_overdue": "Late",
        "overdue_yes": "Late", "deadline": "Deadline", "unit": "Unit", "reported": "Reported",
        "elapsed": "Elapsed",
        "more": "{n} more: export for the full list", "none_open": "No open events", "as_of": "as of {t}",
        "d": "{n} d", "h": "{n} h", "m": "{n} min", "hm": "{h} h {m} min", "dh": "{d} d {h} h",
        "response": "Response (min)", "handling": "Time to close (h)", "median": "Median",
        "count": "{n}", "on_time": "{p:.0f}% on time", "all": "All",
        "orders": "Orders", "unit_orders": "orders", "on_time_rate": "On time", "satisfaction_rate": "Satisfied",
        "satisfied_short": "satisfied", "total_orders": "Orders", "trailing": "{name} ({n} d)",
    },
}


def _l(c) -> dict:
    return LABELS["en" if c.lang == "en" else "zh"]


def elapsed_text(minutes, L: dict) -> str:
    """Minutes as a duty officer says them: 18分钟, 5小时12分, 3天4小时."""
    if minutes is None or pd.isna(minutes):
        return "—"
    m = max(0, int(minutes))
    if m < 60:
        return L["m"].format(n=m)
    if m < 1440:
        return L["hm"].format(h=m // 60, m=m % 60) if m % 60 else L["h"].format(n=m // 60)
    d, h = divmod(m // 60, 24)
    return L["dh"].format(d=d, h=h) if h else L["d"].format(n=d)


def _stamp(ts) -> str:
    return "—" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%m-%d %H:%M")


# ---------------------------------------------------------------- events map

def _map_data(c) -> pd.DataFrame:
    events = c.q("emergency_open_events").assign(layer="event")
    res = c.q("emergency_resources").rename(columns={"kind": "layer", "resource_id": "id", "name": "title"})
    events = events.rename(columns={"event_id": "id"})
    cols = ["layer", "id", "title", "category", "subtype", "severity", "status", "overdue", "grade", "capacity",
            "adcode", "county", "lon", "lat", "reported_at", "elapsed_minutes"]
    return pd.concat([events.reindex(columns=cols), res.reindex(columns=cols)], ignore_index=True)


def _map_render(df: pd.DataFrame, c):
    L = _l(c)
    counties = c.q("emergency_counties")
    if counties.empty:
        return figures.empty(t("no_data", c.lang), c.theme)
    ev = df[df["layer"] == "event"].copy()
    ev["hover"] = [
        f"<b>{r.title}</b><br>{L['level_short'].format(r=fe.ROMAN.get(int(r.severity), '?'))} · "
        f"{L.get(r.category, r.category)} · {r.subtype}<br>{r.county} · {L.get(r.status, r.status)}"
        f"<br>{L['reported']} {_stamp(r.reported_at)} · {L['elapsed']} {elapsed_text(r.elapsed_minutes, L)}"
        + (f" · <span style='color:{figures.STATUS_COLORS['alarm']}'>{L['overdue_yes']}</span>" if r.overdue else "")
        for r in ev.itertuples()]
    res = df[df["layer"] != "event"].rename(columns={"layer": "kind"}).copy()
    if c.region.get("level") == "province":
        res = _per_county(res, counties, L)
    else:
        res["hover"] = [_resource_hover(r, L) for r in res.itertuples()]
    # Thousands of resource points would bury the handful of events: the
    # wider the view, the more layers start hidden (one legend click away).
    hidden = HIDDEN_LAYERS.get(c.region.get("level"), frozenset())
    # Resources are sampled inside every county, so with the county centres
    # they span the boundaries closely enough to frame the map.
    box = fe.bounds([*df["lon"], *counties["lon"]], [*df["lat"], *counties["lat"]])
    return fe.events_map(ev, res, counties, geojson_url=geojson_url(c, "county"), labels=L, theme=c.theme,
                         hidden=hidden, box=box, uirevision=str(c.state.region))


def _per_county(res: pd.DataFrame, counties: pd.DataFrame, L: dict) -> pd.DataFrame:
    """One marker per county and kind, at the county's centre, sized by count.
    A province holds thousands of resource points: drawn one by one they are a
    smear at this zoom and cost the wall ~1.4 MB of JSON per draw; the points
    themselves come back one drill-down away (and in the export)."""
    if res.empty:
        return res.assign(count=pd.Series(dtype="int64"), hover=pd.Series(dtype="object"))
    n = res.groupby(["kind", "adcode"], sort=True).size().rename("count").reset_index()
    n = n.merge(counties[["adcode", "name", "lon", "lat"]], on="adcode", how="inner")
    n["hover"] = [f"<b>{r.name}</b><br>{L[r.kind]} {L['n_items'].format(n=r.count)}" for r in n.itertuples()]
    return n


def _resource_hover(r, L: dict) -> str:
    extra = []
    if pd.notna(r.grade):
        extra.append(L["grade"].format(g=int(r.grade)))
    if pd.notna(r.capacity) and f"capacity_{r.kind}" in L:
        extra.append(L[f"capacity_{r.kind}"].format(c=float(r.capacity)))
    return f"<b>{r.title}</b><br>{L[r.kind]} · {r.subtype or ''}<br>{r.county}" + \
        ("<br>" + " · ".join(extra) if extra else "")


def _map_title(c) -> str:
    return _l(c)["map_title"].format(n=len(c.q("emergency_open_events")))


# ---------------------------------------------------------------- open events list

def _list_data(c) -> pd.DataFrame:
    df, L = c.q("emergency_open_events"), _l(c)
    return df.drop(columns=["lon", "lat"]).assign(elapsed=[elapsed_text(m, L) for m in df["elapsed_minutes"]])


def _list_render(df: pd.DataFrame, c):
    L = _l(c)
    if df.empty:
        return html.Div(L["none_open"], className="message ok")
    head = html.Tr([html.Th(L[k]) for k in ("col_level", "col_type", "col_title", "col_county", "col_reported",
                                            "col_elapsed", "col_status", "col_overdue")])
    body = []
    for r in df.head(LIST_ROWS).itertuples():
        sev = int(r.severity)
        tip = f"{L['unit']}：{r.unit}\n{L['deadline']}：{pd.Timestamp(r.deadline_at):%Y-%m-%d %H:%M}"
        body.append(html.Tr([
            html.Td(html.Span(fe.ROMAN.get(sev, "?"), className=f"ev-sev ev-sev-{sev}"),
                    title=L.get(f"severity_{sev}", "")),
            html.Td(r.subtype, title=f"{L.get(r.category, r.category)} · {r.subtype}", className="ev-type"),
            html.Td(r.title, className="ev-title"),
            html.Td(r.county, className="ev-county"),
            html.Td(_stamp(r.reported_at), title=f"{pd.Timestamp(r.reported_at):%Y-%m-%d %H:%M:%S}",
                    className="ev-time"),
            html.Td(r.elapsed, className="ev-elapsed"),
            html.Td(L.get(r.status, r.status),
                    className="ev-status ev-status-" + ("new" if r.status == "接报" else "busy")),
            html.Td(html.Span(L["overdue_yes"], className="chip chip-alarm") if r.overdue else "", className="ev-late"),
        ], title=tip, className="ev-row" + (" ev-overdue" if r.overdue else "")))
    foot = []
    if len(df) > LIST_ROWS:
        foot.append(html.Div(L["more"].format(n=len(df) - LIST_ROWS), className="ev-more"))
    as_of = df["as_of"].iloc[0]
    foot.append(html.Div(L["as_of"].format(t=f"{pd.Timestamp(as_of):%Y-%m-%d %H:%M}"), className="ev-asof"))
    return html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="ev-table"), *foot],
                    className="ev-list")


def _list_title(c) -> str:
    df = c.q("emergency_open_events")
    return _l(c)["list_title"].format(n=len(df), late=int(df["overdue"].sum()) if not df.empty else 0)


# ---------------------------------------------------------------- response statistics

def _stats_render(df: pd.DataFrame, c):
    if df.empty or df["events"].sum() == 0:
        return figures.empty(t("no_data", c.lang), c.theme)
    return fe.response_stats(df, labels=_l(c), theme=c.theme)


# ---------------------------------------------------------------- 12345 hotline

def _hotline_render(df: pd.DataFrame, c):
    if df.empty:
        return figures.empty(t("no_data", c.lang), c.theme)
    L = _l(c)
    return fe.hotline_daily(df, labels={**L, "unit": L["unit_orders"]}, theme=c.theme)


def _topics_render(df: pd.DataFrame, c):
    topics = df[df["topic"].notna()]
    if topics.empty:
        return figures.empty(t("no_data", c.lang), c.theme)
    L = _l(c)
    total = df[df["topic"].isna()].iloc[0]

    def pct(v):
        return "—" if pd.isna(v) else f"{v * 100:.1f}%"

    overall = {"items": [(L["total_orders"], f"{int(total['orders']):,}", "#4e8cff"),
                         (L["satisfaction_rate"], pct(total["satisfaction_rate"]), "#faad14"),
                         (L["on_time_rate"], pct(total["on_time_rate"]), "#36cfc9")]}
    return fe.hotline_topics(topics, labels={**L, "unit": L["unit_orders"]}, overall=overall, theme=c.theme)


EXTRA["emergency"] = register(
    Panel("emergency-events-map", _map_title, _map_data, _map_render, area="area-ev-map"),
    Panel("emergency-open-events", _list_title, _list_data, _list_render, kind="html", area="area-ev-list"),
    Panel("emergency-response-stats", lambda c: _l(c)["stats_title"], lambda c: c.q("emergency_response_stats"),
          _stats_render, area="area-ev-stats"),
    Panel("emergency-hotline", lambda c: _l(c)["hotline_title"], lambda c: c.q("emergency_hotline_daily"),
          _hotline_render, area="area-hotline"),
    Panel("emergency-hotline-topics", lambda c: _l(c)["topics_title"], lambda c: c.q("emergency_hotline_topics"),
          _topics_render, area="area-hotline-topics"),
)
