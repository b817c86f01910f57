"""bench.common.DRAWN, the moment bench.pages stops the clock: every graph holds
a cockpit figure and every map has drawn its regions, not just one of them."""
from __future__ import annotations

import pytest

from bench.common import DRAWN

pytestmark = pytest.mark.browser


def test_drawn_waits_for_every_map_and_then_holds(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    held = []
    # /emergency has two maps: the city map draws, the events map waits for the
    # county boundaries, which are held back here.
    ctx.route("**/county.geojson*", lambda route: held.append(route))
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/emergency")
        page.wait_for_function("document.querySelectorAll('.choroplethlocation').length > 0", timeout=30_000)
        page.wait_for_function("() => [...document.querySelectorAll('.panel-body > .panel-graph .js-plotly-plot')]"
                               ".filter(x => x._fullData && x._fullData.length).length >= 5", timeout=30_000)
        assert held, "the county boundaries were never asked for"
        assert page.evaluate(DRAWN) is False
        for route in held:
            route.continue_()
        page.wait_for_function(DRAWN, timeout=30_000)
        maps = page.evaluate("""() => [...document.querySelectorAll('.panel-body > .panel-graph .js-plotly-plot')]
            .filter(x => x._fullData.some(t => t.type === 'choropleth'))
            .map(x => x.querySelectorAll('.choroplethlocation').length)""")
        assert len(maps) == 2 and all(n > 0 for n in maps), maps
    finally:
        ctx.close()


def test_drawn_is_false_on_a_blank_graph(browser, live_server):
    """A dcc.Graph with no figure yet draws plotly's blank one: not drawn."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    ctx.route("**/_dash-update-component*", lambda route: None)     # no panel is ever filled
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/cloud")
        page.wait_for_function("document.querySelectorAll('.panel-body > .panel-graph .js-plotly-plot .main-svg')"
                               ".length >= 5", timeout=30_000)
        assert page.evaluate(DRAWN) is False
    finally:
        ctx.close()
