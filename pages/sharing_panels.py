"""Panels only the sharing screen has (registered into pages.domains.EXTRA).

Flows are counted for calls with either end in the region being viewed: a city
is a party to its calls with the province and other cities, so its flow map,
Sankey and provider list include them. The daily trend counts calls in the
consumer's region, like the api_calls indicators ("how well is this region
served"). Catalog, objections and requests belong to the owner's region.
"""
from __future__ import annotations

import math

import pandas as pd
from dash import html

from components import common, figures
from components import figures_sharing as fs
from components.i18n import t
from components.panels import Panel, register
from pages.domains import EXTRA
from queries.windows import CATALOG_DEMAND_INDICATOR, FLOW_DAYS

TREND_DAYS = 90
MAP_FLOWS = 40
SANKEY_LINKS = 25
PROVIDER_ROWS = 8
ON_TIME_DAYS = 7        # queries/measures/data_catalog.sql: 5 working days

LABELS = {
    "flow_title": ("共享流向 · 近{d}日 · 前{n}条", "Flows · {d} days · top {n}"),
    "flow_hint": ("线宽＝调用量 · 颜色＝成功率 · 点击地区下钻", "Width = calls · colour = success · click to drill"),
    "sankey_title": ("部门间共享调用 · 近{d}日", "Dept-to-dept calls · {d} days"),
    "trend_title": ("调用趋势 · 近{d}日 · 按调用方", "Calls · {d} days · by consumer"),
    "prov_title": ("提供部门服务质量 · 最差在前", "Providers, worst first"),
    "cat_title": ("目录 · 需求 · 异议", "Catalog, demand, objections"),
    "calls": ("调用量", "Calls"),
    "calls_unit": ("次", "calls"),
    "success": ("成功率", "Success"),
    "latency": ("平均时延", "Avg latency"),
    "partial": ("末日截至 {t}", "last day to {t}"),
    "provider_side": ("提供方", "Provider"),
    "consumer_side": ("使用方", "Consumer"),
    "other_p": ("其他提供部门", "Other providers"),
    "other_c": ("其他使用部门", "Other consumers"),
    "below_province": ("市县", "Local "),
    "below_city": ("区县", "County "),
    "below": ("下级", "Lower-level "),
    "beside": ("外地", "Elsewhere: "),
    "internal": ("区域内部调用", "internal calls"),
    "total": ("合计", "Total"),
    "own_province": ("省本级", "Province"),
    "own_city": ("市本级", "City level"),
    "provider": ("提供部门", "Provider"),
    "failed": ("失败", "Failed"),
    "last_day": ("当日", "Last day"),
    "prov_hover": ("{region} · {n} 个使用部门", "{region} · {n} consumers"),
    "prov_note": ("近{d}日 · 调用≥{m}次的{n}个部门 · 涉及本地区的调用", "Last {d} days · {n} providers with ≥{m} calls"),
    "entries": ("编目", "Entries"),
    "entries_full": ("已编目数据资源（条）", "Catalogued resources"),
    "shareable": ("共享%", "Share%"),
    "shareable_full": ("可共享（无条件+有条件）占比", "Shareable share of entries"),
    "open": ("开放%", "Open%"),
    "open_full": ("向社会开放占比", "Open to the public"),
    "timely": ("及时%", "Timely%"),
    "timely_full": ("在更新时限内更新的占比", "Updated within their deadline"),
    "demand": ("满足%", "Met%"),
    "demand_full": ("共享需求满足率（近30日答复）", "Requests met (answered in 30 days)"),
    "obj_open": ("未结", "Open"),
    "obj_open_full": ("未办结的数据异议（件）", "Data objections still open"),
    "obj_days": ("办结天", "Days"),
    "obj_days_full": ("近30日办结异议的处理天数中位数", "Median days to close (closed in 30 days)"),
    "obj_ontime": ("按时%", "On time%"),
    "obj_ontime_full": ("7天（5个工作日）内办结的占比", "Closed within 7 days"),
    "demand_head": ("共享需求满足率 · 近{d}日", "Demand satisfaction · last {d} days"),
    "gap": ("距目标 {v} 个百分点", "{v} pt to target"),
    "met": ("已达目标", "Target met"),
    "cat_note": ("编目、更新截至 {day}；异议办结天数为近{d}日办结的中位数，按时＝{o}天内",
                 "Catalog as of {day}; objection days: median of those closed in {d} days; on time = within {o} days"),
}


def _l(c, key: str, **fmt) -> str:
    zh, en = LABELS[key]
    text = en if c.lang == "en" else zh
    return text.format(**fmt) if fmt else text


def _pct(num, den, scale: float = 100.0):
    try:
        num, den = float(num), float(den)
    except (TypeError, ValueError):
        return None
    if math.isnan(num) or math.isnan(den) or den <= 0:
        return None
    return scale * num / den


def _status(c, indicator: str, value) -> str:
    ind = c.indicators.get(indicator)
    return common.status(ind, value) if ind is not None and value is not None else "none"


LINK_COLORS = {"alarm": "rgba(255,77,79,0.6)", "warn": "rgba(250,173,20,0.5)", "ok": "rgba(78,140,255,0.32)",
               "none": "rgba(78,140,255,0.32)", "other": "rgba(140,155,181,0.16)"}


def _flow_hover(c, a: str, b: str, calls, ok, lat_sum) -> str:
    rate = _pct(ok, calls)
    lat = _pct(lat_sum, calls, 1.0)
    return (f"{a} → {b}<br>{_l(c, 'calls')} {figures.fmt(float(calls), 0)} · {_l(c, 'success')} "
            f"{figures.fmt(rate, 2)}% · {_l(c, 'latency')} {figures.fmt(lat, 0)} ms")


# ---------------------------------------------------------------- 1. flow map

def _flow_data(c) -> pd.DataFrame:
    return c.q("sharing_region_flows", days=FLOW_DAYS)


def _flow_render(df: pd.DataFrame, c):
    if df.empty:
        return figures.empty(t("no_data", c.lang), c.theme)
    cross = df[df["provider_node"] != df["consumer_node"]].head(MAP_FLOWS)
    rates = [_pct(r.calls_ok, r.calls) for r in cross.itertuples()]
    edges = pd.DataFrame({
        "p_lon": cross["provider_lon"].to_numpy(), "p_lat": cross["provider_lat"].to_numpy(),
        "c_lon": cross["consumer_lon"].to_numpy(), "c_lat": cross["consumer_lat"].to_numpy(),
        "width": fs.width_for(cross["calls"]).to_numpy(),
        "color": [fs.status_color(_status(c, "api_success_rate", v)) for v in rates],
        "hover": [_flow_hover(c, r.provider_name, r.consumer_name, r.calls, r.calls_ok, r.latency_ms_sum)
                  for r in cross.itertuples()],
    })
    # A node's size is all calls it takes part in (not only the drawn top flows).
    ends = pd.concat([
        df.rename(columns=lambda k: k.replace("provider_", "")).assign(side="p")[
            ["node", "name", "lon", "lat", "inside", "calls", "side"]],
        df[df["provider_node"] != df["consumer_node"]].rename(columns=lambda k: k.replace("consumer_", ""))
        .assign(side="c")[["node", "name", "lon", "lat", "inside", "calls", "side"]],
    ])
    nodes = ends.groupby(["node", "name", "lon", "lat", "inside"], as_index=False)["calls"].sum()
    internal = df[df["provider_node"] == df["consumer_node"]].set_index("provider_node")["calls"]
    top = float(nodes["calls"].max()) or 1.0
    nodes = nodes.assign(
        adcode=nodes["node"],
        size=8 + 18 * (nodes["calls"] / top) ** 0.5,
        color=["#4e8cff" if i else "#8c9bb5" for i in nodes["inside"]],
        hover=[f"{r.name}<br>{_l(c, 'calls')} {figures.fmt(float(r.calls), 0)} · {_l(c, 'internal')} "
               f"{figures.fmt(float(internal.get(r.node, 0)), 0)}" for r in nodes.itertuples()])
    root = int(c.meta.get("root_adcode") or c.state.region)
    cities = c.q("region_children", adcode=root)
    base = {"geojson": common.geojson_url(c, "city"), "locations": cities["adcode"].astype(int).tolist(),
            "names": cities["name"].tolist()}
    focus = None
    if c.state.region != root:
        kids = c.children
        if kids.empty:
            level, codes, names = c.region["level"], [c.state.region], [c.region["name"]]
        else:
            level, codes, names = kids["level"].iloc[0], kids["adcode"].astype(int).tolist(), kids["name"].tolist()
        if level != "city" or codes != base["locations"]:
            focus = {"geojson": common.geojson_url(c, str(level)), "locations": codes, "names": names}
    return fs.flow_map(edges, nodes, base=base, focus=focus, theme=c.theme, hint=_l(c, "flow_hint"))


# ---------------------------------------------------------------- 2. department Sankey

def fold_links(df: pd.DataFrame, keep: int, other_p: str, other_c: str) -> pd.DataFrame:
    """The `keep` largest links as they are; every other link folded into an
    "other" node, on the consumer side when its provider is drawn (so a drawn
    provider's total stays whole), else on the provider side when its consumer
    is drawn, else other -> other. The calls of all links are kept: the
    diagram adds up to the window's total."""
    cols = ["provider", "provider_kind", "consumer", "consumer_kind", "calls", "calls_ok", "latency_ms_sum"]
    df = df.sort_values("calls", ascending=False, kind="stable")
    top, rest = df.head(keep)[cols].assign(folded=False), df.iloc[keep:][cols].copy()
    if rest.empty:
        return top.reset_index(drop=True)
    shown_p, shown_c = set(top["provider"]), set(top["consumer"])
    keep_p = rest["provider"].isin(shown_p)
    keep_c = ~keep_p & rest["consumer"].isin(shown_c)
    rest.loc[~keep_p, ["provider", "provider_kind"]] = [other_p, "other"]
    rest.loc[~keep_c, ["consumer", "consumer_kind"]] = [other_c, "other"]
    folded = (rest.groupby(["provider", "provider_kind", "consumer", "consumer_kind"], as_index=False)
              [["calls", "calls_ok", "latency_ms_sum"]].sum().sort_values("calls", ascending=False)
              .assign(folded=True))
    return pd.concat([top, folded], ignore_index=True)


def _sankey_data(c) -> pd.DataFrame:
    df = c.q("sharing_dept_flows", days=FLOW_DAYS)
    if df.empty:
        return df
    level = str(c.region["level"])
    below = _l(c, {"province": "below_province", "city": "below_city"}.get(level, "below"))
    prefix = {"named": "", "below": below, "beside": _l(c, "beside")}
    df = df.assign(provider=[prefix[k] + n for k, n in zip(df["provider_kind"], df["provider"])],
                   consumer=[prefix[k] + n for k, n in zip(df["consumer_kind"], df["consumer"])])
    df = (df.groupby(["provider", "provider_kind", "consumer", "consumer_kind"], as_index=False)
          [["calls", "calls_ok", "latency_ms_sum"]].sum())
    out = fold_links(df, SANKEY_LINKS, _l(c, "other_p"), _l(c, "other_c"))
    return out.assign(success_rate=[_pct(o, n) for o, n in zip(out["calls_ok"], out["calls"])])


def _sankey_render(df: pd.DataFrame, c):
    if df.empty:
        return figures.empty(t("no_data", c.lang), c.theme)
    colors = [LINK_COLORS["other"] if f else LINK_COLORS[_status(c, "api_success_rate", r)]
              for f, r in zip(df["folded"], df["success_rate"])]
    hover = [_flow_hover(c, r.provider, r.consumer, r.calls, r.calls_ok, r.latency_ms_sum) for r in df.itertuples()]
    return fs.dept_sankey(df.assign(color=colors, hover=hover), theme=c.theme,
                          captions=(_l(c, "provider_side"), _l(c, "consumer_side")))


# ---------------------------------------------------------------- 3. calls, success, latency

def _trend_data(c) -> pd.DataFrame:
    df = c.q("sharing_daily", days=TREND_DAYS)
    return df.assign(success_rate=[_pct(o, n) for o, n in zip(df["calls_ok"], df["calls"])],
                     latency_ms=[_pct(s, n, 1.0) for s, n in zip(df["latency_ms_sum"], df["calls"])])


def _trend_render(df: pd.DataFrame, c):
    if df.empty:
        return figures.empty(t("no_data", c.lang), c.theme)
    partial = None
    as_of = c.meta.get("as_of")
    if as_of is not None:
        as_of = pd.Timestamp(as_of)
        # The snapshot's own day is still running: a low last bar is not a drop.
        if pd.Timestamp(df["day"].iloc[-1]).date() == as_of.date() and as_of != as_of.normalize():
            partial = _l(c, "partial", t=f"{as_of:%H:%M}")
    ind = c.indicators.get("api_success_rate") or {}
    warn = common.number(ind.get("warn"))
    return fs.calls_trend(df, theme=c.theme, success_line=warn, partial_last=partial,
                          labels={"calls": _l(c, "calls"), "success": _l(c, "success"),
                                  "latency": _l(c, "latency"), "calls_unit": _l(c, "calls_unit")})


# ---------------------------------------------------------------- 4. providers, worst first

def min_calls(total: float) -> int:
    """Enough calls for a rate to mean something: one failed call out of three
    is not a failing provider. Scales with the view, within 5..50."""
    return int(max(5, min(50, round(0.002 * float(total)))))


def _providers_data(c) -> pd.DataFrame:
    df = c.q("sharing_providers", days=FLOW_DAYS)
    if df.empty:
        return df
    floor = min_calls(df["calls"].sum())
    df = df[df["calls"] >= floor].copy()
    df["success_rate"] = [_pct(o, n) for o, n in zip(df["calls_ok"], df["calls"])]
    df["failed"] = df["calls"] - df["calls_ok"]
    df["latency_ms"] = [_pct(s, n, 1.0) for s, n in zip(df["latency_ms_sum"], df["calls"])]
    df["last_day_success_rate"] = [_pct(o, n) for o, n in zip(df["last_day_calls_ok"], df["last_day_calls"])]
    df["min_calls"] = floor
    # Worst success first; among equals the slower, then the busier (more people hit).
    df = df.sort_values(["success_rate", "latency_ms", "calls"], ascending=[True, False, False], kind="stable")
    return df.reset_index(drop=True).assign(rank=lambda d: d.index + 1)


def _providers_render(df: pd.DataFrame, c):
    if df.empty:
        return html.Div(t("no_data", c.lang), className="message")
    head = html.Tr([html.Th("#"), html.Th(_l(c, "provider")), html.Th(_l(c, "calls"), className="num"),
                    html.Th(_l(c, "success"), className="num"), html.Th(_l(c, "failed"), className="num"),
                    html.Th(_l(c, "latency"), className="num"), html.Th(_l(c, "last_day"), className="num")])
    body = []
    for r in df.head(PROVIDER_ROWS).itertuples():
        s_ok = _status(c, "api_success_rate", r.success_rate)
        s_lat = _status(c, "api_latency_avg", r.latency_ms)
        day_rate = common.number(r.last_day_success_rate)
        s_day = _status(c, "api_success_rate", day_rate)
        body.append(html.Tr([
            html.Td(str(r.rank), className="rank"),
            html.Td(r.provider_dept, className="name", title=_l(c, "prov_hover", region=r.provider_region, n=r.consumers)),
            html.Td(figures.fmt(float(r.calls), 0), className="num"),
            html.Td(figures.fmt(r.success_rate, 2) + "%", className=f"num cell-{s_ok}"),
            html.Td(figures.fmt(float(r.failed), 0), className="num"),
            html.Td(figures.fmt(r.latency_ms, 0) + " ms", className=f"num cell-{s_lat}"),
            html.Td(figures.fmt(day_rate, 1) + ("%" if day_rate is not None else ""), className=f"num cell-{s_day}",
                    title=f"{r.last_day_calls_ok}/{r.last_day_calls}"),
        ], className=f"row-{s_ok}"))
    note = _l(c, "prov_note", d=FLOW_DAYS, m=int(df["min_calls"].iloc[0]), n=len(df))
    return html.Div([html.Table([html.Thead(head), html.Tbody(body)], className="sh-table sh-providers"),
                     html.Div(note, className="sh-note")])


# ---------------------------------------------------------------- 5. catalog, demand, objections

def _catalog_data(c) -> pd.DataFrame:
    df = c.q("sharing_catalog", days=FLOW_DAYS, indicator=CATALOG_DEMAND_INDICATOR)
    if df.empty:
        return df
    ind = c.indicators.get(CATALOG_DEMAND_INDICATOR) or {}
    scale = common.number(ind.get("scale")) or 100.0
    return df.assign(
        shareable_pct=[_pct(a, b) for a, b in zip(df["shareable"], df["entries"])],
        open_pct=[_pct(a, b) for a, b in zip(df["open"], df["entries"])],
        timely_pct=[_pct(a, b) for a, b in zip(df["timely"], df["entries"])],
        demand_pct=[_pct(a, b, scale) for a, b in zip(df["requests_met"], df["requests"])],
        ontime_pct=[_pct(a, b) for a, b in zip(df["objections_ontime"], df["objections_resolved"])],
    )


def _row_name(c, r) -> str:
    if r["row_kind"] == "total":
        return _l(c, "total")
    if r["row_kind"] == "own" and str(r["level"]) in ("province", "city"):
        return _l(c, "own_province" if r["level"] == "province" else "own_city")
    return str(r["name"])


def _demand_block(c, total: dict) -> html.Div:
    ind = c.indicators.get(CATALOG_DEMAND_INDICATOR) or {}
    value = total.get("demand_pct")
    target = common.number(ind.get("target_value"))
    dec = int(ind.get("decimals") or 1)
    st = _status(c, CATALOG_DEMAND_INDICATOR, value)
    below = value is not None and target is not None and value < target
    parts = [html.Div(_l(c, "demand_head", d=FLOW_DAYS), className="sh-demand-name"),
             html.Div([html.Span(figures.fmt(value, dec), className="sh-demand-value"), html.Span("%")],
                      className=f"sh-demand-main cell-{st}")]
    if target is not None:
        year = int(ind["target_year"]) if ind.get("target_year") is not None else ""
        src = ind.get("target_source") or ""
        parts.append(html.Div([
            html.Span(f"{year}{'年' if c.lang == 'zh' else ' '}{t('target', c.lang)} {figures.fmt(target, dec)}%",
                      title=f"{t('source', c.lang)}：{src}"),
            html.Span(_l(c, "gap", v=figures.fmt(target - value, dec)) if below else
                      (_l(c, "met") if value is not None else ""), className="sh-gap " + ("below" if below else "met")),
        ], className="sh-demand-target"))
        lo = 80.0   # the bar's left edge: all of it between 80% and 100% is what matters
        fill = 0.0 if value is None else max(0.0, min(1.0, (value - lo) / (100 - lo)))
        mark = max(0.0, min(1.0, (target - lo) / (100 - lo)))
        parts.append(html.Div([html.Div(className=f"sh-bar-fill fill-{st}", style={"width": f"{fill * 100:.1f}%"}),
                               html.Div(className="sh-bar-target", style={"left": f"{mark * 100:.1f}%"})],
                              className="sh-bar", title=f"{lo:.0f}% – 100%"))
    return html.Div(parts, className="sh-demand")


def _catalog_render(df: pd.DataFrame, c):
    if df.empty:
        return html.Div(t("no_data", c.lang), className="message")
    rows = df.to_dict("records")
    total = next(r for r in rows if r["row_kind"] == "total")
    shown = [r for r in rows if r["row_kind"] != "total"]
    if len(shown) > 1:
        shown.append(total)
    # Percentages without their sign (the header carries it): nine columns in a quarter of the screen.
    cols = [("entries", None, 0), ("shareable_pct", "share_rate", 1), ("open_pct", "open_rate", 1),
            ("timely_pct", "catalog_timely_rate", 1), ("demand_pct", CATALOG_DEMAND_INDICATOR, 1),
            ("objections_open", None, 0), ("handling_days_median", None, 1),
            ("ontime_pct", "objection_ontime_rate", 0)]
    heads = ["entries", "shareable", "open", "timely", "demand", "obj_open", "obj_days", "obj_ontime"]
    head = html.Tr([html.Th(t("region", c.lang))] +
                   [html.Th(_l(c, h), className="num", title=_l(c, h + "_full")) for h in heads])
    body = []
    for r in shown:
        cells = [html.Td(_row_name(c, r), className="name")]
        for col, ind, dec in cols:
            v = common.number(r[col])
            st = _status(c, ind, v) if ind else "none"
            cells.append(html.Td(figures.fmt(v, dec), className=f"num cell-{st}"))
        body.append(html.Tr(cells, className=f"kind-{r['row_kind']}",
                            **({"data-adcode": str(int(r["adcode"]))} if r["row_kind"] != "total" else {})))
    day = pd.Timestamp(total["last_day"]).strftime("%Y-%m-%d") if total.get("last_day") is not None else "—"
    return html.Div([
        _demand_block(c, total),
        html.Table([html.Thead(head), html.Tbody(body)], className="sh-table sh-catalog"),
        html.Div(_l(c, "cat_note", day=day, d=FLOW_DAYS, o=ON_TIME_DAYS), className="sh-note"),
    ])


EXTRA["sharing"] = register(
    Panel("sharing-flow-map", lambda c: _l(c, "flow_title", d=FLOW_DAYS, n=MAP_FLOWS), _flow_data, _flow_render,
          area="area-sh-flow", drill=True),
    Panel("sharing-dept-sankey", lambda c: _l(c, "sankey_title", d=FLOW_DAYS), _sankey_data, _sankey_render,
          area="area-sh-sankey"),
    Panel("sharing-calls-trend", lambda c: _l(c, "trend_title", d=TREND_DAYS), _trend_data, _trend_render,
          area="area-sh-trend"),
    Panel("sharing-providers", lambda c: _l(c, "prov_title"), _providers_data, _providers_render, kind="html",
          area="area-sh-prov"),
    Panel("sharing-catalog", lambda c: _l(c, "cat_title"), _catalog_data, _catalog_render, kind="html",
          area="area-sh-cat"),
)
