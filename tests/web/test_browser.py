"""End to end in Debian's chromium (headless) against the real server process."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pandas as pd
import pytest

from tests.conftest import AS_OF, make_settings
from tests.live import LiveServer, PageWatch

pytestmark = pytest.mark.browser

# path -> the fewest plotly charts it must draw (KPI trends are SVG images, counted apart)
GRAPH_PAGES = {"/": 1, "/economy": 3, "/emergency": 5, "/cloud": 5, "/sharing": 4,
               "/indicator?indicator=gdp": 1, "/wall": 1}
KPI_TRENDS = """() => [...document.querySelectorAll('img.kpi-spark')]
  .map(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 20)"""


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1080p", "4k"])
def test_every_page_draws_offline_without_console_errors(browser, live_server, size):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    w = PageWatch(ctx.new_page(), live_server.url)
    try:
        for path, n in GRAPH_PAGES.items():
            page = w.open(path)
            w.wait_drawn()
            assert page.locator(".js-plotly-plot").count() >= n, path
            if "indicator" not in path:     # every KPI card's trend decoded and drawn
                trends = page.evaluate(KPI_TRENDS)
                assert len(trends) >= 7 and all(trends), (path, trends)
            # the boundaries really drew (the offline topojson trap draws nothing)
            if path != "/indicator?indicator=gdp":   # boundaries arrive by URL, after the traces
                page.wait_for_function("document.querySelectorAll('.choroplethlocation').length > 10")
        page = w.open("/status")
        page.wait_for_selector("#snapshot-id")
        assert w.errors == [] and w.foreign == []
    finally:
        ctx.close()


def test_clicking_a_city_drills_down_and_the_breadcrumb_goes_back(watch):
    page = watch.open("/economy")
    watch.wait_drawn()
    page.evaluate("window.__noReload = 1")
    # The top choropleth trace holds the regions with values; click one.
    page.locator("#panel-economy-map .choroplethlayer .trace").last.locator("path.choroplethlocation").first.click(
        force=True)
    page.wait_for_url("**region=37*", timeout=15_000)
    region = int(page.url.split("region=")[1][:6])
    page.wait_for_function("document.querySelectorAll('#breadcrumb .crumb').length == 2")
    # every panel follows: the ranking now lists that city's counties
    page.wait_for_function("""() => { const t = document.querySelector('#panel-economy-rank .ytick text');
                                      return t && /区|县|市/.test(t.textContent); }""")
    assert page.evaluate("window.__noReload") == 1
    assert str(region).startswith("37") and region % 100 == 0
    page.locator("#breadcrumb .crumb").first.click()
    page.wait_for_function("!location.search.includes('region=')")
    page.wait_for_function("document.querySelectorAll('#breadcrumb .crumb').length == 1")
    assert page.evaluate("window.__noReload") == 1       # the breadcrumb is markup: still no reload
    assert watch.errors == []


def test_links_drawn_as_markup_move_within_the_page(watch):
    """Nav, breadcrumb and KPI cards are HTML (components/markup.py), not
    dcc.Link: their links still change the page without reloading it, and
    the browser's back button returns."""
    page = watch.open("/economy")
    watch.wait_drawn()
    page.evaluate("window.__noReload = 1")
    page.locator("#nav a.nav-link", has_text="应急指挥").click()
    page.wait_for_url("**/emergency*", timeout=15_000)
    page.wait_for_function("document.querySelector('#cockpit').classList.contains('page-emergency')")
    watch.wait_drawn()
    page.locator(".kpi a[data-dash-link]").first.click()
    page.wait_for_url("**/indicator?indicator=*", timeout=15_000)
    page.wait_for_function("document.querySelector('#cockpit').classList.contains('page-indicator')")
    page.go_back()
    page.wait_for_function("document.querySelector('#cockpit').classList.contains('page-emergency')")
    # the frame (nav included) is redrawn by a callback of its own, after the
    # page: a click on the nav being replaced is lost (CI, under load)
    page.locator("#nav a.nav-link.active", has_text="应急指挥").wait_for()
    watch.wait_drawn()
    assert page.evaluate("window.__noReload") == 1
    # a click asking for a new tab is left to the browser
    with page.context.expect_page() as opened:
        page.locator("#nav a.nav-link", has_text="经济运行").click(modifiers=["Control"])
    opened.value.wait_for_load_state()
    assert opened.value.url.endswith("/economy") and page.url.split("?")[0].endswith("/emergency")
    opened.value.close()
    assert watch.errors == []


# Margins plotly had to widen for a colour bar or axis labels: each costs a
# second drawing of the whole chart, a map's boundaries included (the
# builders reserve that room: figures.text_width). A legend pushing the right
# margin of a map was measured at no cost and is left to plotly.
PUSHED = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
    const m = gd.layout.margin || {}, s = gd._fullLayout._size;
    const sides = gd._fullData.some(t => t.showscale) ? ['l', 'r'] : ['l'];   // legends may push: cheap
    return sides.filter(k => m[k] !== undefined && s[k] > m[k])
        .map(k => `${gd.parentNode.id} ${k} ${m[k]} -> ${s[k]}`); })"""


@pytest.mark.parametrize("path", ["/emergency", "/sharing?lang=en", "/economy?indicator=gdp&region=370200"])
def test_charts_are_drawn_once_with_room_for_their_colour_bars_and_labels(watch, path):
    page = watch.open(path)
    watch.wait_drawn()
    assert page.evaluate(PUSHED) == []


def test_bad_url_values_get_a_clear_message(watch):
    page = watch.open("/economy?region=999999&period=someday&lang=xx")
    page.wait_for_selector(".message.error")
    text = page.locator("#messages").inner_text()
    assert "region=999999" in text and "period=someday" in text and "lang=xx" in text
    watch.wait_drawn()                                   # the default view still renders
    page = watch.open("/no-such-page")
    page.wait_for_selector(".message.error.big")
    assert "/no-such-page" in page.inner_text("#page")


def test_new_snapshot_updates_values_in_place_and_quiet_polls_send_nothing(browser, tmp_path, shared_geo_dir):
    from pipeline.build import run_pipeline

    s = make_settings(tmp_path / "data", shared_geo_dir)
    run_pipeline(s, as_of=AS_OF)
    server = LiveServer(s).start()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        w = PageWatch(ctx.new_page(), server.url)
        page = w.open("/emergency")
        w.wait_drawn()
        page.evaluate("window.__noReload = 1")
        callbacks, polls = [], []
        page.on("request", lambda r: callbacks.append(r.url) if "_dash-update-component" in r.url else None)
        page.on("response", lambda r: polls.append(r) if "/api/snapshot" in r.url else None)
        page.wait_for_timeout(5000)                      # two or three heartbeats, nothing new
        assert len(polls) >= 2 and callbacks == []
        assert all(len(p.body()) < 1024 for p in polls)
        before = page.locator("#panel-emergency-kpis").inner_text()
        old = page.get_attribute("#cockpit", "data-snapshot")
        run_pipeline(s, as_of=AS_OF + timedelta(days=2))
        page.wait_for_function(f"document.querySelector('#cockpit').dataset.snapshot !== '{old}'", timeout=20_000)
        page.wait_for_function(
            "b => document.querySelector('#panel-emergency-kpis').innerText !== b", arg=before, timeout=20_000)
        assert page.evaluate("window.__noReload") == 1 and callbacks
        assert w.errors == []
    finally:
        ctx.close()
        server.stop()


def test_wall_keeps_its_picture_offline_and_recovers(browser, demo_settings):
    server = LiveServer(demo_settings).start()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        w = PageWatch(ctx.new_page(), server.url)
        page = w.open("/wall?dwell=5")
        w.wait_drawn()
        assert "kiosk" in page.get_attribute("#cockpit", "class")
        graphs = page.locator(".js-plotly-plot").count()
        server.stop()
        page.wait_for_function("document.querySelector('#cockpit').classList.contains('offline')", timeout=20_000)
        assert page.locator(".js-plotly-plot").count() == graphs          # the last picture stays
        assert page.locator("#offline-badge").is_visible()
        assert "前" in page.inner_text("#age-badge")                       # data age still shown
        page.wait_for_timeout(6000)                                       # carousel pauses while offline
        assert page.locator(".js-plotly-plot").count() == graphs
        server.start()
        page.wait_for_function("!document.querySelector('#cockpit').classList.contains('offline')",
                               timeout=60_000)
        assert page.locator(".js-plotly-plot").count() >= 1
        assert all(page.evaluate(KPI_TRENDS))
    finally:
        ctx.close()
        server.stop()


def test_wall_cycles_pages(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        w = PageWatch(ctx.new_page(), live_server.url)
        page = w.open("/wall?dwell=8&pages=economy,cloud")
        assert page.get_attribute("#wall-slot", "data-page") == "economy"
        w.wait_drawn()
        page.wait_for_function("document.querySelector('#wall-slot').dataset.page === 'cloud'", timeout=20_000)
        # scaled to the viewport from the 1920x1080 design canvas
        box = page.locator("#cockpit").bounding_box()
        assert abs(box["width"] - 1280) < 2 and abs(box["height"] - 720) < 2
        assert w.errors == []
    finally:
        ctx.close()


def test_exports_produce_valid_files(watch, tmp_path):
    page = watch.open("/economy?region=370200")
    watch.wait_drawn()
    box = page.locator("#panel-economy-rank")
    box.hover()
    with page.expect_download() as d:
        box.locator(".export-img[data-format=png]").click()
    png = d.value.path().read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    with page.expect_download() as d:
        box.locator(".export-img[data-format=svg]").click()
    svg = ET.fromstring(d.value.path().read_bytes())
    text = ET.tostring(svg, encoding="unicode")
    assert svg.tag.endswith("svg") and "数据快照" in text and "数据时间" in text and "演示数据" in text
    with page.expect_download() as d:
        box.locator(".export-link[data-format=csv]").click()
    df = pd.read_csv(io.StringIO(d.value.path().read_text(encoding="utf-8-sig")), comment="#")
    assert len(df) == 10 and df["adcode"].between(370200, 370299).all()      # Qingdao's districts
    with page.expect_download() as d:
        box.locator(".export-link[data-format=xlsx]").click()
    assert len(pd.read_excel(d.value.path(), skiprows=2)) == 10
    mp = page.locator("#panel-economy-map")
    mp.hover()
    with page.expect_download() as d:
        mp.locator(".export-link[data-format=html]").click()
    html_file = tmp_path / "map.html"
    html_file.write_bytes(d.value.path().read_bytes())
    # The standalone map opens from disk with no network at all.
    requests = []
    other = watch.page.context.new_page()
    other.on("request", lambda r: requests.append(r.url))
    other.goto(html_file.as_uri())
    other.wait_for_selector(".leaflet-interactive")
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert other.locator(".leaflet-interactive").count() == 10
