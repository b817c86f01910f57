"""The frame around every screen and the generic callbacks that fill it.

Routing is ours, not dash.pages': Dash's page container re-renders the whole
page whenever the query string changes, which would redraw every chart on each
drill-down. Here a page is rendered only when the path (or language, kiosk,
theme) changes, and it comes with its panels drawn (`filled`); a region or
period change reaches the panels through the `view` store, and a new snapshot
through the `snap` store, and each panel updates in place.

Panels are drawn into the page, not by their callbacks at load, because every
callback answer makes the Dash renderer run every component's selector again
(several store changes per answer, 390-640 components per screen): the eleven
panel answers of a screen were most of its empty-cache load (bench/README.md).
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import flask
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly
from dash import ALL, MATCH, Input, Output, Patch, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from components import context
from components.i18n import t
from components.markup import markup, markup_json
from components.panels import REGISTRY
from components.state import ViewState
from queries.database import NoSnapshot

log = logging.getLogger("cockpit.render")


@dataclass(frozen=True)
class Page:
    key: str
    path: str
    layout: Callable[[ViewState], object]   # state -> skeleton (cheap: no queries)
    nav: bool = True
    default_indicator: str | None = None     # map/trend indicator when the URL names none
    # Titles come from components/i18n.py as page_<key>.


PAGES: dict[str, Page] = {}


def register_page(page: Page) -> Page:
    PAGES[page.key] = page
    return page


def page_for(pathname: str | None) -> Page | None:
    path = (pathname or "/").rstrip("/") or "/"
    return next((p for p in PAGES.values() if p.path == path), None)


def app_layout():
    """The frame, evaluated per layout request, with the page the browser opened
    already in it, panels drawn.

    Dash asks for the layout from the page itself, so the request's Referer is
    the URL being opened: the page comes with the frame (`route`, finding its
    key already set, does nothing), and so do `view` and `shown`, so neither a
    panel callback nor `chrome` (nav, breadcrumb, drawn here too) runs at load. Without a Referer (a browser told to send none) the frame
    comes empty and `route` fills it, one round trip later. A Referer cut to
    the origin (a proxy's `Referrer-Policy: origin`) brings the wrong page,
    which `route` and `view` then replace: slower, never wrong.
    """
    s = context.settings()
    try:
        snap = context.database().snapshot_id()
    except NoSnapshot:
        snap = ""
    opened = _opened_href()
    page, key, classes = _routed(opened, snap=snap) if opened else (None, None, "cockpit")
    drawn = None
    if opened:
        try:
            drawn = _chrome(opened, snap)
        except Exception:  # noqa: BLE001 - the page still comes; `chrome` draws it, or says what fails
            log.exception("drawing the frame for %s into the layout failed", opened)
    chrome_of = dict(zip(CHROME, drawn or (None,) * len(CHROME)))
    return html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        dcc.Store(id="snap", data=snap),
        dcc.Store(id="router-key", data=key),
        dcc.Store(id="view", data=split_href(opened)[1] if opened else None),
        dcc.Store(id="shown", data="".join(split_href(opened)) if drawn else None),
        html.Header([
            html.Div([html.Span("一网统管", className="brand-mark"),
                      html.Span(chrome_of["brand-title"], id="brand-title")], className="brand"),
            html.Nav(chrome_of["nav"], id="nav", className="nav"),
            html.Div([
                html.Span(chrome_of["demo-badge"], id="demo-badge", className="badge badge-demo"),
                html.Span(id="age-badge", className="badge badge-age"),
                html.Span(id="offline-badge", className="badge badge-offline"),
            ], className="badges"),
        ], className="topbar"),
        html.Div([html.Nav(chrome_of["breadcrumb"], id="breadcrumb", className="breadcrumb"),
                  html.Div(chrome_of["messages"], id="messages", className="messages")], className="subbar"),
        html.Main(page, id="page", className="page"),
    ], id="cockpit", className=classes,
        **{"data-snapshot": snap, "data-poll": s.poll_seconds, "data-stale-after": s.stale_after_seconds})


def split_href(href: str | None) -> tuple[str, str]:
    """(path, "?query") of the browser's URL. Callbacks listen to `url.href` only:
    dcc.Location updates pathname/search/href in steps, and a callback on two of
    them runs twice per navigation, letting a stale answer land last."""
    parts = urlsplit(href or "/")
    return parts.path or "/", ("?" + parts.query) if parts.query else ""


def _state(search):
    return context.read_state(search, pages=tuple(PAGES))


@callback(Output("page", "children"), Output("router-key", "data"), Output("cockpit", "className"),
          Input("url", "href"), State("router-key", "data"), State("snap", "data"))
def route(href, key, snap):
    routed = _routed(href, shown=key, snap=snap)
    if routed is None:
        raise PreventUpdate
    return routed


# What the page shows, written only by the browser and only when it changed:
# `view`, the query string the panels show, and `shown`, the path and query
# string the frame's chrome (nav, breadcrumb, messages) shows. dcc.Location
# sets `href` when it mounts, and a callback on `href` would draw again
# everything the page came with. A new page comes drawn from `route`; the
# panels of the page being left may redraw for the new query string
# meanwhile, which only costs a render.
clientside_callback(
    """function (href, view, shown) {
        var u = new URL(href), no = window.dash_clientside.no_update;
        return [u.search === view ? no : u.search, u.pathname + u.search === shown ? no : u.pathname + u.search];
    }""",
    Output("view", "data"), Output("shown", "data"), Input("url", "href"), State("view", "data"), State("shown", "data"))


def _routed(href: str, shown: list | None = None, snap: str | None = None):
    """The page for `href` with its panels drawn from snapshot `snap`, the key
    that says which page is shown (a query-string change within it reaches the
    panels, not this), and the frame's classes; None, before any page is
    built, when `shown` is already that key (every drill-down within a page)."""
    pathname, search = split_href(href)
    state = _state(search)
    page = page_for(pathname)
    key = [pathname, state.lang, state.kiosk, state.theme, state.fit]
    if key == shown:
        return None
    kiosk = state.kiosk or (page is not None and page.key == "wall")
    classes = " ".join(c for c in ("cockpit", f"theme-{state.theme}", "kiosk" if kiosk else "",
                                   f"fit-{state.fit}", f"page-{page.key}" if page else "page-missing") if c)
    if page is None:
        return html.Div(t("not_found", state.lang, path=pathname), className="message error big"), key, classes
    return filled(page.layout(state), search, snap), key, classes


def filled(layout, search: str, snap: str | None):
    """A page skeleton with its panels, titles and indicator pickers drawn for
    the query string `search` from snapshot `snap` (the current one when
    unset or pruned), exactly as their callbacks would draw them. A panel that
    fails says so in its title and leaves the others drawn."""
    nodes = [n for n in ([layout, *layout._traverse()] if isinstance(layout, Component) else [])
             if isinstance(getattr(n, "id", None), dict)]
    try:
        c = _ctx_for(search, snap)
    except NoSnapshot as e:
        for n in nodes:
            if n.id.get("type", "").startswith("title-"):
                n.children = str(e)
        return layout
    done: dict[str, tuple] = {}
    for n in nodes:
        kind, pid = n.id.get("type"), n.id.get("panel")
        if kind == "picker-slot":
            page = PAGES.get(n.id.get("page"))
            if page is not None and page.default_indicator:
                from components.common import indicator_picker

                try:
                    n.children = indicator_picker(page.key, page.default_indicator, c)
                except Exception:  # noqa: BLE001 - as for a panel: the page still comes
                    log.exception("drawing the indicator picker of %s into the page failed", page.key)
            continue
        panel = REGISTRY.get(pid)
        if panel is None or kind not in ("graph", "html", "title-graph", "title-html"):
            continue
        if pid not in done:
            try:
                done[pid] = _rendered(panel, c)
            except Exception:  # noqa: BLE001 - one broken panel must not take the page down
                log.exception("drawing %s into the page failed", pid)
                done[pid] = (None, t("panel_failed", c.lang), None)
        out, title, _ = done[pid]
        if kind.startswith("title-"):
            n.children = title
        elif out is not None and kind == "graph":
            n.figure, n.className = out, f"panel-graph drawn from-{c.snapshot}"
        elif out is not None:
            n.children = out
    return layout


def _opened_href() -> str | None:
    """The URL the browser opened: a layout request's Referer. Only its path and
    query are read, so a proxy that rewrites the Host header changes nothing."""
    if not flask.has_request_context():
        return None
    return flask.request.referrer or None


# The frame around the page, drawn for the URL into the layout (app_layout)
# and again when the browser shows another URL or a new snapshot arrives.
CHROME = ("nav", "breadcrumb", "messages", "brand-title", "demo-badge")


@callback(*(Output(c, "children") for c in CHROME), Input("shown", "data"), Input("snap", "data"),
          State("url", "href"), prevent_initial_call=True)
def chrome(shown, snap, href):
    return _chrome(href, snap)


def _chrome(href, snap):
    pathname, search = split_href(href)
    state = _state(search)
    root = context.settings().root_adcode
    current = page_for(pathname)
    keep = state.with_(indicator=None, region=state.region)
    nav = [dcc.Link(t(f"page_{p.key}", state.lang), href=p.path + keep.query(root),
                    className="nav-link active" if current is p else "nav-link")
           for p in PAGES.values() if p.nav]
    lang_other = "en" if state.lang == "zh" else "zh"
    nav.append(dcc.Link("EN" if state.lang == "zh" else "中文",
                        href=(pathname or "/") + state.with_(lang=lang_other).query(root), className="nav-link lang"))
    messages = [html.Div(t("bad_param", state.lang, msg=e), className="message error") for e in state.errors]
    crumbs, demo = [], ""
    try:
        db = context.database()
        path = db.execute("region_path", adcode=state.region, snapshot=snap or None)
        for i, r in enumerate(path.itertuples()):
            if i:
                crumbs.append(html.Span("›", className="crumb-sep"))
            crumbs.append(dcc.Link(r.name, href=(pathname or "/") + state.with_(region=int(r.adcode)).query(root),
                                   className="crumb" + (" current" if i == len(path) - 1 else "")))
        demo = t("demo", state.lang) if db.meta(snapshot=snap or None).get("demo") else ""
    except NoSnapshot:
        messages.append(html.Div(t("no_snapshot", state.lang), className="message error"))
    return markup(nav), markup(crumbs), markup(messages), t("app_title", state.lang), demo


def _ctx_for(search, snap) -> context.Ctx:
    db = context.database()
    current = db.snapshot_id()
    # A store naming a snapshot that has since been pruned falls back to the current one.
    use = snap if snap and db.store.path(snap).exists() else current
    return context.Ctx(state=_state(search), snapshot=use)


# The form a cached render takes; a release that changes it changes this, so
# renders cached by the one before (the cache outlives a restart) are not reused.
RENDER_FORM = "markup-1"


def _render_key(snapshot: str, panel, c: context.Ctx) -> str:
    view = c.state.panel_view().query(context.settings().root_adcode)
    key = f"{RENDER_FORM}|{snapshot}|{panel.id}|{view}"
    return "panel:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


# Striped locks: threads of a worker asking for the same render while it is
# being computed (a wall of displays right after a new snapshot) wait for it
# instead of computing it again.
_RENDER_LOCKS = [threading.Lock() for _ in range(64)]


def _rendered(panel, c: context.Ctx):
    """(output, title, trace digests) of a panel for a view of a snapshot,
    computed once and shared: a hundred walls showing the same screen cost one
    render per snapshot. The digests let a refresh send only the traces that
    changed."""
    cache = context.database().cache
    if cache is None:
        return _render(panel, c)
    key = _render_key(c.snapshot, panel, c)
    hit = cache.get(key)
    if hit is not None:
        return hit
    with _RENDER_LOCKS[hash(key) % len(_RENDER_LOCKS)]:
        hit = cache.get(key)
        if hit is not None:
            return hit
        t0 = time.perf_counter()
        result = _render(panel, c)
        cache.set(key, result)
    # One line per computed render: how a new snapshot's cost shows in the log.
    log.info("rendered %s view=%s for snapshot %s in %.0f ms", panel.id,
             c.state.panel_view().query(context.settings().root_adcode) or "?", c.snapshot,
             1000 * (time.perf_counter() - t0))
    return result


def _render(panel, c: context.Ctx):
    # Renders are cached as plain JSON data, never as plotly or Dash objects:
    # unpickling a go.Figure validates it again, tens of ms per figure on every
    # cache hit (a KPI strip holds eight), which was most of a wall's poll cost.
    out = json.loads(to_json_plotly(panel.render(panel.data(c), c)))
    if panel.kind == "html":
        out = markup_json(out)
    digests = None
    if panel.kind == "graph":
        digests = tuple(hashlib.blake2b(json.dumps(tr, sort_keys=True).encode(), digest_size=12).hexdigest()
                        for tr in out["data"])
    return out, panel.title(c), digests


def _drawn_snapshot(class_name: str | None) -> str | None:
    """The snapshot a graph was last drawn from, kept in its className: the
    browser knows what it shows; the server keeps no per-client state."""
    tokens = (class_name or "").split()
    if "drawn" not in tokens:
        return None
    return next((x[len("from-"):] for x in tokens if x.startswith("from-")), "")


def _trace_patch(panel, c: context.Ctx, drawn: str, fig: dict, digests):
    """A Patch carrying only the traces that differ, position by position, from
    the drawn snapshot's render (every trace when that render is gone);
    no_update when nothing changed. Builders put layers that rarely change
    (boundaries, resources) first, so a varying number of event traces at the
    end leaves them in place."""
    cache = context.database().cache
    old = cache.get(_render_key(drawn, panel, c)) if cache is not None and drawn else None
    patch = Patch()
    if old is None or old[2] is None:
        patch["data"] = fig["data"]
        return patch
    before, now = old[2], digests
    changed = [i for i, (a, b) in enumerate(zip(before, now)) if a != b]
    if not changed and len(before) == len(now):
        return no_update
    for i in changed:
        patch["data"][i] = fig["data"][i]
    if len(now) > len(before):
        patch["data"].extend(fig["data"][len(before):])
    for i in reversed(range(len(now), len(before))):
        del patch["data"][i]
    return patch


def _panel_output(kind: str):
    pid = ctx.outputs_list[0]["id"]["panel"]
    panel = REGISTRY.get(pid)
    if panel is None or panel.kind != kind:
        raise PreventUpdate
    return panel


@callback(Output({"type": "graph", "panel": MATCH}, "figure"), Output({"type": "title-graph", "panel": MATCH}, "children"),
          Output({"type": "graph", "panel": MATCH}, "clickData"), Output({"type": "graph", "panel": MATCH}, "className"),
          Input("view", "data"), Input("snap", "data"), State({"type": "graph", "panel": MATCH}, "className"),
          prevent_initial_call=True)
def fill_graph(search, snap, drawn_class):
    """A panel's chart again, for a new query string or a new snapshot (a page
    comes with its panels drawn: `filled`)."""
    panel = _panel_output("graph")
    try:
        c = _ctx_for(search, snap)
        fig, title, digests = _rendered(panel, c)
    except NoSnapshot as e:
        return go.Figure(), str(e), None, no_update
    drawn_as = f"panel-graph drawn from-{c.snapshot}"
    # New snapshot, same view, graph already drawn: send the traces that
    # changed only; the layout (and the map's boundaries, fetched once by URL)
    # stay where they are.
    drawn = _drawn_snapshot(drawn_class)
    if set(ctx.triggered_prop_ids) == {"snap.data"} and drawn is not None:
        return _trace_patch(panel, c, drawn, fig, digests), title, no_update, drawn_as
    return fig, title, None, drawn_as


@callback(Output({"type": "html", "panel": MATCH}, "children"),
          Output({"type": "title-html", "panel": MATCH}, "children"),
          Input("view", "data"), Input("snap", "data"), prevent_initial_call=True)
def fill_html(search, snap):
    panel = _panel_output("html")
    try:
        c = _ctx_for(search, snap)
        return _rendered(panel, c)[:2]
    except NoSnapshot as e:
        return html.Div(str(e), className="message error"), ""


@callback(Output("url", "search"), Input({"type": "graph", "panel": ALL}, "clickData"),
          Input({"type": "indicator-picker", "page": ALL}, "value"), State("url", "href"),
          prevent_initial_call=True)
def navigate(clicks, picked, href):
    """Map/ranking clicks drill down; the indicator picker switches indicator.
    Both only rewrite the query string: the panels follow."""
    trig = ctx.triggered_id
    if not trig:
        raise PreventUpdate
    state = _state(split_href(href)[1])
    root = context.settings().root_adcode
    value = ctx.triggered[0]["value"]
    if trig.get("type") == "indicator-picker":
        page = PAGES.get(trig.get("page"))
        # A re-drawn picker reports its current value: not a choice.
        if not value or value == (state.indicator or (page.default_indicator if page else None)):
            raise PreventUpdate
        return state.with_(indicator=value).query(root) or "?"
    panel = REGISTRY.get(trig.get("panel"))
    if panel is None or not panel.drill or not value or not value.get("points"):
        raise PreventUpdate
    point = value["points"][0]
    code = point.get("location") or point.get("customdata")
    if isinstance(code, list):
        code = code[0]
    try:
        code = int(code)
    except (TypeError, ValueError):
        raise PreventUpdate from None
    if code == state.region or not context.region_exists(context.database(), code):
        raise PreventUpdate
    return state.with_(region=code).query(root) or "?"


@callback(Output({"type": "picker-slot", "page": MATCH}, "children"), Input("view", "data"), Input("snap", "data"),
          prevent_initial_call=True)
def picker(search, snap):
    from components.common import indicator_picker

    key = ctx.outputs_list["id"]["page"]
    page = PAGES.get(key)
    if page is None or not page.default_indicator:
        raise PreventUpdate
    try:
        return indicator_picker(key, page.default_indicator, _ctx_for(search, snap))
    except NoSnapshot:
        return None
