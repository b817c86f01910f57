"""components/markup.py: static blocks drawn as escaped HTML, or left to Dash."""
import json

import pytest
from dash import dash_table, dcc, html
from plotly.io.json import to_json_plotly

from components.markup import NAMESPACE, Markup, NotMarkup, markup, markup_json, to_html


def test_elements_and_their_attributes():
    tree = html.Table([html.Tbody(html.Tr([
        html.Td("北京", className="name", title="市辖区", colSpan=2, **{"data-adcode": 110000}),
        html.Td(html.Img(src="data:image/svg+xml,%3Csvg%3E", alt=""), style={"width": "62%", "fontSize": 12}),
    ]))])
    assert to_html(tree) == (
        '<table><tbody><tr><td class="name" colspan="2" title="市辖区" data-adcode="110000">北京</td>'
        '<td style="width:62%;font-size:12px"><img alt="" src="data:image/svg+xml,%3Csvg%3E"></td></tr></tbody></table>')


def test_text_and_attributes_are_escaped():
    tree = html.Div(['<script>alert(1)</script> & ', html.Span("x", title='say "hi" <b>')])
    assert to_html(tree) == ('<div>&lt;script&gt;alert(1)&lt;/script&gt; &amp; '
                             '<span title="say &quot;hi&quot; &lt;b&gt;">x</span></div>')


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                                  "vbscript:x", "data:text/html,<b>"])
def test_script_urls_go_nowhere(href):
    assert to_html(html.A("x", href=href)) == '<a href="about:blank">x</a>'


def test_links_move_within_the_page_unless_told_to_reload():
    assert to_html(dcc.Link("经济运行", href="/economy?region=370200", className="nav-link")) == (
        '<a data-dash-link="" href="/economy?region=370200" class="nav-link">经济运行</a>')
    assert to_html(dcc.Link("x", href="/", refresh=True)) == '<a href="/">x</a>'


def test_what_react_draws_nothing_for_is_nothing():
    assert to_html(html.Div([None, True, False, 0, 1.5, ["a", ["b"]]])) == "<div>01.5ab</div>"
    assert to_html(html.Br()) == "<br>"
    assert to_html([]) == ""


def test_a_component_and_its_json_draw_the_same():
    tree = html.Ul([html.Li([html.Span("告警", className="badge"), dcc.Link("青岛市", href="/?region=370200")],
                            **{"aria-label": "告警"}) for _ in range(3)])
    assert to_html(tree) == to_html(json.loads(to_json_plotly(tree)))


@pytest.mark.parametrize("tree", [
    dcc.Graph(figure={}),
    dash_table.DataTable(data=[{"a": 1}]),
    html.Div([html.Span("x"), dcc.Dropdown(options=["a"])]),
    html.Div(id={"type": "html", "panel": "x"}),     # a dict id is a callback's
    html.Button("x", n_clicks=0, autoFocus="true"),  # a prop markup does not draw
    {"not": "a component"},
])
def test_what_only_dash_can_draw_is_not_markup(tree):
    with pytest.raises(NotMarkup):
        to_html(tree)
    as_json = json.loads(to_json_plotly(tree))
    assert markup_json(as_json) == as_json                  # the render keeps the Dash tree


def test_markup_json_is_what_dash_sends_for_a_markup_component():
    tree = html.Div("x", className="kpi")
    assert markup_json(json.loads(to_json_plotly(tree))) == json.loads(to_json_plotly(markup(tree)))
    assert markup(tree).to_plotly_json() == {
        "type": "Markup", "namespace": NAMESPACE, "props": {"html": '<div class="kpi">x</div>', "className": "markup"}}


def test_markup_takes_only_its_props():
    with pytest.raises(TypeError):
        Markup(html="", children="x")
