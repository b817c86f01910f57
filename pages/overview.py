"""综合态势: headline KPIs of every domain against targets, the region map by a
selectable indicator, live alerts, target achievement and data age."""
from __future__ import annotations

from dash import html

from components import common
from components.panels import box, register
from components.shell import Page, register_page

KEY = "overview"
DEFAULT = "gdp"

PANELS = register(
    common.kpi_panel("overview-kpis", KEY, limit=10),
    common.map_panel("overview-map", KEY, DEFAULT),
    common.alerts_panel("overview-alerts"),
    common.targets_panel("overview-targets"),
)


def layout(state):
    kpis, map_, alerts, targets = (box(p, state.lang) for p in PANELS)
    return html.Div([kpis, html.Div(id={"type": "picker-slot", "page": KEY}, className="picker-slot"), map_,
                     alerts, targets], className=f"grid grid-{KEY}")


register_page(Page(KEY, "/", layout, default_indicator=DEFAULT))
