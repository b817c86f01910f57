"""Web fixtures: the real app over the tiny demo snapshot, in-process (for panel
and callback tests), and a watched page in the shared browser (for browser tests;
the live server and the browser are in tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.live import PageWatch


@pytest.fixture
def client(web_app):
    return web_app.server.test_client()


@pytest.fixture
def render_panel(web_app):
    """render_panel(panel_id, search="") -> (rows, figure-or-component, title),
    exactly as the panel callbacks compute them for that URL query."""
    from components import context
    from components.panels import REGISTRY
    from components.shell import PAGES

    def render(panel_id: str, search: str = ""):
        with web_app.server.test_request_context("/"):
            db = context.database()
            c = context.Ctx(state=context.read_state(search, pages=tuple(PAGES)), snapshot=db.snapshot_id())
            panel = REGISTRY[panel_id]
            rows = panel.data(c)
            return rows, panel.render(rows, c), panel.title(c)

    return render


@pytest.fixture
def watch(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    page = ctx.new_page()
    w = PageWatch(page, live_server.url)
    yield w
    ctx.close()
