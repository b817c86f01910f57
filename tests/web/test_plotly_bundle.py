"""The cockpit's own plotly.js build (scripts/plotly-bundle): the version the
plotly package writes figures for, every trace type the screens draw, and
served where dcc.Graph looks for plotly.js."""
from __future__ import annotations

import gzip
import re

import pytest

import pages  # noqa: F401  (registers the panels)
from app import DCC_CHUNKS, PLOTLY_BUNDLE
from components.panels import GRAPH_CONFIG, REGISTRY, TOPOJSON_FILE
from tests.web.test_panels import SCOPES

URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"


def _banner() -> re.Match:
    with PLOTLY_BUNDLE.open(encoding="utf-8") as f:
        hint, banner = f.readline(), f.readline()
    # V8 reads the compile hint on the first line only (scripts/plotly-bundle/build.js).
    assert hint == "//# allFunctionsCalledOnLoad\n", "bundle without its compile hint: rebuild it"
    m = re.match(r"/\* plotly\.js v(\S+) cockpit bundle; traces: (\S+) \*/", banner)
    assert m, "bundle without its banner: rebuild with scripts/plotly-bundle/build.js"
    return m


def test_bundle_is_the_plotly_js_version_the_python_package_targets():
    from plotly.offline import get_plotlyjs_version

    assert _banner().group(1) == get_plotlyjs_version()


@pytest.mark.parametrize("search", SCOPES)
def test_bundle_has_every_trace_type_the_screens_draw(render_panel, search):
    bundled = set(_banner().group(2).split(","))
    for pid, panel in REGISTRY.items():
        if panel.kind != "graph":
            continue
        _, fig, _ = render_panel(pid, search)
        used = {tr.type for tr in fig.data}
        assert used <= bundled, (pid, used - bundled)


def test_dash_loads_the_bundle_compressed_and_revalidates_it(client):
    body = PLOTLY_BUNDLE.read_bytes()
    resp = client.get(URL, headers={"Accept-Encoding": "gzip, deflate"})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(resp.data) == body
    assert len(resp.data) < len(body) / 2
    again = client.get(URL, headers={"Accept-Encoding": "gzip", "If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get(URL)
    assert plain.data == body and "Content-Encoding" not in plain.headers


def test_every_page_preloads_the_bundle_and_the_graph_code_dash_will_ask_for(client):
    html = client.get("/economy").get_data(as_text=True)
    assert f'<link rel="preload" href="{URL}" as="script">' in html
    assert '<html lang="zh-CN">' in html
    for chunk in DCC_CHUNKS:
        href = f"/_dash-component-suites/dash/dcc/{chunk}.js"
        assert f'<link rel="preload" href="{href}" as="script">' in html
        assert client.get(href).status_code == 200, href    # a chunk of that name exists


def test_the_world_topojson_is_served_compressed_where_the_figures_look_and_kept(client):
    url = GRAPH_CONFIG["topojsonURL"] + TOPOJSON_FILE.name
    resp = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(resp.data) == TOPOJSON_FILE.read_bytes()
    assert "immutable" in resp.headers["Cache-Control"] and "max-age=31536000" in resp.headers["Cache-Control"]
    # a page from before the file changed still gets a map, revalidated rather than kept
    older = client.get(f"/geo/world/000000000000/{TOPOJSON_FILE.name}")
    assert older.status_code == 200 and older.data == TOPOJSON_FILE.read_bytes()
    assert "no-cache" in older.headers["Cache-Control"] and "immutable" not in older.headers["Cache-Control"]


def test_bundle_fetches_nothing_from_the_internet_by_default():
    text = PLOTLY_BUNDLE.read_text(encoding="utf-8")
    assert "https://cdn.plot.ly" not in text and "https://cloud.plotly.com" not in text
    assert 'dflt:"/assets/topojson/"' in text
