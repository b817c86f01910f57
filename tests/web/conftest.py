"""Web fixtures: the real app over the tiny demo snapshot, in-process (for panel
and callback tests) and as a live server process (for browser tests)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from tests.conftest import settings_env


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER = r"""
import sys
from app import create_app
create_app().run(host="127.0.0.1", port=int(sys.argv[1]), debug=False, threaded=True)
"""


class LiveServer:
    """The real app in its own process, startable and stoppable (offline tests)."""

    def __init__(self, settings, port: int | None = None, extra_env: dict | None = None):
        self.settings = settings
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**settings_env(settings), "COCKPIT_POLL_SECONDS": "2", **(extra_env or {})}
        self.proc = None

    def start(self):
        # The request log goes to a file: an unread pipe fills up and blocks the server.
        self.log = tempfile.NamedTemporaryFile(prefix="cockpit-server-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(self.port)], env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/snapshot", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server died: {open(self.log.name).read()[-3000:]}")
                time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None


@pytest.fixture(scope="session")
def live_server(demo_settings):
    server = LiveServer(demo_settings).start()
    yield server
    server.stop()


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageWatch:
    """A browser page that records console errors and requests to other hosts."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _request(self, req):
        if not (req.url.startswith(self.base) or req.url.startswith("data:") or req.url.startswith("blob:")):
            self.foreign.append(req.url)

    def open(self, path: str):
        self.page.goto(self.base + path, wait_until="networkidle")
        return self.page

    def wait_drawn(self, timeout: float = 30_000):
        """Until every plotly graph on the page has drawn (an SVG with traces)."""
        self.page.wait_for_function(
            """() => { const g = [...document.querySelectorAll('.js-plotly-plot')];
                       return g.length > 0 && g.every(x => x._fullData && x.querySelector('.main-svg')); }""",
            timeout=timeout)


@pytest.fixture
def watch(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    page = ctx.new_page()
    w = PageWatch(page, live_server.url)
    yield w
    ctx.close()
