"""Panels: the boxes every screen is made of, declared once and registered by id.

A panel names a data function (ctx -> DataFrame, through queries/ only), a
renderer (DataFrame, ctx -> figure or Dash component) and a title. The same data
function feeds the screen and the CSV/XLSX export, so an exported file always
holds exactly the rows behind the chart. Three generic callbacks (in
components/shell.py) fill every panel on every page.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from dash import dcc, html

from components.i18n import t
from components.markup import markup

REGISTRY: dict[str, "Panel"] = {}

# plotly geo traces fetch a world topojson (<topojsonURL>world_110m.json) even
# when it is not drawn; ours is served (app.py) at a URL that names its
# content, so a browser keeps it for good and a reload costs nothing.
TOPOJSON_FILE = Path(__file__).resolve().parent.parent / "assets" / "topojson" / "world_110m.json"
TOPOJSON_VERSION = hashlib.blake2b(TOPOJSON_FILE.read_bytes(), digest_size=6).hexdigest()
TOPOJSON_URL = f"/geo/world/{TOPOJSON_VERSION}/"

GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "topojsonURL": TOPOJSON_URL,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
    "toImageButtonOptions": {"format": "png", "scale": 2, "width": 1920, "height": 1080},
}


@dataclass(frozen=True)
class Panel:
    id: str
    title: Callable[[Any], str]                 # ctx -> title text
    data: Callable[[Any], pd.DataFrame]         # ctx -> the rows behind the panel
    render: Callable[[pd.DataFrame, Any], Any]  # (rows, ctx) -> go.Figure | Dash component
    kind: str = "graph"                         # graph | html
    area: str = ""                              # CSS grid area
    drill: bool = False                         # a click on a region drills down
    map: bool = False                           # offers the standalone HTML map
    exportable: bool = True


def register(*panels: Panel) -> list[Panel]:
    for p in panels:
        if p.id in REGISTRY and REGISTRY[p.id] is not p:
            raise ValueError(f"duplicate panel id {p.id!r}")
        REGISTRY[p.id] = p
    return list(panels)


def box(p: Panel, lang: str) -> html.Section:
    """The empty skeleton of a panel: `shell.filled` draws title and body into
    it, and the panel callbacks redraw them for a new view or snapshot."""
    tools = []
    if p.exportable:
        if p.kind == "graph":
            tools += [html.Button(fmt.upper(), className="export-img", title=f"{t('export', lang)} {fmt.upper()}",
                                  **{"data-panel": p.id, "data-format": fmt}) for fmt in ("png", "svg")]
        tools += [html.A(fmt.upper(), className="export-link", href=f"/export/{p.id}.{fmt}", download="",
                         title=f"{t('export', lang)} {fmt.upper()}", **{"data-panel": p.id, "data-format": fmt})
                  for fmt in ("csv", "xlsx")]
        if p.map:
            tools.append(html.A("HTML", className="export-link", href=f"/export/{p.id}.html", download="",
                                title=t("export", lang) + " HTML", **{"data-panel": p.id, "data-format": "html"}))
    if p.kind == "graph":
        body = dcc.Graph(id={"type": "graph", "panel": p.id}, config=GRAPH_CONFIG, className="panel-graph",
                         responsive=True)
    else:
        body = html.Div(id={"type": "html", "panel": p.id}, className="panel-html")
    return html.Section([
        html.Header([html.H3(id={"type": f"title-{p.kind}", "panel": p.id}, className="panel-title"),
                     html.Div(markup(tools), className="panel-tools")], className="panel-head"),
        html.Div(body, className="panel-body"),
    ], className=f"panel panel-{p.kind} {p.area}".strip(), id=f"panel-{p.id}")
