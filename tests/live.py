"""A live server process and a watched browser page, for the browser tests in
tests/web and tests/bench (their fixtures live in tests/conftest.py, once: two
session-scoped playwright fixtures in one worker cannot both run)."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request

from bench.common import free_port
from tests.conftest import settings_env

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
