"""Figure builders of the data-sharing screen: pure functions, rows in, figure out.

The flow map draws each provider -> consumer pair as a bent arc, so the two
directions between the same pair of regions stay apart, with an arrowhead
along it; width says how many calls, colour how well they went.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures import STATUS_COLORS, template

NEUTRAL = "#22344f"
NEUTRAL_LINE = "#56739c"
FOCUS = "#1d4f86"
OTHER = "#6b7a90"
NODE_COLORS = {"named": "#4e8cff", "below": "#36cfc9", "beside": "#b37feb", "other": OTHER}


def arc(lon0: float, lat0: float, lon1: float, lat1: float, bend: float = 0.18, n: int = 16):
    """Points of a quadratic curve from (lon0, lat0) to (lon1, lat1), bent to the
    left of travel, so A->B and B->A are two arcs rather than one line."""
    dx, dy = lon1 - lon0, lat1 - lat0
    cx, cy = (lon0 + lon1) / 2 - bend * dy, (lat0 + lat1) / 2 + bend * dx
    t = np.linspace(0.0, 1.0, n)
    lon = (1 - t) ** 2 * lon0 + 2 * (1 - t) * t * cx + t ** 2 * lon1
    lat = (1 - t) ** 2 * lat0 + 2 * (1 - t) * t * cy + t ** 2 * lat1
    return np.round(lon, 4).tolist(), np.round(lat, 4).tolist()


def flow_map(edges: pd.DataFrame, nodes: pd.DataFrame, *, base: dict, focus: dict | None = None,
             theme: str = "dark", hint: str = "") -> go.Figure:
    """`edges`: p_lon, p_lat, c_lon, c_lat, width, color, hover (already the ones
    to draw, largest first). `nodes`: adcode, name, lon, lat, size, color, hover.
    `base`/`focus`: {geojson, locations, names}: a neutral layer of boundaries
    and an optional highlighted one (the regions of the current view)."""
    fig = go.Figure()
    for layer, fill in ((base, NEUTRAL), (focus, FOCUS)):
        if not layer or not len(layer["locations"]):
            continue
        fig.add_trace(go.Choropleth(
            geojson=layer["geojson"], featureidkey="id", locations=list(layer["locations"]),
            z=[0] * len(layer["locations"]), colorscale=[[0, fill], [1, fill]], showscale=False,
            customdata=list(layer["names"]), marker_line_color=NEUTRAL_LINE, marker_line_width=0.6,
            hovertemplate="%{customdata}<extra></extra>", name=""))
    # Smallest first so the big flows are drawn on top.
    for r in edges.iloc[::-1].itertuples(index=False):
        lon, lat = arc(r.p_lon, r.p_lat, r.c_lon, r.c_lat)
        head = [0] * len(lon)
        head[int(len(lon) * 0.72)] = round(6 + 1.2 * r.width, 1)
        fig.add_trace(go.Scattergeo(
            lon=lon, lat=lat, mode="lines+markers", line=dict(width=round(r.width, 2), color=r.color),
            marker=dict(size=head, color=r.color, symbol="triangle-up", angleref="previous", line=dict(width=0)),
            opacity=0.85, hoverinfo="text", text=r.hover, showlegend=False, name=""))
    if not nodes.empty:
        fig.add_trace(go.Scattergeo(
            lon=nodes["lon"], lat=nodes["lat"], mode="markers+text", text=nodes["name"],
            textposition="top center", textfont=dict(size=11),
            marker=dict(size=nodes["size"], color=nodes["color"], line=dict(width=1, color="#0b1a2e"), opacity=0.95),
            customdata=nodes["adcode"].astype(int), hovertext=nodes["hover"], hoverinfo="text",
            showlegend=False, name=""))
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)")
    fig.update_layout(template=template(theme), margin=dict(l=0, r=0, t=4, b=0), dragmode=False, showlegend=False)
    if hint:
        fig.add_annotation(text=hint, showarrow=False, x=0.01, y=0.01, xref="paper", yref="paper",
                           font=dict(size=12, color="#7f95b8"), align="left")
    return fig


def width_for(values: pd.Series, lo: float = 1.2, hi: float = 9.0) -> pd.Series:
    """Line widths by call count: square root, so the tenth flow is still visible next to the first."""
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return pd.Series([lo] * len(values), index=values.index)
    return lo + (hi - lo) * (values.astype(float) / top) ** 0.5


def dept_sankey(links: pd.DataFrame, *, theme: str = "dark", captions: tuple[str, str] = ("", "")) -> go.Figure:
    """`links`: provider, provider_kind, consumer, consumer_kind, calls, color,
    hover. Providers and consumers are separate node sets: a department that
    both provides and consumes is two nodes, so the diagram never loops."""
    prov = list(dict.fromkeys(links["provider"]))
    cons = list(dict.fromkeys(links["consumer"]))
    pk = dict(zip(links["provider"], links["provider_kind"]))
    ck = dict(zip(links["consumer"], links["consumer_kind"]))
    pi = {k: i for i, k in enumerate(prov)}
    ci = {k: len(prov) + i for i, k in enumerate(cons)}
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=prov + cons, pad=6, thickness=12, line=dict(width=0),
                  color=[NODE_COLORS.get(pk[k], OTHER) for k in prov] + [NODE_COLORS.get(ck[k], OTHER) for k in cons],
                  hovertemplate="%{label}<br>%{value:,.0f}<extra></extra>"),
        link=dict(source=[pi[p] for p in links["provider"]], target=[ci[c] for c in links["consumer"]],
                  value=links["calls"].astype(float).tolist(), color=links["color"].tolist(),
                  customdata=links["hover"].tolist(), hovertemplate="%{customdata}<extra></extra>"),
        textfont=dict(size=12)))
    fig.update_layout(template=template(theme), margin=dict(l=6, r=6, t=22, b=6))
    for x, text, anchor in ((0.0, captions[0], "left"), (1.0, captions[1], "right")):
        if text:
            fig.add_annotation(text=text, showarrow=False, x=x, y=1.0, xref="paper", yref="paper", yanchor="bottom",
                               xanchor=anchor, font=dict(size=13, color="#8ea4c8"))
    return fig


def calls_trend(df: pd.DataFrame, *, labels: dict, theme: str = "dark", success_line: float | None = None,
                partial_last: str | None = None) -> go.Figure:
    """`df`: day, calls, success_rate (%), latency_ms. Calls as bars (left axis),
    success rate and latency as lines on two right axes. `partial_last`: the
    last day is still running; its bar is drawn pale with this note."""
    fig = go.Figure()
    opacity = [0.85] * len(df)
    if partial_last and len(df):
        opacity[-1] = 0.35
    fig.add_trace(go.Bar(x=df["day"], y=df["calls"], name=labels["calls"], marker=dict(color="#4e8cff", opacity=opacity),
                         hovertemplate="%{y:,.0f}<extra>" + labels["calls"] + "</extra>"))
    fig.add_trace(go.Scatter(x=df["day"], y=df["success_rate"], name=labels["success"], yaxis="y2", mode="lines",
                             line=dict(width=2.5, color="#36cfc9"),
                             hovertemplate="%{y:.2f}%<extra>" + labels["success"] + "</extra>"))
    fig.add_trace(go.Scatter(x=df["day"], y=df["latency_ms"], name=labels["latency"], yaxis="y3", mode="lines",
                             line=dict(width=2, color="#faad14", dash="dot"),
                             hovertemplate="%{y:.0f} ms<extra>" + labels["latency"] + "</extra>"))
    rates = df["success_rate"].dropna()
    lo = min([*rates.tolist(), success_line or 100.0]) if len(rates) else 95.0
    # The rate axis starts just under the worst day (and the warning line), so a
    # one-point drop is visible instead of flattened against 0-100.
    rate_range = [max(0.0, math.floor(lo - 0.5)), 100.2]
    fig.update_layout(
        template=template(theme), hovermode="x unified", bargap=0.15,
        margin=dict(l=48, r=52, t=30, b=28),
        xaxis=dict(domain=[0, 0.86], type="date", tickformat="%m-%d", tickfont=dict(size=12)),
        yaxis=dict(title=dict(text=labels["calls_unit"], font=dict(size=12)), tickfont=dict(size=12)),
        yaxis2=dict(overlaying="y", side="right", anchor="x", range=rate_range, showgrid=False, ticksuffix="%", tickformat=".1f",
                    nticks=5, tickfont=dict(size=11, color="#36cfc9")),
        yaxis3=dict(overlaying="y", side="right", anchor="free", position=1.0, showgrid=False, rangemode="tozero",
                    ticksuffix=" ms", nticks=5, tickfont=dict(size=11, color="#faad14")),
        legend=dict(y=1.0, yanchor="bottom", font=dict(size=12)))
    if success_line is not None:
        fig.add_shape(type="line", xref="x domain", x0=0, x1=1, yref="y2", y0=success_line, y1=success_line,
                      line=dict(color="#36cfc9", width=1, dash="dash"), opacity=0.6)
    if partial_last and len(df):
        fig.add_annotation(x=1.0, y=1.0, xref="paper", yref="paper", text=partial_last, showarrow=False,
                           xanchor="right", yanchor="bottom", font=dict(size=11, color="#8ea4c8"))
    return fig


def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, STATUS_COLORS["none"])
