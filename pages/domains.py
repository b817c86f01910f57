"""The four domain screens, declared as data and registered in a loop: each has
KPI cards, a trend with year-on-year and target, a ranking of the regions one
level down, a drill-down map and its domain's alerts. Domain-specific panels
(event points, node topology, flows) are added per screen in `EXTRA`."""
from __future__ import annotations

from dataclasses import dataclass

from dash import html

from components import common
from components.panels import Panel, box, register
from components.shell import Page, register_page


@dataclass(frozen=True)
class Screen:
    key: str
    path: str
    domain: str
    default: str            # the indicator the map, trend and ranking show first
    # Common panels this screen leaves out because its own panels say it better.
    omit: tuple[str, ...] = ()


SCREENS = (
    Screen("economy", "/economy", "economy", "gdp"),
    Screen("emergency", "/emergency", "emergency", "events_open", omit=("trend", "rank")),
    Screen("cloud", "/cloud", "cloud", "vcpu_util", omit=("trend", "rank")),
    Screen("sharing", "/sharing", "sharing", "api_success_rate", omit=("trend", "rank")),
)

# Extra panels per screen, appended after the common ones. pages/<key>_panels.py
# fills EXTRA[<key>] (imported below, before the layouts are first drawn) and
# places them with its own grid in assets/<key>.css.
EXTRA: dict[str, list[Panel]] = {}


def _make(s: Screen):
    common_panels = {
        "kpis": common.kpi_panel(f"{s.key}-kpis", s.key),
        "map": common.map_panel(f"{s.key}-map", s.key, s.default),
        "trend": common.trend_panel(f"{s.key}-trend", s.key, s.default),
        "rank": common.ranking_panel(f"{s.key}-rank", s.key, s.default),
        "alerts": common.alerts_panel(f"{s.key}-alerts", domain=s.domain),
    }
    panels = register(*(p for name, p in common_panels.items() if name not in s.omit))

    def layout(state):
        boxes = [box(p, state.lang) for p in panels]
        extra = [box(p, state.lang) for p in EXTRA.get(s.key, [])]
        return html.Div([boxes[0], html.Div(id={"type": "picker-slot", "page": s.key}, className="picker-slot"),
                         *boxes[1:], *extra], className=f"grid grid-domain grid-{s.key}")

    register_page(Page(s.key, s.path, layout, default_indicator=s.default))


for _s in SCREENS:
    _make(_s)

from pages import cloud_panels, emergency_panels, sharing_panels  # noqa: E402,F401  (fill EXTRA)
