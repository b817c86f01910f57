"""The app's own HTTP routes: index, heartbeat, boundaries, exports."""
from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pytest


def test_index_is_a_small_frame(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert len(resp.get_data()) < 20_000          # page layouts are not inlined
    body = resp.get_data(as_text=True)
    assert "cdn" not in body.lower() and "https://" not in body
    assert "leaflet" not in body          # vendored for map exports, not for every page


def _find(node, id_):
    """The component with `id_` in a serialized Dash layout."""
    if isinstance(node, list):
        return next((f for f in (_find(n, id_) for n in node) if f is not None), None)
    if not isinstance(node, dict):
        return None
    props = node.get("props", {})
    if props.get("id") == id_:
        return node
    return _find(props.get("children"), id_)


def _panel_ids(node) -> set[str]:
    if isinstance(node, list):
        return set().union(*map(_panel_ids, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    props = node.get("props", {})
    own = {props["id"]["panel"]} if isinstance(props.get("id"), dict) and "panel" in props["id"] else set()
    return own | _panel_ids(props.get("children"))


def _links(node):
    """(attributes, text) of every link a frame element holds, drawn as markup
    (components/markup.py)."""
    from html.parser import HTMLParser

    assert node["props"]["children"]["type"] == "Markup"
    found = []

    class Links(HTMLParser):
        inside = False

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.append((dict(attrs), ""))
                self.inside = True

        def handle_endtag(self, tag):
            self.inside = self.inside and tag != "a"

        def handle_data(self, data):
            if self.inside:
                found[-1] = (found[-1][0], found[-1][1] + data)

    Links().feed(node["props"]["children"]["props"]["html"])
    return found


def _components(node):
    """Every component (a dict with props) in a serialized Dash layout."""
    if isinstance(node, list):
        for n in node:
            yield from _components(n)
    elif isinstance(node, dict) and "props" in node:
        yield node
        yield from _components(node["props"].get("children"))


def test_the_layout_comes_with_the_opened_page_in_it_drawn(client, web_app, render_panel):
    """Dash asks for the layout from the page being opened: that page comes
    along with every panel drawn as its callback would draw it, and `view`
    says for which query string, so no panel callback runs at load."""
    search = "?region=370200&theme=light"
    resp = client.get("/_dash-layout", headers={"Referer": "http://localhost/sharing" + search})
    layout = resp.get_json()
    cockpit = _find(layout, "cockpit")
    assert "page-sharing" in cockpit["props"]["className"] and "theme-light" in cockpit["props"]["className"]
    assert _find(layout, "router-key")["props"]["data"][0] == "/sharing"
    assert _find(layout, "view")["props"]["data"] == search
    snap = _find(layout, "snap")["props"]["data"]
    page = _find(layout, "page")["props"]["children"]
    panels = _panel_ids(page)
    assert panels and all(p.startswith("sharing") for p in panels), panels
    by_id = {json.dumps(c["props"]["id"], sort_keys=True): c["props"] for c in _components(page)
             if isinstance(c["props"].get("id"), dict)}
    for pid in panels:
        rows, out, title = render_panel(pid, search)
        kind = "graph" if hasattr(out, "to_plotly_json") and "data" in out.to_plotly_json() else "html"
        body = by_id[json.dumps({"panel": pid, "type": kind}, sort_keys=True)]
        assert by_id[json.dumps({"panel": pid, "type": f"title-{kind}"}, sort_keys=True)]["children"] == title
        if kind == "graph":
            assert body["className"] == f"panel-graph drawn from-{snap}"
            assert len(body["figure"]["data"]) == len(out.data) and body["figure"]["layout"]["template"]
        else:
            assert body["children"], pid
    from components.shell import route
    from dash.exceptions import PreventUpdate
    with web_app.server.test_request_context("/"), pytest.raises(PreventUpdate):   # nothing left to route
        route("http://localhost/sharing" + search, _find(layout, "router-key")["props"]["data"], snap)


def test_a_panel_that_fails_says_so_and_the_page_still_comes(web_app, monkeypatch):
    from components import shell
    from components.shell import PAGES, filled
    from components.state import ViewState

    real = shell._rendered

    def rendered(panel, c):
        if panel.id == "sharing-kpis":
            raise RuntimeError("boom")
        return real(panel, c)

    monkeypatch.setattr(shell, "_rendered", rendered)
    with web_app.server.test_request_context("/"):
        page = json.loads(json.dumps(filled(PAGES["sharing"].layout(ViewState(region=370000)), "", None),
                                     cls=__import__("plotly").utils.PlotlyJSONEncoder))
    titles = {c["props"]["id"]["panel"]: c["props"].get("children") for c in _components(page)
              if isinstance(c["props"].get("id"), dict) and c["props"]["id"].get("type", "").startswith("title-")}
    assert titles.pop("sharing-kpis") == "本面板暂时无法显示（已记录）"
    assert titles and all(titles.values()), titles


def test_the_layout_comes_with_the_frame_drawn_for_the_opened_url(client, web_app):
    """Nav, breadcrumb and messages come as `chrome` would draw them, and
    `shown` says for which URL, so `chrome` does not run at load."""
    from components.shell import CHROME, chrome

    opened = "/emergency?region=370200&period=abc"
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost" + opened}).get_json()
    assert _find(layout, "shown")["props"]["data"] == opened
    snap = _find(layout, "snap")["props"]["data"]
    with web_app.server.test_request_context("/"):
        expected = chrome(opened, snap, "http://localhost" + opened)
    from plotly.utils import PlotlyJSONEncoder

    for cid, want in zip(CHROME, expected):
        assert _find(layout, cid)["props"].get("children") == json.loads(json.dumps(want, cls=PlotlyJSONEncoder)), cid
    crumbs = [text for attrs, text in _links(_find(layout, "breadcrumb")) if "crumb" in attrs["class"].split()]
    assert crumbs == ["山东省", "青岛市"]
    active = [attrs for attrs, _ in _links(_find(layout, "nav")) if "active" in attrs["class"].split()]
    assert len(active) == 1 and active[0]["href"].startswith("/emergency?")
    assert "period=abc" in json.dumps(_find(layout, "messages"), ensure_ascii=False)    # the bad parameter is named


def test_a_frame_that_fails_to_draw_leaves_it_to_the_callback(client, monkeypatch):
    from components import shell

    def broken(href, snap):
        raise RuntimeError("boom")

    monkeypatch.setattr(shell, "_chrome", broken)
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/economy"}).get_json()
    assert _find(layout, "shown")["props"].get("data") is None       # so the browser asks `chrome`
    assert _find(layout, "nav")["props"].get("children") is None
    assert "page-economy" in _find(layout, "cockpit")["props"]["className"]


def test_without_the_opened_page_the_layout_is_the_bare_frame(client):
    layout = client.get("/_dash-layout").get_json()
    assert _find(layout, "page")["props"].get("children") is None
    assert _find(layout, "router-key")["props"].get("data") is None
    assert _find(layout, "shown")["props"].get("data") is None
    assert _find(layout, "nav")["props"].get("children") is None


def test_behind_a_proxy_the_opened_page_is_read_from_the_referer_s_path(client):
    """A proxy may hand the app another Host than the one the browser used."""
    layout = client.get("/_dash-layout", headers={"Referer": "https://cockpit.gov.example/economy?region=370200"}).get_json()
    assert _find(layout, "router-key")["props"]["data"][0] == "/economy"


def test_an_unknown_opened_page_says_so_in_the_layout(client):
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/nowhere"}).get_json()
    assert "page-missing" in _find(layout, "cockpit")["props"]["className"]
    assert "/nowhere" in json.dumps(_find(layout, "page"), ensure_ascii=False)


def test_heartbeat_is_tiny_and_uncached(client, demo_settings):
    from core.snapshots import SnapshotStore

    resp = client.get("/api/snapshot")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    assert len(resp.get_data()) < 300
    assert resp.get_json()["id"] == SnapshotStore(demo_settings.snapshot_dir).current_id()


def test_boundaries_are_served_with_long_cache(client):
    resp = client.get("/geo/370000/county.geojson?v=x")
    assert resp.status_code == 200
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    gj = json.loads(resp.get_data())
    assert len(gj["features"]) == 136
    assert client.get("/geo/370000/street.geojson").status_code == 404
    assert client.get("/geo/110000/city.geojson").status_code == 404


def test_csv_export_holds_the_rows_behind_the_chart(client, render_panel):
    rows, _, title = render_panel("economy-rank", "?region=370200")
    resp = client.get("/export/economy-rank.csv?region=370200")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == f"# {title}" and "快照" in lines[1] and "演示数据" in lines[1]
    df = pd.read_csv(io.StringIO(text), comment="#")
    assert len(df) == len(rows) and set(df["adcode"]) == set(rows["adcode"])


def test_xlsx_export_parses(client):
    resp = client.get("/export/overview-targets.xlsx")
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.get_data()))
    ws = wb["data"]
    assert ws["A1"].value == "规划目标达成度"
    df = pd.read_excel(io.BytesIO(resp.get_data()), sheet_name="data", skiprows=2)
    assert len(df) >= 10 and "target_value" in df.columns


def test_map_export_is_standalone_html(client):
    resp = client.get("/export/economy-map.html?region=370200")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "L.map" in html or "L.geoJson" in html or "geo_json" in html
    name = json.dumps("市南区")[1:-1]                  # the map embeds names as JSON escapes
    assert "市南区" in html or name in html
    # Nothing is fetched: no external script/style/image and no tile layer
    # (URLs inside comments and attribution text are harmless).
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "L.tileLayer(" not in html and "@import" not in html


@pytest.mark.parametrize("path", ["/export/nope.csv", "/export/economy-rank.pdf", "/export/economy-rank.html"])
def test_unknown_exports_404(client, path):
    assert client.get(path).status_code == 404


def test_responses_are_compressed(client):
    resp = client.get("/geo/370000/county.geojson?v=x", headers={"Accept-Encoding": "gzip"})
    assert resp.headers.get("Content-Encoding") == "gzip"


def test_a_fresh_worker_serves_its_first_concurrent_requests(demo_settings):
    """The first page load of a fresh threaded worker asks for several bundles
    at once; none may fail while Dash is still setting itself up."""
    import threading

    from app import create_app

    app = create_app(demo_settings)
    urls = ["/_dash-component-suites/dash/dcc/dash_core_components.js",
            "/_dash-component-suites/dash/html/dash_html_components.min.js", "/_dash-layout"] * 6
    codes, barrier = [], threading.Barrier(len(urls))

    def get(url):
        client = app.server.test_client()
        barrier.wait()
        codes.append(client.get(url).status_code)

    threads = [threading.Thread(target=get, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * len(urls)
