"""Static parts of a screen sent as HTML, parsed by the browser, not as Dash components.

A Dash component costs the browser far more than the element it draws: each
gets a wrapper that re-reads the store on every state change while the page
boots. A screen's tables, alert lists, KPI cards, export buttons and nav were
three quarters of its ~430 components and about a third of the time from
layout to first chart (bench/README.md, "Pages"). None of them has a callback
listening to it, so they are drawn here as markup: one `Markup` component per
block, whose HTML the browser's own parser builds.

The builders still return Dash components (their tests read them as such);
`markup()` converts a finished tree. It knows the html.* elements and
dcc.Link (drawn as `<a data-dash-link>`, which assets/cockpit.js routes in the
page as dcc.Link does) and escapes every text and attribute; anything else (a
DataTable, a component with callbacks) raises NotMarkup and the caller keeps
the Dash tree.
"""
from __future__ import annotations

import re
from html import escape
from typing import Any

from dash.development.base_component import Component

NAMESPACE = "cockpit_components"   # window.cockpit_components in assets/cockpit.js


class Markup(Component):
    """A block of trusted HTML (made by `to_html`, which escapes what it is
    given). Renders one `<div class="markup">`, laid out as its contents
    (`display: contents`)."""
    _namespace = NAMESPACE
    _type = "Markup"
    _prop_names = ["id", "className", "html"]
    _valid_wildcard_attributes: list[str] = []
    available_properties = ["id", "className", "html"]
    available_wildcard_properties: list[str] = []
    _children_props: list[str] = []
    _base_nodes = ["children"]

    def __init__(self, html: str = "", className: str = "markup", **kwargs):
        super().__init__(html=html, className=className, **kwargs)


class NotMarkup(ValueError):
    """The tree holds something only Dash can draw."""


HTML_NS, DCC_NS = "dash_html_components", "dash_core_components"
# html.* elements met in static blocks; their tag is the type in lower case.
TAGS = {"Div", "Span", "P", "A", "Img", "Ul", "Ol", "Li", "Dl", "Dt", "Dd", "Table", "Thead", "Tbody", "Tfoot",
        "Tr", "Th", "Td", "Caption", "Col", "Colgroup", "Section", "Header", "Footer", "Nav", "Strong", "Em", "B",
        "I", "Small", "Sup", "Sub", "Br", "Hr", "Abbr", "Time", "Code", "Pre", "H1", "H2", "H3", "H4", "H5", "H6",
        "Label", "Button", "Meter", "Progress"}
VOID = {"img", "br", "hr", "col"}
ATTRS = {"className": "class", "htmlFor": "for", "colSpan": "colspan", "rowSpan": "rowspan", "tabIndex": "tabindex",
         "accessKey": "accesskey", "title": "title", "href": "href", "src": "src", "alt": "alt", "role": "role",
         "width": "width", "height": "height", "target": "target", "rel": "rel", "download": "download",
         "lang": "lang", "dir": "dir", "hidden": "hidden", "id": "id", "scope": "scope", "dateTime": "datetime",
         "value": "value", "min": "min", "max": "max", "low": "low", "high": "high", "optimum": "optimum",
         "span": "span", "headers": "headers", "loading": "loading", "decoding": "decoding", "type": "type",
         "disabled": "disabled"}
# Props Dash sets or React keeps for itself, never drawn as attributes.
IGNORED = {"children", "key", "n_clicks", "n_clicks_timestamp", "disable_n_clicks", "loading_state"}
# CSS properties React writes without "px" when given a number.
UNITLESS = {"opacity", "zIndex", "fontWeight", "lineHeight", "flex", "flexGrow", "flexShrink", "order", "zoom",
            "gridRow", "gridColumn", "columnCount", "orphans", "widows", "tabSize", "fillOpacity",
            "strokeOpacity", "strokeWidth"}
URL_ATTRS = {"href", "src"}
# What Dash's own sanitizeUrl refuses: script URLs, however spelled.
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def markup(tree: Any) -> Markup:
    """`tree` (a Dash component, its JSON, a list of them or text) as one
    Markup; NotMarkup when it holds anything `to_html` cannot draw."""
    return Markup(html=to_html(tree))


def markup_json(tree: Any) -> Any:
    """The JSON of `markup(tree)`, or `tree` unchanged when it cannot be
    markup: what a cached render holds."""
    try:
        return markup(tree).to_plotly_json()
    except NotMarkup:
        return tree


def to_html(node: Any) -> str:
    out: list[str] = []
    _write(node, out)
    return "".join(out)


def _write(node: Any, out: list[str]) -> None:
    if node is None or isinstance(node, bool):
        return                      # React draws neither
    if isinstance(node, (list, tuple)):
        for x in node:
            _write(x, out)
        return
    if isinstance(node, str):
        out.append(escape(node, quote=False))
        return
    if isinstance(node, (int, float)):
        out.append(escape(str(node), quote=False))
        return
    if isinstance(node, Component):
        node = node.to_plotly_json()
    if not (isinstance(node, dict) and "type" in node and "namespace" in node):
        raise NotMarkup(f"not a component: {type(node).__name__}")
    kind, ns, props = node["type"], node["namespace"], dict(node.get("props") or {})
    attrs: dict[str, Any] = {}
    if ns == HTML_NS and kind in TAGS:
        tag = kind.lower()
    elif ns == DCC_NS and kind == "Link":
        tag = "a"
        if not props.pop("refresh", False):
            attrs["data-dash-link"] = ""
    else:
        raise NotMarkup(f"{ns}.{kind} has no markup form")
    for name, value in props.items():
        if name in IGNORED or value is None:
            continue
        if name.startswith(("data-", "aria-")):
            attrs[name] = value
        elif name == "style":
            attrs["style"] = _style(value)
        elif name in ATTRS:
            if name == "id" and not isinstance(value, str):
                raise NotMarkup("a dict id belongs to a callback")
            attrs[ATTRS[name]] = value
        else:
            raise NotMarkup(f"{ns}.{kind}.{name} has no markup form")
    out.append("<" + tag)
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(" " + name)
            continue
        value = str(value)
        if name in URL_ATTRS and SCRIPT_URL.match(CONTROL.sub("", value)):
            value = "about:blank"
        out.append(f' {name}="{escape(value, quote=True)}"')
    out.append(">")
    if tag in VOID:
        return
    _write(props.get("children"), out)
    out.append(f"</{tag}>")


def _style(style: Any) -> str:
    if isinstance(style, str):
        return style
    if not isinstance(style, dict):
        raise NotMarkup(f"style {style!r}")
    parts = []
    for key, value in style.items():
        if value is None or value == "":
            continue
        prop = key if key.startswith("--") else re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key not in UNITLESS and value != 0:
            value = f"{value}px"
        parts.append(f"{prop}:{value}")
    return ";".join(parts)
