"""A page comes drawn with its layout: no panel callback, and not the frame's
`chrome` either, runs when it loads,
and a layout request that does not name the page opened (no Referer, or one
cut to the origin by a proxy's referrer policy) still ends on that page, drawn
for its query string."""
from __future__ import annotations

import json

import pytest

from bench.common import DRAWN
from tests.live import PageWatch

pytestmark = pytest.mark.browser

PANEL_OUTPUTS = ('"type":"graph"', '"type":"html"', '"type":"title-', '"type":"picker-slot"')
# Every region a drawn map shows, as plotly holds them.
MAP_REGIONS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(g => (g._fullData || [])
  .filter(t => t.type === 'choropleth' && t.locations).flatMap(t => [...t.locations].map(String)))"""


def _open(browser, base: str, path: str, referer=None, layouts=None):
    """(context, watch, callback outputs requested) for `path` opened in a fresh
    context; referer: None leaves the layout request alone, "" strips its
    Referer, any other string replaces it; the layouts served go to `layouts`."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    if referer is not None:
        def layout(route):
            headers = {k: v for k, v in route.request.headers.items() if k.lower() != "referer"}
            if referer:
                headers["referer"] = referer
            resp = route.fetch(headers=headers)
            layouts.append(resp.json())
            route.fulfill(response=resp)
        ctx.route("**/_dash-layout", layout)
    w = PageWatch(ctx.new_page(), base)
    asked: list[str] = []
    w.page.on("request", lambda r: asked.append(json.loads(r.post_data)["output"])
              if "/_dash-update-component" in r.url else None)
    w.open(path)
    w.page.wait_for_function(DRAWN, timeout=30_000)
    return ctx, w, asked


def test_a_page_loads_drawn_and_asks_for_no_panel(browser, live_server):
    ctx, w, asked = _open(browser, live_server.url, "/emergency?region=370200")
    try:
        assert asked, "the router's callback was not seen"
        assert not [o for o in asked if any(p in o for p in (*PANEL_OUTPUTS, "nav.children"))], asked
        assert w.page.locator("#breadcrumb .crumb").count() == 2          # the frame came drawn
        assert w.page.locator("#nav .nav-link.active").count() == 1
        regions = w.page.evaluate(MAP_REGIONS)
        assert regions and all(r.startswith("3702") for r in regions), regions[:5]
        # a drill-down within the page still redraws the panels, through `view`
        asked.clear()
        w.page.locator("#breadcrumb .crumb").first.click()
        w.page.wait_for_function("!location.search.includes('region=')")
        w.page.wait_for_function(f"({MAP_REGIONS})().some(r => !r.startsWith('3702'))", timeout=15_000)
        assert [o for o in asked if '"type":"graph"' in o] and [o for o in asked if "nav.children" in o]
        w.page.wait_for_function("document.querySelectorAll('#breadcrumb .crumb').length == 1", timeout=15_000)
        assert w.errors == [] and w.foreign == []
    finally:
        ctx.close()


@pytest.mark.parametrize("referer", ["", "origin"], ids=["no-referer", "referer-cut-to-origin"])
def test_a_layout_without_the_opened_page_still_ends_on_it(browser, live_server, referer):
    layouts: list[dict] = []
    ctx, w, _ = _open(browser, live_server.url, "/emergency?region=370200",
                      referer=live_server.url + "/" if referer == "origin" else "", layouts=layouts)
    try:
        # the layout came without the page opened: bare, or the overview
        assert len(layouts) == 1
        frame = json.dumps(layouts[0])
        assert "page-emergency" not in frame and ("page-overview" in frame) == bool(referer)
        assert "page-emergency" in w.page.get_attribute("#cockpit", "class")
        w.page.wait_for_function(f"({MAP_REGIONS})().every(r => r.startsWith('3702'))", timeout=15_000)
        assert w.page.locator("#breadcrumb .crumb").count() == 2
        assert w.errors == []
    finally:
        ctx.close()
