"""Figure builders: pure functions, data in, figure out. No database, no Dash.

Colours follow one language everywhere: alarm red, warn amber, ok green, no
threshold neutral blue; the same names appear as CSS classes in assets/.
"""
from __future__ import annotations

import math
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

STATUS_COLORS = {"alarm": "#ff4d4f", "warn": "#faad14", "ok": "#36cfc9", "none": "#4e8cff"}
FONT = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif'
SEQUENTIAL = [[0, "#0d2a4a"], [0.5, "#1f6fb2"], [1, "#5fd4ff"]]


def _template(dark: bool) -> go.layout.Template:
    fg, grid = ("#d6e4ff", "rgba(120,160,220,0.18)") if dark else ("#1f2d3d", "rgba(0,0,0,0.1)")
    return go.layout.Template(layout=go.Layout(
        font=dict(family=FONT, color=fg, size=15),
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        colorway=["#4e8cff", "#36cfc9", "#faad14", "#b37feb", "#ff7a45", "#73d13d", "#ff4d4f"],
        xaxis=dict(gridcolor=grid, zeroline=False, linecolor=grid),
        yaxis=dict(gridcolor=grid, zeroline=False, linecolor=grid),
        hoverlabel=dict(font=dict(family=FONT, size=15)),
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0, bgcolor="rgba(0,0,0,0)"),
        margin=dict(l=56, r=16, t=36, b=40),
    ))


pio.templates["cockpit_dark"] = _template(True)
pio.templates["cockpit_light"] = _template(False)


def template(theme: str) -> str:
    return "cockpit_light" if theme == "light" else "cockpit_dark"


def text_width(text: str, size: float) -> float:
    """About how wide `text` draws in the cockpit's sans-serif at `size` px, a
    little generous: room reserved for labels so plotly need not measure them
    and draw a chart twice (its automargin stays on as the safety net)."""
    em = 0.0
    for ch in text:
        if ord(ch) >= 0x2E80:
            em += 1.0                  # CJK ideographs and full-width punctuation
        elif ch.isdigit():
            em += 0.58
        elif ch.isupper() or ch in "%@&mw":
            em += 0.78
        elif ch == " ":
            em += 0.3
        else:
            em += 0.58
    return em * size


def fmt(value, decimals: int = 1, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:,.{decimals}f}"
    return f"{text} {unit}".strip() if unit and unit not in ("—",) else text


def empty(message: str, theme: str = "dark") -> go.Figure:
    fig = go.Figure(layout=dict(template=template(theme)))
    fig.add_annotation(text=message, showarrow=False, font=dict(size=18), x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def choropleth(df: pd.DataFrame, *, geojson_url: str, unit: str, decimals: int, theme: str = "dark",
               hint: str = "", points: pd.DataFrame | None = None) -> go.Figure:
    """Regions one level down coloured by value. `df`: adcode, name, value.
    The boundaries are a URL the browser fetches once and caches; only the
    values travel with the figure."""
    codes = df["adcode"].astype(int).tolist()
    has = df["value"].notna()
    fig = go.Figure()
    if not has.all():
        # Regions without a value in grey underneath, so they still show (and
        # click). Only then: a layer costs the browser a full pass over the boundaries.
        fig.add_trace(go.Choropleth(
            geojson=geojson_url, featureidkey="id", locations=codes, z=[0] * len(codes),
            colorscale=[[0, "#2a3b55"], [1, "#2a3b55"]], showscale=False, customdata=df["name"],
            marker_line_color="#8fb3ff", marker_line_width=0.6, hovertemplate="%{customdata}<extra></extra>",
            name="regions"))
    vals = df[has]
    fig.add_trace(go.Choropleth(
        geojson=geojson_url, featureidkey="id", locations=vals["adcode"].astype(int).tolist(),
        z=vals["value"].round(decimals + 2).tolist(), customdata=vals["name"], colorscale=SEQUENTIAL,
        marker_line_color="#8fb3ff", marker_line_width=0.8,
        colorbar=dict(title=dict(text=unit, side="top"), thickness=12, len=0.6, x=0.98, outlinewidth=0),
        hovertemplate="%{customdata}<br>%{z:,." + str(decimals) + "f} " + unit + "<extra></extra>",
        name="values"))
    if points is not None and not points.empty:
        for label, grp in points.groupby("layer", sort=False):
            fig.add_trace(go.Scattergeo(
                lon=grp["lon"], lat=grp["lat"], mode="markers", name=str(label),
                marker=dict(size=grp.get("size", 9), color=grp["color"], line=dict(width=0.5, color="#0b1a2e")),
                customdata=grp["label"], hovertemplate="%{customdata}<extra></extra>"))
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)")
    # The colour bar's room, reserved: pushed out by it, plotly would draw the
    # map, measure the bar and draw the map again.
    lo, hi = (vals["value"].min(), vals["value"].max()) if len(vals) else (0, 0)
    ticks = decimals if hi - lo < 5 else 0        # plotly's ticks on a wide range are whole numbers
    extent = [f"{v:,.{ticks}f}" for v in (lo, hi)]
    right = 2 * 10 + max(12 + 6 + max(text_width(x, 12) for x in extent), text_width(unit, 14)) + 6
    fig.update_layout(template=template(theme), margin=dict(l=0, r=round(right), t=8, b=0), dragmode=False,
                      showlegend=points is not None and not points.empty)
    if hint:
        fig.add_annotation(text=hint, showarrow=False, x=0.01, y=0.01, xref="paper", yref="paper",
                           font=dict(size=12, color="#7f95b8"))
    return fig


def trend(df: pd.DataFrame, *, unit: str, decimals: int, theme: str = "dark", labels: dict,
          target: dict | None = None) -> go.Figure:
    """`df`: period, value, year_ago_value. Target: {value, year, label}."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df["period"], y=df["value"], mode="lines", name=labels["value"],
                             line=dict(width=3, color="#4e8cff"),
                             hovertemplate="%{x|%Y-%m-%d}<br>%{y:,." + str(decimals) + "f} " + unit + "<extra></extra>"))
    if "year_ago_value" in df and df["year_ago_value"].notna().any():
        fig.add_trace(go.Scatter(x=df["period"], y=df["year_ago_value"], mode="lines", name=labels["year_ago"],
                                 line=dict(width=2, dash="dot", color="#8c9bb5"),
                                 hovertemplate="%{y:,." + str(decimals) + "f}<extra></extra>"))
    if target:
        fig.add_hline(y=target["value"], line=dict(color="#faad14", width=2, dash="dash"),
                      annotation_text=target["label"], annotation_position="top left",
                      annotation_font=dict(color="#faad14"))
    fig.update_layout(template=template(theme), hovermode="x unified", yaxis_title=unit)
    return fig


def ranking(df: pd.DataFrame, *, unit: str, decimals: int, colors: list[str], theme: str = "dark") -> go.Figure:
    """Horizontal bars, best at the top. `df`: adcode, name, value (sorted)."""
    d = df[df["value"].notna()]
    fig = go.Figure(go.Bar(
        x=d["value"], y=d["name"], orientation="h", marker_color=colors[: len(d)],
        customdata=d["adcode"].astype(int), text=[fmt(v, decimals) for v in d["value"]], textposition="auto",
        hovertemplate="%{y}<br>%{x:,." + str(decimals) + "f} " + unit + "<extra></extra>"))
    fig.update_layout(template=template(theme), xaxis_title=unit, margin=dict(l=110, r=16, t=8, b=36), bargap=0.25,
                      yaxis=dict(autorange="reversed", tickmode="array", tickvals=d["name"].tolist(),
                                 tickfont=dict(size=13)),
                      uniformtext=dict(minsize=11, mode="hide"))
    return fig


def sparkline(values: list[float], color: str, width: int = 120, height: int = 34) -> str | None:
    """A KPI card's trend as an SVG data URI, drawn by the browser's image
    decoder rather than plotly: a strip holds eight, and eight plotly graphs per
    strip cost more to build, cache, send and draw than the rest of the page's
    charts. Missing values break the line. None when there is nothing to draw."""
    rng = _pad(values)
    if rng is None or len(values) < 2:
        return None
    lo, hi = rng
    step = width / (len(values) - 1)

    def y(v):
        return height - (v - lo) / (hi - lo) * height

    runs, run = [], []
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            runs, run = runs + [run] if run else runs, []
        else:
            run.append((i * step, y(v)))
    runs = [r for r in runs + [run] if r]
    line = " ".join("M" + " L".join(f"{x:.1f},{yy:.1f}" for x, yy in r) for r in runs)
    area = " ".join(f"M{r[0][0]:.1f},{height} " + " ".join(f"L{x:.1f},{yy:.1f}" for x, yy in r)
                    + f" L{r[-1][0]:.1f},{height} Z" for r in runs)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none">'
           f'<path d="{area}" fill="rgba(78,140,255,0.08)"/>'
           f'<path d="{line}" fill="none" stroke="{color}" stroke-width="2" vector-effect="non-scaling-stroke" '
           f'stroke-linejoin="round"/></svg>')
    return "data:image/svg+xml," + quote(svg)


def _pad(values):
    v = [x for x in values if x is not None and not (isinstance(x, float) and math.isnan(x))]
    if not v:
        return None
    lo, hi = min(v), max(v)
    span = (hi - lo) or abs(hi) or 1
    return [lo - 0.1 * span, hi + 0.1 * span]


def bars(df: pd.DataFrame, *, x: str, ys: list[tuple[str, str]], unit: str, theme: str = "dark",
         barmode: str = "group", horizontal: bool = False) -> go.Figure:
    """Several measures per category. ys: [(column, label)]."""
    fig = go.Figure()
    for col, label in ys:
        if horizontal:
            fig.add_trace(go.Bar(y=df[x], x=df[col], name=label, orientation="h"))
        else:
            fig.add_trace(go.Bar(x=df[x], y=df[col], name=label))
    fig.update_layout(template=template(theme), barmode=barmode, yaxis_title=None if horizontal else unit,
                      xaxis_title=unit if horizontal else None)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return fig


def lines(df: pd.DataFrame, *, x: str, ys: list[tuple[str, str]], unit: str, theme: str = "dark",
          hline: tuple[float, str] | None = None) -> go.Figure:
    fig = go.Figure()
    for col, label in ys:
        fig.add_trace(go.Scatter(x=df[x], y=df[col], mode="lines", name=label, line=dict(width=2.5)))
    if hline:
        fig.add_hline(y=hline[0], line=dict(color="#faad14", dash="dash"), annotation_text=hline[1],
                      annotation_font=dict(color="#faad14"))
    fig.update_layout(template=template(theme), hovermode="x unified", yaxis_title=unit)
    return fig


def sankey(df: pd.DataFrame, *, source: str, target: str, value: str, theme: str = "dark") -> go.Figure:
    labels = sorted(set(df[source]) | set(df[target]))
    index = {k: i for i, k in enumerate(labels)}
    fig = go.Figure(go.Sankey(
        node=dict(label=labels, pad=12, thickness=14, color="#4e8cff"),
        link=dict(source=[index[s] for s in df[source]], target=[index[t] for t in df[target]],
                  value=df[value].tolist(), color="rgba(78,140,255,0.25)")))
    fig.update_layout(template=template(theme), margin=dict(l=8, r=8, t=8, b=8))
    return fig
