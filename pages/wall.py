"""轮播大屏: cycles through screens for unattended displays. The browser keeps the
clock (assets/cockpit.js): every `dwell` seconds it bumps `wall-tick`, unless
someone touched the screen recently or the server is away; the server answers
with the next page, drawn, inside this frame, so the URL, the kiosk state and
the last good picture all stay put."""
from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components import context
from components.shell import PAGES, Page, filled, register_page, split_href

KEY = "wall"


def _pages(state) -> list[str]:
    s = context.settings()
    return [p for p in (state.pages or s.wall_pages) if p in PAGES and p != KEY] or ["overview"]


def layout(state):
    pages = _pages(state)
    dwell = state.dwell or context.settings().wall_dwell_seconds
    return html.Div([
        dcc.Store(id="wall-tick", data=0),
        html.Div(PAGES[pages[0]].layout(state), id="wall-slot", className="wall-slot",
                 **{"data-page": pages[0]}),
    ], id="wall", className="wall", **{"data-pages": ",".join(pages), "data-dwell": dwell})


@callback(Output("wall-slot", "children"), Output("wall-slot", "data-page"),
          Input("wall-tick", "data"), State("url", "href"), State("snap", "data"), prevent_initial_call=True)
def advance(tick, href, snap):
    search = split_href(href)[1]
    state = context.read_state(search, pages=tuple(PAGES))
    pages = _pages(state)
    if not tick:
        raise PreventUpdate
    key = pages[int(tick) % len(pages)]
    return filled(PAGES[key].layout(state), search, snap), key


register_page(Page(KEY, "/wall", layout, nav=False))
