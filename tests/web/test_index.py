"""The page every screen boots from: Dash's scripts, less its babel polyfill."""
from __future__ import annotations

import re
from pathlib import Path

import dash

from app import REGENERATOR_URL


def _scripts(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'<script src="([^"]+)"', html)


def test_index_loads_the_regenerator_runtime_instead_of_the_babel_polyfill(client):
    scripts = _scripts(client, "/emergency?region=370200")
    assert not [s for s in scripts if "polyfill" in s], scripts
    # first, where the polyfill was: before React and Dash's bundles
    assert scripts[0] == REGENERATOR_URL
    assert any("dash_renderer" in s for s in scripts)
    body = client.get(scripts[0]).get_data(as_text=True)
    assert "regeneratorRuntime = runtime" in body


def test_dash_bundles_still_need_the_regenerator_runtime():
    """Dash's bundles use the polyfill's global regeneratorRuntime (for lazy
    components: a graph would never draw without it); a Dash upgrade that drops
    it makes the vendored runtime unnecessary, and this test says so."""
    renderer = Path(dash.__file__).parent / "dash-renderer" / "build" / "dash_renderer.min.js"
    assert "regeneratorRuntime" in renderer.read_text(encoding="utf-8")


def test_the_runtime_is_served_compressed_and_revalidated(client):
    first = client.get(REGENERATOR_URL, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    again = client.get(REGENERATOR_URL, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
