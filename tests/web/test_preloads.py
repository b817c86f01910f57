"""What the page preloads is what it then uses, fetched once; the world
topojson every map asks for is fetched once and kept across reloads."""
from __future__ import annotations

import re

import pytest

from bench.common import DRAWN
from components.panels import TOPOJSON_FILE
from tests.live import PageWatch

pytestmark = pytest.mark.browser


def test_preloads_are_used_and_the_topojson_is_kept(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        w = PageWatch(ctx.new_page(), live_server.url)
        fetched: list[str] = []
        w.page.on("requestfinished", lambda r: fetched.append(r.url.removeprefix(live_server.url)))
        w.open("/emergency")
        w.page.wait_for_function(DRAWN, timeout=30_000)
        preloaded = re.findall(r'<link rel="preload" href="([^"]+)"', w.page.content())
        assert len(preloaded) >= 2, preloaded
        for href in preloaded:
            assert fetched.count(href) == 1, (href, [u for u in fetched if "suites" in u])
        world = [u for u in fetched if u.endswith(TOPOJSON_FILE.name)]
        assert len(world) >= 1 and all(u.startswith("/geo/world/") for u in world), world
        # a reload (a wall display's) takes the topojson from the browser's cache
        cdp = ctx.new_cdp_session(w.page)
        cdp.send("Network.enable")
        from_network: list[str] = []
        cdp.on("Network.responseReceived", lambda e: from_network.append(e["response"]["url"])
               if e["response"]["url"].endswith(TOPOJSON_FILE.name)
               and not e["response"].get("fromDiskCache") and not e["response"].get("fromPrefetchCache") else None)
        w.page.reload(wait_until="networkidle")
        w.page.wait_for_function(DRAWN, timeout=30_000)
        assert from_network == []
        assert w.errors == [] and w.foreign == []
    finally:
        ctx.close()
