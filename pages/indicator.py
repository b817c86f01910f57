"""指标详情 for operators: what an indicator means and where it comes from, its
trend, and every region one level down as a sortable table."""
from __future__ import annotations

import pandas as pd
from dash import dash_table, html

from components import common, figures
from components.i18n import t
from components.panels import Panel, box, register
from components.shell import Page, register_page

KEY = "indicator"
DEFAULT = "gdp"


def _ind(c) -> dict:
    return c.indicators.get(c.state.indicator or DEFAULT) or next(iter(c.indicators.values()))


def _info_data(c) -> pd.DataFrame:
    ind = _ind(c)
    fresh = c.q("freshness")
    return pd.DataFrame([{**{k: ind.get(k) for k in (
        "id", "name_zh", "name_en", "unit", "domain", "cadence", "rollup", "measure", "numerator",
        "denominator", "weight", "direction", "warn", "alarm", "department", "definition_zh", "target_value",
        "target_year", "target_source", "target_baseline", "target_baseline_year", "target_scope")},
        "latest_fact": fresh["latest_fact"].max() if not fresh.empty else None}])


def _info_render(df, c):
    r = df.iloc[0].to_dict()
    dec = int(_ind(c)["decimals"])
    parts = [p for p in (r["measure"], r["numerator"], r["denominator"], r["weight"]) if p and p == p]
    rows = [
        (t("definition", c.lang), r["definition_zh"]),
        (t("unit", c.lang), r["unit"]),
        (t("cadence", c.lang), r["cadence"]),
        (t("rollup", c.lang), f"{t('rollup_' + r['rollup'], c.lang)}（{' / '.join(parts)}）"),
        (t("department", c.lang), r["department"]),
        ("阈值" if c.lang == "zh" else "Thresholds",
         "—" if r["warn"] is None or r["warn"] != r["warn"] else
         f"{t('warn', c.lang)} {figures.fmt(r['warn'], dec)} · {t('alarm', c.lang)} {figures.fmt(r['alarm'], dec)}"
         f"（{'越高越好' if r['direction'] == 'up' else '越低越好'}）"),
    ]
    if r["target_value"] is not None and r["target_value"] == r["target_value"]:
        rows.append((t("target", c.lang), f"{figures.fmt(r['target_value'], dec, r['unit'])}（{int(r['target_year'])}）"
                     f" · 出处 {r['target_source']} {r['target_scope'] or ''}"))
    rows.append((t("freshness", c.lang), f"{r['latest_fact']} · {t('snapshot', c.lang)} {c.snapshot}"))
    rows.append(("SQL", f"queries/measures/*.sql → indicator_value（{r['id']}）"))
    return html.Dl([x for k, v in rows for x in (html.Dt(k), html.Dd(v))], className="indicator-info")


def _table_data(c):
    ind = _ind(c)
    df = common.children_values(c, ind)
    return df[["adcode", "name", "level", "period", "value", "num", "den"]]


def _table_render(df, c):
    ind = _ind(c)
    d = df.assign(status=[common.status(ind, v) for v in df["value"]],
                  period=df["period"].astype(str), value=df["value"].round(int(ind["decimals"])))
    cols = [("name", t("region", c.lang)), ("value", f"{t('value', c.lang)}（{ind['unit']}）"),
            ("period", t("period", c.lang)), ("status", t("level", c.lang)), ("adcode", "adcode")]
    return dash_table.DataTable(
        data=d[[k for k, _ in cols]].to_dict("records"), columns=[{"id": k, "name": n} for k, n in cols],
        sort_action="native", page_action="none", style_as_list_view=True, id="indicator-children-table",
        style_table={"overflowY": "auto", "maxHeight": "100%"}, fixed_rows={"headers": True},
        style_cell={"backgroundColor": "transparent", "color": "inherit", "fontSize": 16, "padding": "6px 10px",
                    "textAlign": "left", "border": "none"},
        style_header={"fontWeight": "bold", "backgroundColor": "rgba(78,140,255,0.15)"},
        style_data_conditional=[{"if": {"filter_query": f'{{status}} = "{s}"', "column_id": "status"},
                                 "color": figures.STATUS_COLORS[s]} for s in ("alarm", "warn", "ok")])


def _trend_data(c):
    return c.q("indicator_series", indicator=_ind(c)["id"])


def _trend_render(df, c):
    ind = _ind(c)
    if df.empty:
        return figures.empty(t("no_data", c.lang), c.theme)
    target = None
    if ind.get("target_value") == ind.get("target_value") and ind.get("target_value") is not None:
        target = {"value": float(ind["target_value"]), "label": common.target_text(ind, c.lang)}
    return figures.trend(df, unit=ind["unit"], decimals=int(ind["decimals"]), theme=c.theme, target=target,
                         labels={"value": c.name(ind), "year_ago": t("same_period_last_year", c.lang)})


PANELS = register(
    Panel("indicator-info", lambda c: c.name(_ind(c)), _info_data, _info_render, kind="html", area="area-info"),
    Panel("indicator-trend", lambda c: t("trend_title", c.lang, indicator=c.name(_ind(c))), _trend_data,
          _trend_render, area="area-trend"),
    Panel("indicator-table", lambda c: t("ranking_title", c.lang, indicator=c.name(_ind(c))), _table_data,
          _table_render, kind="html", area="area-table"),
)


def layout(state):
    return html.Div([box(p, state.lang) for p in PANELS], className=f"grid grid-{KEY}")


register_page(Page(KEY, "/indicator", layout, nav=False))
