"""数据状态: current snapshot, its age, per-source freshness and recent runs."""
from __future__ import annotations

import dash
from dash import html
from flask import current_app

from core.snapshots import SnapshotStore, age_seconds
from queries.database import NoSnapshot

dash.register_page(__name__, path="/status", title="数据状态 · 一网统管驾驶舱", name="数据状态")


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 90:
        return f"{seconds} 秒前"
    if seconds < 5400:
        return f"{seconds // 60} 分钟前"
    if seconds < 172800:
        return f"{seconds // 3600} 小时前"
    return f"{seconds // 86400} 天前"


def _table(columns: list[str], rows: list[list]) -> html.Table:
    return html.Table([
        html.Thead(html.Tr([html.Th(c) for c in columns])),
        html.Tbody([html.Tr([html.Td("" if v is None else str(v)) for v in r]) for r in rows]),
    ], className="status-table")


def layout(**_query):
    db = current_app.config["COCKPIT_DB"]
    settings = current_app.config["COCKPIT_SETTINGS"]
    store = SnapshotStore(settings.snapshot_dir)
    try:
        meta = db.meta()
    except NoSnapshot as e:
        return html.Main([html.H1("数据状态"), html.P(str(e), className="error")], className="status-page")
    fresh = db.execute("freshness")
    runs = store.runs(10)
    return html.Main([
        html.H1("数据状态"),
        html.P(meta.get("demo_notice") or "", className="demo-badge") if meta.get("demo") else None,
        html.Dl([
            html.Dt("当前快照"), html.Dd(meta["id"], id="snapshot-id"),
            html.Dt("构建时间"), html.Dd(f"{meta['built_at']:%Y-%m-%d %H:%M:%S}（{_age(age_seconds(meta['built_at'].isoformat()))}）",
                                        id="snapshot-age"),
            html.Dt("数据截至"), html.Dd(f"{meta['as_of']:%Y-%m-%d %H:%M:%S}"),
            html.Dt("构建耗时"), html.Dd(f"{meta['build_seconds']:.1f} 秒"),
        ]),
        html.H2("数据源新鲜度"),
        _table(["数据源", "类型", "原始表", "有效行", "隔离行", "最新数据时间", "最近成功", "最近错误"],
               [[r.source, r.kind, r.raw_table, r.rows, r.quarantined, r.latest_fact, r.fetched_at, r.error]
                for r in fresh.itertuples()]),
        html.H2("最近构建"),
        _table(["运行", "状态", "时间", "快照", "错误"],
               [[r.get("run"), r.get("state"), r.get("at"), r.get("snapshot"), r.get("error")] for r in reversed(runs)]),
    ], className="status-page")
