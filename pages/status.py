"""数据状态: the current snapshot and its age, each source's freshness and last
error, recent pipeline runs. What an operator checks when a number looks old."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
from dash import html

from components import context
from components.i18n import age_text, t
from components.panels import Panel, box, register
from components.shell import Page, register_page
from core.snapshots import SnapshotStore

KEY = "status"


def _table(columns, rows, cls="status-table"):
    return html.Table([html.Thead(html.Tr([html.Th(c) for c in columns])),
                       html.Tbody([html.Tr([html.Td("" if v is None or v != v else str(v)) for v in r])
                                   for r in rows])], className=cls)


def _snapshot_data(c) -> pd.DataFrame:
    m = c.meta
    return pd.DataFrame([{k: m.get(k) for k in ("id", "built_at", "as_of", "build_seconds", "demo",
                                                  "catalog_digest", "root_adcode")}])


def _snapshot_render(df, c):
    m = df.iloc[0].to_dict()
    built = pd.Timestamp(m["built_at"]).to_pydatetime()
    age = (datetime.now(timezone.utc) - built).total_seconds()
    return html.Dl([
        html.Dt("当前快照" if c.lang == "zh" else "Snapshot"), html.Dd(m["id"], id="snapshot-id"),
        html.Dt("构建时间" if c.lang == "zh" else "Built"),
        html.Dd(f"{built:%Y-%m-%d %H:%M:%S}（{age_text(age, c.lang)}）", id="snapshot-age"),
        html.Dt("数据截至" if c.lang == "zh" else "As of"), html.Dd(f"{pd.Timestamp(m['as_of']):%Y-%m-%d %H:%M:%S}"),
        html.Dt("构建耗时" if c.lang == "zh" else "Build time"), html.Dd(f"{m['build_seconds']:.1f} s"),
        html.Dt("数据性质" if c.lang == "zh" else "Data"),
        html.Dd(t("demo", c.lang) if m["demo"] else ("真实数据源" if c.lang == "zh" else "real sources"),
                className="demo-text" if m["demo"] else ""),
    ], className="snapshot-meta")


def _freshness_data(c):
    return c.q("freshness")


def _freshness_render(df, c):
    cols = ["数据源", "类型", "原始表", "有效行", "隔离行", "最新数据时间", "最近成功", "最近尝试", "最近错误"]
    return _table(cols, [[r.source, r.kind, r.raw_table, r.rows, r.quarantined, r.latest_fact, r.fetched_at,
                          r.last_attempt, r.error] for r in df.itertuples()])


def _runs_data(c):
    store = SnapshotStore(context.settings().snapshot_dir)
    runs = list(reversed(store.runs(15)))
    return pd.DataFrame(runs, columns=["run", "state", "at", "snapshot", "seconds", "error"]) if runs else \
        pd.DataFrame(columns=["run", "state", "at", "snapshot", "seconds", "error"])


def _runs_render(df, c):
    return _table(["运行", "状态", "时间", "快照", "耗时 (s)", "错误"],
                  [[r.run, r.state, r.at, r.snapshot, r.seconds, r.error] for r in df.itertuples()])


PANELS = register(
    Panel("status-snapshot", lambda c: "当前快照" if c.lang == "zh" else "Current snapshot",
          _snapshot_data, _snapshot_render, kind="html", area="area-snapshot"),
    Panel("status-freshness", lambda c: t("freshness", c.lang), _freshness_data, _freshness_render,
          kind="html", area="area-freshness"),
    Panel("status-runs", lambda c: "最近构建" if c.lang == "zh" else "Recent pipeline runs",
          _runs_data, _runs_render, kind="html", area="area-runs"),
)


def layout(state):
    return html.Div([box(p, state.lang) for p in PANELS], className=f"grid grid-{KEY}")


register_page(Page(KEY, "/status", layout))
