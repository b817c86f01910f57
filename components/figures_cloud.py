"""Figure builders of the government cloud screen: pure functions, data in,
figure out (no database, no Dash). Labels arrive translated; colours follow
components.figures (status colours, templates)."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures import STATUS_COLORS, fmt, template

TIER_SYMBOLS = {"provincial": "star", "backbone": "diamond", "city": "circle"}
TIER_ORDER = ("provincial", "backbone", "city")
LINK_STYLE = {"backbone": dict(width=3.0, color="rgba(54,207,201,0.85)"),
              "city": dict(width=1.4, color="rgba(120,170,255,0.65)")}
TARGET_COLOR = "#faad14"


def _base_colors(theme: str) -> tuple[str, str, str]:
    """(region fill, region fill when in view, boundary line) for the neutral base map."""
    if theme == "light":
        return "#e3e9f2", "#c4d6f0", "#8aa1c2"
    return "#16273f", "#24406a", "#5f86c4"


def node_size(vcpu_total: float, vmax: float) -> float:
    """Marker diameter: area grows with vCPU total, so the provincial node does not swamp the map."""
    if not vmax or vcpu_total is None or (isinstance(vcpu_total, float) and math.isnan(vcpu_total)):
        return 10.0
    return 10.0 + 26.0 * math.sqrt(max(vcpu_total, 0.0) / vmax)


def geo_frame(regions: pd.DataFrame, nodes: pd.DataFrame, pad: float = 0.06,
              margin: float = 0.2) -> tuple[list[float], list[float]] | None:
    """(lon range, lat range) around the regions' centroid extents and the
    nodes, padded: centroids sit inside their polygons, the pad brings the
    outer boundaries back in."""
    lons = [*regions.get("min_lon", []), *regions.get("max_lon", []), *nodes.get("lon", [])]
    lats = [*regions.get("min_lat", []), *regions.get("max_lat", []), *nodes.get("lat", [])]
    lons = [float(v) for v in lons if v is not None and not pd.isna(v)]
    lats = [float(v) for v in lats if v is not None and not pd.isna(v)]
    if not lons or not lats:
        return None
    def box(v):
        lo, hi = min(v), max(v)
        p = pad * (hi - lo) + margin
        return [lo - p, hi + p]
    return box(lons), box(lats)


def topology(regions: pd.DataFrame, nodes: pd.DataFrame, *, geojson_url: str, theme: str, labels: dict) -> go.Figure:
    """Nodes on a neutral region base with uplinks drawn to their hubs.

    regions: adcode, name, in_view. nodes: node_id, label, tier, lon, lat,
    vcpu_total, in_view, uplink (node_id or None), status, hover.
    labels: tier_<tier>, status_<status>, hub_context."""
    fill, fill_view, line = _base_colors(theme)
    fig = go.Figure()
    if not regions.empty:
        fig.add_trace(go.Choropleth(
            geojson=geojson_url, featureidkey="id", locations=regions["adcode"].astype(int).tolist(),
            z=[1 if v else 0 for v in regions["in_view"]], zmin=0, zmax=1,
            colorscale=[[0, fill], [1, fill_view]], showscale=False, customdata=regions["name"],
            marker_line_color=line, marker_line_width=0.7, hovertemplate="%{customdata}<extra></extra>",
            name="regions", showlegend=False))

    pos = nodes.set_index("node_id")[["lon", "lat", "tier"]]
    for tier in ("city", "backbone"):
        lon, lat = [], []
        for r in nodes[(nodes["tier"] == tier) & nodes["uplink"].notna()].itertuples():
            if r.uplink in pos.index:
                lon += [r.lon, pos.at[r.uplink, "lon"], None]
                lat += [r.lat, pos.at[r.uplink, "lat"], None]
        if lon:
            fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", line=LINK_STYLE[tier], hoverinfo="skip",
                                        showlegend=False, name=f"links-{tier}"))

    vmax = float(nodes["vcpu_total"].max()) if not nodes.empty else 0.0
    for tier in TIER_ORDER:
        for in_view in (False, True):
            g = nodes[(nodes["tier"] == tier) & (nodes["in_view"] == in_view)]
            if g.empty:
                continue
            hub = tier != "city"
            fig.add_trace(go.Scattergeo(
                lon=g["lon"], lat=g["lat"], mode="markers+text" if hub else "markers",
                text=g["label"] if hub else None, textposition="top center",
                textfont=dict(size=12, color="#d6e4ff" if theme != "light" else "#1f2d3d"),
                marker=dict(size=[node_size(v, vmax) for v in g["vcpu_total"]], symbol=TIER_SYMBOLS.get(tier, "circle"),
                            color=[STATUS_COLORS.get(s, STATUS_COLORS["none"]) for s in g["status"]],
                            opacity=1.0 if in_view else 0.4, line=dict(width=1.2, color="#0b1a2e")),
                customdata=g[["adcode"]].astype(int).values.tolist(), hovertext=g["hover"],
                hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
                name=f"{tier}{'' if in_view else '-context'}"))

    # Legend-only entries: one per tier (shape) and per status (colour), since the
    # real traces mix colours and would show an arbitrary one in the legend.
    neutral = "#8ea4c8"
    for tier in TIER_ORDER:
        if (nodes["tier"] == tier).any():
            fig.add_trace(go.Scattergeo(lon=[None], lat=[None], mode="markers", name=labels[f"tier_{tier}"],
                                        marker=dict(size=11, symbol=TIER_SYMBOLS[tier], color=neutral),
                                        legendgroup="tier", hoverinfo="skip"))
    for st in ("ok", "warn", "alarm"):
        fig.add_trace(go.Scattergeo(lon=[None], lat=[None], mode="markers", name=labels[f"status_{st}"],
                                    marker=dict(size=10, color=STATUS_COLORS[st]), legendgroup="status",
                                    hoverinfo="skip"))
    frame = geo_frame(regions, nodes)
    if frame is None:
        fig.update_geos(fitbounds="locations")
    else:
        # Explicit ranges, not fitbounds: with fitbounds plotly keeps a square
        # frame for mercator and the map fills half of a wide panel.
        fig.update_geos(lonaxis_range=frame[0], lataxis_range=frame[1])
    fig.update_geos(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)")
    fig.update_layout(template=template(theme), margin=dict(l=0, r=0, t=4, b=0), dragmode=False,
                      legend=dict(orientation="v", x=0.005, xanchor="left", y=0.99, yanchor="top",
                                  font=dict(size=13), itemsizing="constant"))
    if labels.get("note"):
        fig.add_annotation(text=labels["note"], showarrow=False, x=0.005, y=0.01, xref="paper", yref="paper",
                           xanchor="left", yanchor="bottom", align="left", font=dict(size=12, color="#7f95b8"))
    return fig


def capacity(df: pd.DataFrame, *, theme: str, labels: dict, used_status: list[str]) -> go.Figure:
    """Per resource, allocated and used as % of the installed total, over a
    track that is the total (100%); absolute values on the axis and in the hover.

    df: label, unit, total, allocated, used, allocated_pct, used_pct."""
    ticks = [f"<b>{r.label}</b><br><span style='font-size:12px'>{fmt(r.total, 0)} {r.unit}</span>"
             for r in df.itertuples()]
    custom = df[["total", "allocated", "used", "unit"]].values.tolist()
    hover = ("%{y}<br>" + labels["total"] + " %{customdata[0]:,.0f} %{customdata[3]}<br>"
             + labels["allocated"] + " %{customdata[1]:,.0f} %{customdata[3]}<br>"
             + labels["used"] + " %{customdata[2]:,.0f} %{customdata[3]}<extra></extra>")
    fig = go.Figure()
    track = "rgba(142,164,200,0.13)"
    for i in range(len(df)):
        fig.add_shape(type="rect", xref="x", yref="y", x0=0, x1=100, y0=i - 0.44, y1=i + 0.44, layer="below",
                      fillcolor=track, line=dict(width=1, color="rgba(142,164,200,0.45)"))
    for col, name, color in (("allocated_pct", labels["allocated"], "#4e8cff"),
                             ("used_pct", labels["used"], [STATUS_COLORS.get(s, STATUS_COLORS["none"])
                                                          for s in used_status])):
        fig.add_trace(go.Bar(y=ticks, x=df[col], orientation="h", name=name, marker_color=color,
                             customdata=custom, hovertemplate=hover, text=[f"{fmt(v, 1)}%" for v in df[col]],
                             textposition="outside", cliponaxis=False, constraintext="none",
                             textfont=dict(size=14)))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{labels['total']} = 100%",
                             marker=dict(symbol="square", size=12, color="rgba(142,164,200,0.35)"),
                             hoverinfo="skip"))
    fig.update_layout(template=template(theme), barmode="group", bargap=0.28, bargroupgap=0.08,
                      margin=dict(l=96, r=54, t=30, b=30),
                      xaxis=dict(range=[0, 100], ticksuffix="%", dtick=25, showgrid=False),
                      yaxis=dict(autorange="reversed", tickfont=dict(size=15), categoryorder="array",
                                 categoryarray=ticks),
                      legend=dict(y=1.0, yanchor="bottom", font=dict(size=13)))
    return fig


def utilisation(df: pd.DataFrame, *, theme: str, labels: dict, warn: float | None = None,
                alarm: float | None = None) -> go.Figure:
    """Hourly vCPU and memory use as % of total. df: hour, vcpu_util, mem_util,
    vcpu_used, vcpu_total, mem_used_gb, mem_total_gb."""
    fig = go.Figure()
    series = (("vcpu_util", "vcpu_used", "vcpu_total", labels["vcpu"], "#4e8cff", "核"),
              ("mem_util", "mem_used_gb", "mem_total_gb", labels["memory"], "#36cfc9", "GB"))
    for col, used, total, name, color, unit in series:
        fig.add_trace(go.Scatter(
            x=df["hour"], y=df[col], mode="lines", name=name, line=dict(width=2.5, color=color),
            customdata=df[[used, total]].values.tolist(),
            hovertemplate=name + " %{y:.1f}%（%{customdata[0]:,.0f} / %{customdata[1]:,.0f} " + unit
                          + "）<extra></extra>"))
    for level, value, color, where in (("warn", warn, STATUS_COLORS["warn"], "bottom right"),
                                       ("alarm", alarm, STATUS_COLORS["alarm"], "top right")):
        if value is not None:
            fig.add_hline(y=value, line=dict(color=color, width=1.5, dash="dash"),
                          annotation_text=f"{labels[level]} {fmt(value, 0)}%", annotation_position=where,
                          annotation_font=dict(color=color, size=12))
    top = max(100.0, float(df[["vcpu_util", "mem_util"]].max().max()) + 5) if not df.empty else 100.0
    fig.update_layout(template=template(theme), hovermode="x unified", margin=dict(l=48, r=12, t=30, b=46),
                      yaxis=dict(range=[0, top], ticksuffix="%"), xaxis=dict(tickformat="%m-%d<br>%H:%M"),
                      legend=dict(y=1.0, yanchor="bottom", font=dict(size=13)))
    return fig


def availability_pue(avail: pd.DataFrame, pue: pd.DataFrame, *, theme: str, labels: dict,
                     avail_target: float | None, pue_target: float | None,
                     pue_warn: float | None = None) -> go.Figure:
    """Two panels side by side: availability per node against its target
    (lollipops: the differences live in the second decimal) and PUE per region
    against its target (bars from 1.0, the physical floor).

    avail: label, value, status (worst first). pue: label, value, status, is_total."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.2,
                        subplot_titles=(labels["availability"], labels["pue"]))
    if not avail.empty:
        lo = min(float(avail["value"].min()), avail_target if avail_target is not None else 100.0)
        lo = math.floor((lo - 0.02) * 100) / 100
        colors = [STATUS_COLORS.get(s, STATUS_COLORS["none"]) for s in avail["status"]]
        stems_x, stems_y = [], []
        for r in avail.itertuples():
            stems_x += [lo, r.value, None]
            stems_y += [r.label, r.label, None]
        fig.add_trace(go.Scatter(x=stems_x, y=stems_y, mode="lines", hoverinfo="skip", showlegend=False,
                                 line=dict(color="rgba(142,164,200,0.45)", width=1.5)), row=1, col=1)
        fig.add_trace(go.Scatter(x=avail["value"], y=avail["label"], mode="markers", showlegend=False,
                                 marker=dict(size=9, color=colors, line=dict(width=1, color="#0b1a2e")),
                                 hovertemplate="%{y}<br>%{x:.3f}%<extra></extra>"), row=1, col=1)
        # Two ticks only: the span is a fraction of a percent and the labels are long.
        fig.update_xaxes(range=[lo, 100.0 + (100.0 - lo) * 0.04], tickvals=[lo, 100.0],
                         ticktext=[f"{lo:.2f}", "100"], row=1, col=1)
        if avail_target is not None:
            fig.add_vline(x=avail_target, line=dict(color=TARGET_COLOR, width=2, dash="dash"), row=1, col=1)
        fig.update_yaxes(autorange="reversed", tickfont=dict(size=12), row=1, col=1)
    if not pue.empty:
        colors = [STATUS_COLORS.get(s, STATUS_COLORS["none"]) for s in pue["status"]]
        widths = [0.85 if t else 0.6 for t in pue["is_total"]]
        fig.add_trace(go.Bar(x=pue["value"], y=pue["label"], orientation="h", showlegend=False, width=widths,
                             marker=dict(color=colors, opacity=[1.0 if t else 0.8 for t in pue["is_total"]],
                                         line=dict(width=[1.5 if t else 0 for t in pue["is_total"]], color="#4e8cff")),
                             text=[fmt(v, 2) for v in pue["value"]], textposition="outside", textfont=dict(size=12),
                             cliponaxis=False, constraintext="none",
                             hovertemplate="%{y}<br>PUE %{x:.3f}<extra></extra>"), row=1, col=2)
        hi = max(float(pue["value"].max()), pue_warn or 0.0, pue_target or 0.0) + 0.08
        fig.update_xaxes(range=[1.0, hi], tickformat=".1f", nticks=4, row=1, col=2)
        if pue_target is not None:
            fig.add_vline(x=pue_target, line=dict(color=TARGET_COLOR, width=2, dash="dash"), row=1, col=2)
        if pue_warn is not None and pue_warn != pue_target:
            fig.add_vline(x=pue_warn, line=dict(color=STATUS_COLORS["warn"], width=1, dash="dot"), row=1, col=2)
        fig.update_yaxes(autorange="reversed", tickfont=dict(size=12), row=1, col=2)
    fig.update_layout(template=template(theme), margin=dict(l=76, r=28, t=44, b=24), showlegend=False, bargap=0.25)
    fig.update_annotations(font=dict(size=13))
    return fig
