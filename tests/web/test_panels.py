"""Every panel of every screen renders on the real demo snapshot, at every level."""
from __future__ import annotations

import json
from html.parser import HTMLParser

import plotly.graph_objects as go
import pytest
from dash.development.base_component import Component
from plotly.io.json import to_json_plotly

import pages  # noqa: F401  (registers the panels)
from components.markup import markup_json
from components.panels import REGISTRY
from components.shell import PAGES

SCOPES = ["", "?region=370200", "?region=370202", "?region=370200&lang=en&period=2026-06"]


@pytest.mark.parametrize("search", SCOPES)
def test_every_panel_renders(render_panel, search):
    for pid, panel in REGISTRY.items():
        rows, out, title = render_panel(pid, search)
        assert isinstance(out, go.Figure if panel.kind == "graph" else Component), pid
        assert isinstance(title, str), pid


def _dash_text(node) -> str:
    if isinstance(node, list):
        return "".join(_dash_text(n) for n in node)
    if isinstance(node, dict):
        return _dash_text(node["props"].get("children"))
    return "" if node is None or isinstance(node, bool) else str(node)


def _markup_text(html: str) -> str:
    parts = []
    parser = HTMLParser()
    parser.handle_data = parts.append
    parser.feed(html)
    return "".join(parts)


@pytest.mark.parametrize("search", SCOPES)
def test_html_panels_go_to_the_browser_as_markup_with_every_word(render_panel, search):
    """What a screen sends for a table or a KPI strip: one Markup holding the
    same text as the Dash tree the builder made (components/markup.py). Only
    the indicator page's detail table (a DataTable) stays a Dash tree."""
    for pid, panel in REGISTRY.items():
        if panel.kind != "html":
            continue
        tree = json.loads(to_json_plotly(render_panel(pid, search)[1]))
        sent = markup_json(tree)
        if pid == "indicator-table":
            assert sent == tree
            continue
        assert sent["type"] == "Markup", pid
        assert _markup_text(sent["props"]["html"]) == _dash_text(tree), pid


def test_every_page_is_registered_with_panels():
    assert {"overview", "economy", "emergency", "cloud", "sharing", "indicator", "status", "wall"} <= set(PAGES)
    for key in ("overview", "economy", "emergency", "cloud", "sharing", "indicator", "status"):
        assert any(pid.startswith(key + "-") for pid in REGISTRY), key


def test_map_shows_the_children_of_the_scoped_region(render_panel, snap_con):
    rows, fig, _ = render_panel("economy-map", "?region=370200")
    kids = {r[0] for r in snap_con.execute("SELECT adcode FROM region WHERE parent = 370200").fetchall()}
    assert set(rows["adcode"]) == kids
    assert set(fig.data[0].locations) == kids
    assert "county.geojson" in fig.data[0].geojson


def test_a_county_is_shown_among_its_siblings(render_panel, snap_con):
    rows, _, _ = render_panel("economy-map", "?region=370202")
    sibs = {r[0] for r in snap_con.execute("SELECT adcode FROM region WHERE parent = 370200").fetchall()}
    assert set(rows["adcode"]) == sibs


def test_ranking_values_are_the_snapshot_values(render_panel, snap_con):
    rows, fig, _ = render_panel("economy-rank", "?indicator=retail_sales")
    period = rows["period"].iloc[0]
    expect = dict(snap_con.execute("""
        SELECT v.adcode, v.value FROM indicator_value v JOIN region r ON r.adcode = v.adcode
        WHERE v.indicator = 'retail_sales' AND r.parent = 370000 AND v.period = ?""", [period]).fetchall())
    assert dict(zip(rows["adcode"], rows["value"])) == pytest.approx(expect)
    assert list(fig.data[0].x) == sorted(fig.data[0].x, reverse=True)


def test_kpi_cards_show_latest_values_with_changes(render_panel, snap_con):
    rows, out, _ = render_panel("economy-kpis")
    gdp = rows.set_index("indicator").loc["gdp"]
    latest, value = snap_con.execute("""
        SELECT period, value FROM indicator_value WHERE indicator = 'gdp' AND adcode = 370000
        ORDER BY period DESC LIMIT 1""").fetchone()
    assert gdp["value"] == pytest.approx(value)
    assert gdp["year_ago_value"] > 0 and len(gdp["spark"]) > 3
    assert f"{value:,.1f}" in str(out)


def test_period_in_url_bounds_the_values(render_panel):
    rows, _, _ = render_panel("economy-kpis", "?period=2025-06")
    assert rows["period"].dropna().max().to_pydatetime().date().isoformat() <= "2025-06-30"


def test_alerts_follow_the_region(render_panel):
    all_rows, _, _ = render_panel("overview-alerts")
    city_rows, _, _ = render_panel("overview-alerts", "?region=370200")
    assert 0 < len(city_rows) < len(all_rows) or len(city_rows) == 0
    assert set(city_rows["adcode"]) <= set(all_rows["adcode"])


def test_targets_cite_their_source(render_panel):
    rows, out, _ = render_panel("overview-targets")
    assert len(rows) >= 10
    assert rows["target_source"].str.match(r"^\d{3}:\d+").all()
    assert rows["on_track"].notna().any()


def test_indicator_detail_explains_the_number(render_panel):
    rows, out, title = render_panel("indicator-info", "?indicator=tax_share")
    text = str(out)
    assert title == "税收收入占比" or "税收" in title
    assert "tax_revenue" in text and "budget_revenue" in text      # numerator and denominator named


def test_kpi_change_that_rounds_to_zero_is_neutral_not_an_alarm():
    from types import SimpleNamespace

    from plotly.io.json import to_json_plotly

    from components.common import kpi_card

    ind = {"id": "gdp_growth", "decimals": 1, "unit": "%", "rollup": "growth", "direction": "up",
           "definition_zh": "", "department": "", "target_value": None}
    row = {"indicator": "gdp_growth", "name": "增速", "value": 5.41, "previous_value": 5.43, "year_ago_value": 5.1,
           "target_value": None, "period": None, "status": "ok", "spark": [5.1, 5.43, 5.41]}
    c = SimpleNamespace(state=SimpleNamespace(region=None), lang="zh")
    text = to_json_plotly(kpi_card(row, ind, c))
    assert "环比 ±0.0 pt" in text and "-0.0" not in text      # 5.41 vs 5.43: no change at one decimal
    assert "同比 +0.3 pt" in text
