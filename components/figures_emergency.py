"""Figure builders of the emergency screen: pure functions, data in, figure out.

Severity follows the national four-colour scale for emergencies (Ⅰ red,
Ⅱ orange, Ⅲ yellow, Ⅳ blue), so a point's colour reads the same as on the
paper plans the duty officers know. Labels come in as arguments: these
builders know no language.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures import STATUS_COLORS, template, text_width

SEVERITY_COLORS = {1: "#ff4d4f", 2: "#ff8c1a", 3: "#fadb14", 4: "#3d9bff"}
SEVERITY_SIZES = {1: 18, 2: 15, 3: 13, 4: 11}
ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}
# Resources are the backdrop of an incident: small, distinct shapes, and never
# circles, which belong to events.
RESOURCE_STYLE = {
    "risk_point": ("triangle-up", "#b37feb"),
    "hazard_source": ("diamond", "#f759ab"),
    "warehouse": ("square", "#36cfc9"),
    "rescue_team": ("cross", "#73d13d"),
}
STATUS_SYMBOLS = {"接报": "star", "处置中": "circle"}
LEGEND_COLUMN = 0.80          # the map keeps the left 80 %, legends live right of it


def bounds(lons, lats, pad: float = 0.05) -> tuple[float, float, float, float] | None:
    """lon0, lon1, lat0, lat1 around the given points, padded by `pad` of the
    span (at least 0.01°, about a kilometre). Explicit ranges rather than
    plotly's fitbounds: with fitbounds a mercator geo keeps the square frame
    of the whole world, and the province fills barely half the panel height."""
    lo = pd.to_numeric(pd.Series(list(lons)), errors="coerce").dropna()
    la = pd.to_numeric(pd.Series(list(lats)), errors="coerce").dropna()
    if lo.empty or la.empty:
        return None
    dx = max((lo.max() - lo.min()) * pad, 0.01)
    dy = max((la.max() - la.min()) * pad, 0.01)
    return float(lo.min() - dx), float(lo.max() + dx), float(la.min() - dy), float(la.max() + dy)


def _base(theme: str) -> tuple[str, str]:
    return ("#dfe6f0", "#8ea4c8") if theme == "light" else ("#1c2d47", "#5a7db8")


def events_map(events: pd.DataFrame, resources: pd.DataFrame, counties: pd.DataFrame, *, geojson_url: str,
               labels: dict, theme: str = "dark", hidden: frozenset[str] = frozenset(),
               box: tuple[float, float, float, float] | None = None, uirevision: str = "") -> go.Figure:
    """Open events over neutral county boundaries, with resource layers.

    events: severity, category, status, overdue, lon, lat, hover;
    resources: kind, lon, lat, hover, and optionally count (a summary marker
    per place, its area proportional to count); counties: adcode, name.
    One trace per (category, status) and per resource kind, each with a stable
    uid, so legend clicks filter by type and status and survive data updates.
    labels: category/status/kind -> display name, plus "resources",
    "severity", "overdue". `hidden` resource kinds start legend-only. `box`
    (see bounds()) frames the map; without it plotly fits the boundaries."""
    fill, line = _base(theme)
    fig = go.Figure()
    fig.add_trace(go.Choropleth(
        geojson=geojson_url, featureidkey="id", locations=counties["adcode"].astype(int).tolist(),
        z=[0] * len(counties), colorscale=[[0, fill], [1, fill]], showscale=False,
        customdata=counties["name"], marker_line_color=line, marker_line_width=0.6,
        hovertemplate="%{customdata}<extra></extra>", showlegend=False, name="counties", uid="counties"))
    counted = "count" in resources.columns
    biggest = float(resources["count"].max()) if counted and len(resources) else 1.0
    for kind, (symbol, color) in RESOURCE_STYLE.items():
        grp = resources[resources["kind"] == kind]
        if grp.empty:
            continue
        size = (5 + 13 * (grp["count"] / biggest) ** 0.5).round(1).tolist() if counted else 6
        fig.add_trace(go.Scattergeo(
            lon=grp["lon"], lat=grp["lat"], mode="markers", name=labels.get(kind, kind), uid=f"res-{kind}",
            legend="legend2", visible="legendonly" if kind in hidden else True,
            marker=dict(symbol=symbol, size=size, color=color, opacity=0.7, line=dict(width=0)),
            customdata=grp["hover"], hovertemplate="%{customdata}<extra></extra>"))
    ev = events.sort_values(["severity"], ascending=False)   # the most severe drawn last, on top
    swatch = "#5b6b80" if theme == "light" else "#d6e4ff"
    for (category, status), grp in ev.groupby(["category", "status"], sort=True):
        overdue = grp["overdue"].fillna(False).astype(bool).tolist()
        # The legend draws a trace with its first point's style; the colours
        # here mean severity, not type, so a first point without coordinates
        # (never drawn) gives the legend a neutral swatch.
        fig.add_trace(go.Scattergeo(
            lon=[None, *grp["lon"]], lat=[None, *grp["lat"]], mode="markers", uid=f"ev-{category}-{status}",
            name=labels.get(status, status), legendgroup=str(category),
            legendgrouptitle=dict(text=labels.get(category, category)),
            marker=dict(symbol=STATUS_SYMBOLS.get(status, "circle"),
                        size=[11] + [SEVERITY_SIZES.get(int(s), 11) for s in grp["severity"]],
                        color=[swatch] + [SEVERITY_COLORS.get(int(s), "#8c9bb5") for s in grp["severity"]],
                        line=dict(color=["#ffffff"] + [STATUS_COLORS["alarm"] if o else "#ffffff" for o in overdue],
                                  width=[1] + [3 if o else 1 for o in overdue])),
            customdata=["", *grp["hover"]], hovertemplate="%{customdata}<extra></extra>"))
    key = " ".join(f"<span style='color:{SEVERITY_COLORS[s]}'>●</span>{ROMAN[s]}" for s in (1, 2, 3, 4)) + \
        f" <span style='color:{STATUS_COLORS['alarm']}'>◯</span>{labels['overdue']}"
    fig.update_geos(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)",
                    domain=dict(x=[0, LEGEND_COLUMN], y=[0, 1]), uirevision=uirevision or None)
    if box:
        fig.update_geos(fitbounds=False, lonaxis_range=list(box[:2]), lataxis_range=list(box[2:]))
    else:
        fig.update_geos(fitbounds="locations")
    legend = dict(orientation="v", x=LEGEND_COLUMN + 0.01, xanchor="left", y=1, yanchor="top", font=dict(size=12),
                  groupclick="toggleitem", tracegroupgap=2, grouptitlefont=dict(size=12),
                  bgcolor="rgba(0,0,0,0)",
                  # the colour key of the severity scale heads the event filters
                  title=dict(text=f"<b>{labels['severity']}</b><br>{key}", side="top", font=dict(size=12)))
    fig.update_layout(
        template=template(theme), margin=dict(l=0, r=0, t=4, b=0), dragmode=False, showlegend=True,
        legend=legend,
        legend2=dict(legend, y=0, yanchor="bottom", title=dict(text=f"<b>{labels['resources']}</b>", side="top",
                                                                font=dict(size=12))),
        # Legend clicks (the filters) survive new snapshots and drill-downs;
        # the geo view follows the region (its own uirevision above).
        uirevision="emergency-events-map")
    return fig


def response_stats(df: pd.DataFrame, *, labels: dict, theme: str = "dark") -> go.Figure:
    """Median and P90 response minutes and handling hours, all events first
    (paler), then per category by volume.
    df: category (None for the all-events row), events, on_time_rate,
    response_median_min, response_p90_min, handling_median_h, handling_p90_h."""
    d = pd.concat([df[df["category"].isna()],
                   df[df["category"].notna()].sort_values(["events", "category"], ascending=[False, True])])
    names = [labels["all"] if pd.isna(c) else labels.get(c, c) for c in d["category"]]
    details = [labels["count"].format(n=int(n)) + (" · " + labels["on_time"].format(p=r * 100) if pd.notna(r) else "")
               for n, r in zip(d["events"], d["on_time_rate"])]
    ticks = [f"{name}<br><span style='font-size:11px'>{detail}</span>" for name, detail in zip(names, details)]
    # Room for the labels from the start: left to automargin, plotly draws the
    # chart, measures the labels and draws it all again (a third of its time).
    left = 14 + max((max(text_width(n, 13), text_width(x, 11)) for n, x in zip(names, details)), default=0)
    hover = names
    opacity = [0.55 if pd.isna(c) else 1.0 for c in d["category"]]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=(labels["response"], labels["handling"]))
    for col, (median, p90, color, fmt) in enumerate(
            [("response_median_min", "response_p90_min", "#36cfc9", ".0f"),
             ("handling_median_h", "handling_p90_h", "#4e8cff", ".1f")], start=1):
        fig.add_trace(go.Bar(
            x=d[median], y=ticks, orientation="h", name=labels["median"], marker_color=color,
            marker_opacity=opacity,
            legendgroup="median", showlegend=col == 1, text=[f"{v:{fmt}}" if pd.notna(v) else "" for v in d[median]],
            textposition="inside", insidetextanchor="end", textangle=0, customdata=hover,
            hovertemplate="%{customdata}<br>" + labels["median"] + " %{x:" + fmt + "}<extra></extra>"), row=1, col=col)
        fig.add_trace(go.Scatter(
            x=d[p90], y=ticks, mode="markers", name="P90", legendgroup="p90", showlegend=col == 1,
            marker=dict(symbol="line-ns", size=18, line=dict(width=3, color="#faad14"), color="#faad14"),
            customdata=hover, hovertemplate="%{customdata}<br>P90 %{x:" + fmt + "}<extra></extra>"), row=1, col=col)
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=13), automargin=True)
    fig.update_xaxes(rangemode="tozero", tickfont=dict(size=12))
    fig.update_annotations(font=dict(size=13))
    fig.update_layout(template=template(theme), bargap=0.35, margin=dict(l=round(left), r=12, t=44, b=28),
                      uniformtext=dict(minsize=11, mode="hide"),
                      legend=dict(y=1.14, x=1, xanchor="right", font=dict(size=12)))
    return fig


def hotline_daily(df: pd.DataFrame, *, labels: dict, theme: str = "dark", window: int = 7) -> go.Figure:
    """Daily work-order volume (bars; today's, still filling, paler) with the
    on-time and satisfaction rates over a trailing `window` of days on a second
    axis (a county's few orders a day would make daily rates jump).
    df: day, orders, on_time, decided, satisfied, rated, partial (one row per day, in order)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    partial = df["partial"].fillna(False).astype(bool)
    fig.add_trace(go.Bar(
        x=df["day"], y=df["orders"], name=labels["orders"], marker_color="#4e8cff",
        marker_opacity=[0.45 if p else 0.9 for p in partial],
        hovertemplate="%{y:,} " + labels["unit"] + "<extra>" + labels["orders"] + "</extra>"), secondary_y=False)

    # By calendar days, not rows: a quiet county has days without any order.
    by_day = df.set_index(pd.to_datetime(df["day"]))[["on_time", "decided", "satisfied", "rated"]].astype(float)
    sums = by_day.rolling(f"{window}D", min_periods=1).sum().reset_index(drop=True)

    def trailing(num: str, den: str) -> pd.Series:
        rate = sums[num] / sums[den].where(sums[den] > 0)
        # Today's few closed and rated orders would swing the rates: lines stop at yesterday.
        return rate.where(~partial.reset_index(drop=True))

    lines = [(trailing("on_time", "decided"), "#36cfc9", labels["on_time_rate"]),
             (trailing("satisfied", "rated"), "#faad14", labels["satisfaction_rate"])]
    for values, color, name in lines:
        name = labels["trailing"].format(name=name, n=window)
        fig.add_trace(go.Scatter(
            x=df["day"], y=values, name=name, mode="lines", line=dict(width=2.5, color=color),
            hovertemplate="%{y:.1%}<extra>" + name + "</extra>"), secondary_y=True)
    rates = pd.concat([v for v, _, _ in lines]).dropna()
    low = min(0.8, float(rates.min()) - 0.02) if not rates.empty else 0.8
    fig.update_yaxes(title_text=labels["unit"], secondary_y=False, rangemode="tozero")
    fig.update_yaxes(tickformat=".0%", range=[low, 1.005], secondary_y=True, showgrid=False)
    fig.update_xaxes(tickformat="%m-%d", hoverformat="%Y-%m-%d")
    fig.update_layout(template=template(theme), hovermode="x unified", bargap=0.2,
                      margin=dict(l=56, r=52, t=36, b=32), legend=dict(font=dict(size=12)))
    return fig


LEFT = 96   # room for the topic names


def hotline_topics(df: pd.DataFrame, *, labels: dict, overall: dict | None = None, top: int = 10,
                   theme: str = "dark") -> go.Figure:
    """The busiest topics as horizontal bars, largest on top, each with its
    satisfaction rate; the overall rates as a line of large figures above.
    df: topic, orders, on_time_rate, satisfaction_rate (topics only)."""
    d = df.sort_values(["orders", "topic"], ascending=[False, True]).head(top)
    text = [f"{int(n):,} · {labels['satisfied_short']} {s * 100:.1f}%" if pd.notna(s) else f"{int(n):,}"
            for n, s in zip(d["orders"], d["satisfaction_rate"])]
    fig = go.Figure(go.Bar(
        x=d["orders"], y=d["topic"], orientation="h", marker_color="#4e8cff", text=text,
        textposition="auto", customdata=d[["on_time_rate", "satisfaction_rate"]].to_numpy(),
        hovertemplate="%{y}<br>%{x:,} " + labels["unit"] + "<br>" + labels["on_time_rate"]
                      + " %{customdata[0]:.1%}<br>" + labels["satisfaction_rate"]
                      + " %{customdata[1]:.1%}<extra></extra>"))
    top_margin = 8
    if overall:
        top_margin = 44
        parts = [f"{name} <b style='color:{color}'>{value}</b>" for name, value, color in overall["items"]]
        # from the figure's left edge, not the plot's: the line is wider than the bars' area
        fig.add_annotation(text="　".join(parts), showarrow=False, x=0, y=1, xref="paper", yref="paper",
                           xanchor="left", yanchor="bottom", xshift=8 - LEFT, yshift=6, font=dict(size=14))
    fig.update_layout(template=template(theme), margin=dict(l=LEFT, r=16, t=top_margin, b=28), bargap=0.25,
                      yaxis=dict(autorange="reversed", tickfont=dict(size=13)),
                      uniformtext=dict(minsize=11, mode="hide"))
    return fig
