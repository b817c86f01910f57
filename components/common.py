"""Panel factories shared by the screens: KPI strip, region map, ranking, trend,
alert list, target achievement. A page builds its panels from these with its
own ids and indicator list; the catalog decides which indicators appear."""
from __future__ import annotations

import math
from datetime import datetime, timezone

import pandas as pd
from dash import dcc, html

from components import figures
from components.i18n import age_text, t
from components.panels import Panel
from core.catalog import threshold_status

SPARK_POINTS = 24


def status(ind: dict, value) -> str:
    return threshold_status(ind["direction"], number(ind.get("warn")), number(ind.get("alarm")), number(value))


def number(v):
    """A float, or None when missing, NaN or not a number (rows that went through
    a DataFrame carry NaN where the database had NULL)."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def page_indicators(c, page: str) -> list[dict]:
    return [i for i in c.indicators.values() if page in list(i.get("pages") or [])]


def chosen_indicator(c, page: str, default: str) -> dict:
    """The indicator the URL asks for, if this page shows it; else the page's default."""
    wanted = c.state.indicator
    ids = {i["id"] for i in page_indicators(c, page)}
    if wanted in ids:
        return c.indicators[wanted]
    return c.indicators.get(default) or next(iter(c.indicators.values()))


def target_text(ind: dict, lang: str) -> str:
    tv = number(ind.get("target_value"))
    if tv is None:
        return ""
    return f"{int(ind['target_year'])}{'年' if lang == 'zh' else ' '}{t('target', lang)} " \
           f"{figures.fmt(tv, int(ind['decimals']), ind['unit'])}"


# ---------------------------------------------------------------- KPI strip

def kpi_panel(pid: str, page: str, area: str = "area-kpis", limit: int = 8) -> Panel:
    def data(c) -> pd.DataFrame:
        inds = page_indicators(c, page)[:limit]
        latest = c.q("indicator_latest")
        latest = latest[latest["indicator"].isin([i["id"] for i in inds])].set_index("indicator")
        rows = []
        for ind in inds:
            r = latest.loc[ind["id"]] if ind["id"] in latest.index else None
            series = c.q("indicator_series", indicator=ind["id"])
            rows.append({
                "indicator": ind["id"], "name": c.name(ind), "unit": ind["unit"],
                "period": None if r is None else r["period"],
                "value": None if r is None else number(r["value"]),
                "previous_value": None if r is None else number(r["previous_value"]),
                "year_ago_value": None if r is None else number(r["year_ago_value"]),
                "target_value": number(ind.get("target_value")), "target_year": ind.get("target_year"),
                "status": status(ind, None if r is None else r["value"]),
                "spark": series["value"].tail(SPARK_POINTS).round(6).tolist(),
            })
        return pd.DataFrame(rows)

    def render(df: pd.DataFrame, c):
        if df.empty:
            return html.Div(t("no_data", c.lang), className="message")
        return html.Div([kpi_card(r, c.indicators[r["indicator"]], c) for r in df.to_dict("records")],
                        className="kpi-strip")

    return Panel(pid, lambda c: "", data, render, kind="html", area=area)


def kpi_card(r: dict, ind: dict, c) -> html.Div:
    dec = int(ind["decimals"])
    # Rows went through a DataFrame: missing numbers are NaN here, not None.
    value, prev, year = number(r["value"]), number(r["previous_value"]), number(r["year_ago_value"])

    def delta(base, label):
        if value is None or base in (None, 0):
            return html.Span(f"{label} —", className="delta")
        pct = 100.0 * (value - base) / abs(base)
        if ind["unit"] in ("%", "‰") or ind["rollup"] in ("growth",):
            places, good, suffix = max(dec, 1), value - base, " pt"
        else:
            places, good, suffix = 1, pct, "%"
        if round(good, places) == 0:   # "-0.0 pt" in alarm red is noise, not news
            return html.Span(f"{label} ±{0:.{places}f}{suffix}", className="delta")
        better = good >= 0 if ind["direction"] == "up" else good <= 0
        return html.Span(f"{label} {good:+.{places}f}{suffix}", className="delta " + ("better" if better else "worse"))

    progress = None
    tv = number(r["target_value"])
    if tv is not None and value is not None and tv:
        share = value / tv if ind["direction"] == "up" else (tv / value if value else 0)
        progress = html.Div([
            html.Div(className="progress-fill", style={"width": f"{max(0.0, min(share, 1.0)) * 100:.0f}%"}),
        ], className="progress", title=f"{target_text(ind, c.lang)}（{share * 100:.0f}%）")
    period = r["period"]
    as_of = pd.Timestamp(period).strftime("%Y-%m-%d %H:%M") if period is not None and not pd.isna(period) else "—"
    hover = "\n".join(x for x in [
        f"{t('definition', c.lang)}：{ind.get('definition_zh') or ''}",
        f"{t('source', c.lang)}：{ind.get('department') or ''}",
        f"{t('period', c.lang)}：{as_of}",
        target_text(ind, c.lang) + (f"（{ind.get('target_source')}）" if ind.get("target_source") else ""),
    ] if x)
    trend = figures.sparkline(r["spark"], figures.STATUS_COLORS[r["status"]])
    spark = html.Img(src=trend, className="kpi-spark", alt="") if trend else html.Div(className="kpi-spark")
    return html.Div([
        dcc.Link(html.Div(r["name"], className="kpi-name"),
                 href=f"/indicator?indicator={ind['id']}" + (f"&region={c.state.region}" if c.state.region else "")
                 + (f"&lang={c.lang}" if c.lang != "zh" else "")),
        html.Div([html.Span(figures.fmt(value, dec), className="kpi-value"),
                  html.Span(ind["unit"] if ind["unit"] != "—" else "", className="kpi-unit")], className="kpi-main"),
        html.Div([delta(prev, t("vs_previous", c.lang)), delta(year, t("vs_year", c.lang))], className="kpi-deltas"),
        html.Div(target_text(ind, c.lang), className="kpi-target") if tv is not None else None,
        progress,
        spark,
    ], className=f"kpi status-{r['status']}", title=hover, **{"data-indicator": ind["id"]})


# ---------------------------------------------------------------- map, ranking, trend

def children_values(c, ind: dict) -> pd.DataFrame:
    adcode = c.state.region
    if c.children.empty:           # a leaf: show it among its siblings
        path = c.q("region_path")
        if len(path) > 1:
            adcode = int(path.iloc[-2]["adcode"])
    return c.q("indicator_children", indicator=ind["id"], adcode=adcode)


def geojson_url(c, level: str) -> str:
    from flask import current_app

    return current_app.config["COCKPIT_GEO_URL"](level)


def map_panel(pid: str, page: str, default: str, area: str = "area-map", points=None) -> Panel:
    """Choropleth of the regions one level down; `points(c) -> DataFrame` adds
    point layers (lon, lat, layer, color, label)."""
    def data(c):
        ind = chosen_indicator(c, page, default)
        df = children_values(c, ind)
        return df.assign(indicator=ind["id"], unit=ind["unit"])

    def render(df, c):
        ind = chosen_indicator(c, page, default)
        if df.empty:
            return figures.empty(t("no_data", c.lang), c.theme)
        level = str(df["level"].iloc[0])
        pts = points(c) if points else None
        return figures.choropleth(df, geojson_url=geojson_url(c, level), unit=ind["unit"],
                                  decimals=int(ind["decimals"]), theme=c.theme, hint=t("map_hint", c.lang),
                                  points=pts)

    def title(c):
        return t("map_title", c.lang, indicator=c.name(chosen_indicator(c, page, default)))

    return Panel(pid, title, data, render, area=area, drill=True, map=True)


def ranking_panel(pid: str, page: str, default: str, area: str = "area-rank") -> Panel:
    def data(c):
        ind = chosen_indicator(c, page, default)
        return children_values(c, ind)[["adcode", "name", "period", "value"]]

    def render(df, c):
        ind = chosen_indicator(c, page, default)
        if df["value"].notna().sum() == 0:
            return figures.empty(t("no_data", c.lang), c.theme)
        # Largest first whatever the direction: leaders ask "where is the most"; colour says good or bad.
        d = df[df["value"].notna()].sort_values("value", ascending=False)
        colors = [figures.STATUS_COLORS[status(ind, v)] for v in d["value"]]
        return figures.ranking(d, unit=ind["unit"], decimals=int(ind["decimals"]), colors=colors, theme=c.theme)

    def title(c):
        return t("ranking_title", c.lang, indicator=c.name(chosen_indicator(c, page, default)))

    return Panel(pid, title, data, render, area=area, drill=True)


def trend_panel(pid: str, page: str, default: str, area: str = "area-trend") -> Panel:
    def data(c):
        ind = chosen_indicator(c, page, default)
        return c.q("indicator_series", indicator=ind["id"])

    def render(df, c):
        ind = chosen_indicator(c, page, default)
        if df.empty:
            return figures.empty(t("no_data", c.lang), c.theme)
        target = None
        if number(ind.get("target_value")) is not None and c.state.region == c.meta.get("root_adcode"):
            target = {"value": float(ind["target_value"]), "label": target_text(ind, c.lang)}
        return figures.trend(df, unit=ind["unit"], decimals=int(ind["decimals"]), theme=c.theme, target=target,
                             labels={"value": c.name(ind), "year_ago": t("same_period_last_year", c.lang)})

    def title(c):
        return t("trend_title", c.lang, indicator=c.name(chosen_indicator(c, page, default)))

    return Panel(pid, title, data, render, area=area)


def indicator_picker(page: str, default: str, c) -> dcc.Dropdown:
    """Options for the page's map/trend indicator; choosing one rewrites the URL."""
    return dcc.Dropdown(id={"type": "indicator-picker", "page": page},
                        options=[{"label": c.name(i), "value": i["id"]} for i in page_indicators(c, page)],
                        value=chosen_indicator(c, page, default)["id"], clearable=False, searchable=False,
                        className="indicator-picker")


# ---------------------------------------------------------------- alerts, targets

def alerts_panel(pid: str, area: str = "area-alerts", domain: str | None = None, limit: int = 12) -> Panel:
    def data(c):
        df = c.q("alerts")
        if domain is not None and not df.empty:
            inds = {i for i, d in c.indicators.items() if d["domain"] == domain}
            df = df[df["indicator"].isin(inds) | df["indicator"].isna() & (domain == "emergency")]
        return df

    def render(df, c):
        if df.empty:
            return html.Div(t("no_alerts", c.lang), className="message ok")
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        rows = []
        for r in df.head(limit).to_dict("records"):
            since = pd.Timestamp(r["since"]).to_pydatetime() if r.get("since") is not None else None
            rows.append(html.Li([
                html.Span(t(r["level"], c.lang), className=f"chip chip-{r['level']}"),
                html.Span(r["region_name"], className="alert-region"),
                html.Span(r.get("message_zh") or "", className="alert-text"),
                html.Span(_since_text(since, now, c.lang), className="alert-since",
                          title=f"{since:%Y-%m-%d %H:%M}" if since else ""),
                html.Span(r.get("department") or "", className="alert-dept"),
            ], className=f"alert alert-{r['level']}"))
        more = len(df) - limit
        if more > 0:
            rows.append(html.Li(f"… +{more}", className="alert more"))
        return html.Ul(rows, className="alert-list")

    def title(c):
        return t("alerts_title", c.lang)

    return Panel(pid, title, data, render, kind="html", area=area)


def _since_text(since, now, lang: str) -> str:
    """Recent alerts by age ("12 分钟前"), long-standing ones by date."""
    if since is None:
        return ""
    age = (now - since).total_seconds()
    return age_text(age, lang) if age < 3 * 86400 else f"{since:%Y-%m-%d}"


def _on_track(r: dict) -> bool | None:
    value, target = number(r["value"]), number(r["target_value"])
    if value is None or target is None:
        return None
    base, by, ty = number(r.get("target_baseline")), r.get("target_baseline_year"), int(r["target_year"])
    year = pd.Timestamp(r["period"]).year if r.get("period") is not None else ty
    up = r["direction"] == "up"
    if base is None or by is None or pd.isna(by) or year >= ty:
        goal = target
    else:   # the straight path from baseline to target, at this year
        goal = base + (target - base) * max(0.0, min(1.0, (year - int(by)) / max(ty - int(by), 1)))
    return value >= goal if up else value <= goal


def targets_panel(pid: str, area: str = "area-targets", domain: str | None = None) -> Panel:
    def data(c):
        df = c.q("targets")
        if domain is not None:
            df = df[df["domain"] == domain]
        return df.assign(on_track=[_on_track(r) for r in df.to_dict("records")])

    def render(df, c):
        if df.empty:
            return html.Div(t("no_data", c.lang), className="message")
        head = html.Tr([html.Th(x) for x in ("", t("baseline", c.lang), t("actual", c.lang), t("target", c.lang), "")])
        body = []
        for r in df.to_dict("records"):
            dec = int(r["decimals"])
            base = "—" if number(r.get("target_baseline")) is None else \
                f"{figures.fmt(r['target_baseline'], dec)}（{int(r['target_baseline_year'])}）"
            ok = r["on_track"]
            body.append(html.Tr([
                html.Td(r["name_en"] if c.lang == "en" else r["name_zh"], className="target-name",
                        title=f"{t('source', c.lang)}：{r['target_source']} {r.get('target_scope') or ''}"),
                html.Td(base), html.Td(figures.fmt(number(r["value"]), dec, r["unit"]), className="target-actual"),
                html.Td(f"{figures.fmt(r['target_value'], dec, r['unit'])}（{int(r['target_year'])}）"),
                html.Td(t("on_track", c.lang) if ok else (t("off_track", c.lang) if ok is not None else "—"),
                        className="chip chip-ok" if ok else ("chip chip-alarm" if ok is not None else "")),
            ]))
        return html.Table([html.Thead(head), html.Tbody(body)], className="target-table")

    def title(c):
        return t("targets_title", c.lang)

    return Panel(pid, title, data, render, kind="html", area=area)

