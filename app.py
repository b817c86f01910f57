"""The cockpit web app. `python app.py` runs everything for a single machine:
it builds a demo snapshot if none exists, starts the refresh scheduler in this
process and serves http://127.0.0.1:8050.

Production runs `gunicorn app:server` workers (which only read snapshots) plus
one `python -m pipeline schedule` process; importing this module never starts
a scheduler and never opens a database, so it is safe before gunicorn forks.
"""
from __future__ import annotations

import atexit
import ctypes
import gc
import gzip
import hashlib
import logging
import os
import re
import threading
from datetime import datetime, timezone
from pathlib import Path

import dash
from flask import Response, abort, jsonify, request
from flask_caching import Cache
from flask_compress import Compress

from components.panels import TOPOJSON_FILE, TOPOJSON_VERSION
from core.settings import settings as get_settings
from core.snapshots import SnapshotStore
from queries.database import Database, NoSnapshot

log = logging.getLogger("cockpit.app")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


PLOTLY_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"   # where dcc.Graph looks
# dcc's components load their code on first use, from chunks (webpack) of
# these names. Every chart screen has graphs; a dropdown is on some only.
DCC_CHUNKS = ("async-graph",)
PLOTLY_BUNDLE = Path(__file__).resolve().parent / "assets" / "vendor" / "plotly" / "plotly-cockpit.min.js"


def _vendored(path: Path, mimetype: str = "application/javascript", version: str | None = None):
    """A Flask view serving a vendored file compressed once. Revalidated by
    ETag (a reload costs a 304, where /assets compresses per request and sends
    the whole file again); kept for good when the URL names the content
    (`version`, the view's `version` argument) and the two agree."""
    plain = path.read_bytes()
    gz, etag = gzip.compress(plain, 9, mtime=0), hashlib.blake2b(plain, digest_size=12).hexdigest()

    def view(**url_args):
        zipped = "gzip" in request.headers.get("Accept-Encoding", "")
        resp = Response(gz if zipped else plain, mimetype=mimetype)
        if zipped:
            resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Vary"] = "Accept-Encoding"
        resp.cache_control.public = True
        if version is not None and url_args.get("version") == version:
            resp.cache_control.max_age = 365 * 86400
            resp.cache_control.immutable = True
        else:
            resp.cache_control.no_cache = True
        resp.set_etag(etag + ("-gz" if zipped else ""))
        return resp.make_conditional(request)

    return view


def _setup_before_any_request(app: dash.Dash) -> None:
    """Dash sets up its server on the first request, raising its "done" flag
    before it registers the component bundles: in a fresh threaded worker the
    requests racing the first one get 500 ("dash is not a registered library")
    and a wall stays blank. Here the first request does the setup under a lock
    and the others wait for it (plotly/dash#3971)."""
    lock = threading.Lock()
    done = threading.Event()

    def setup():
        if not done.is_set():
            with lock:
                if not done.is_set():
                    app._setup_server()
                    done.set()

    app.server.before_request_funcs.setdefault(None, []).insert(0, setup)


BABEL_POLYFILL = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>')
REGENERATOR = Path(__file__).resolve().parent / "assets" / "vendor" / "regenerator-runtime" / "runtime.js"
REGENERATOR_URL = "/_cockpit/regenerator-runtime.js"


def _without_babel_polyfill(app: dash.Dash) -> None:
    """Dash puts @babel/polyfill (core-js 2) first on every page, for browsers
    that cannot run React 18 or the cockpit's ES2016 plotly build anyway. On
    chromium it cost about 150 ms of main-thread work per page load and put its
    own String.prototype.trim on plotly's hot path (bench/README.md, "Pages").
    Dash's bundles need one thing from it, the global regeneratorRuntime of
    their transpiled async functions: regenerator-runtime, vendored, gives it."""
    url = app.config.requests_pathname_prefix + REGENERATOR_URL.lstrip("/")
    interpolate = app.interpolate_index

    def interpolate_index(**kwargs):
        kwargs["scripts"] = BABEL_POLYFILL.sub(f'<script src="{url}"></script>', kwargs["scripts"], count=1)
        return interpolate(**kwargs)

    app.interpolate_index = interpolate_index


def create_app(settings=None) -> dash.Dash:
    settings = settings or get_settings()
    if not logging.getLogger().handlers:
        # gunicorn configures only its own loggers: without this the app's
        # INFO lines (renders, snapshot swaps) would vanish in production.
        level = os.environ.get("COCKPIT_LOG_LEVEL", "INFO").upper()
        logging.basicConfig(level=level if level in logging.getLevelNamesMapping() else "INFO", format=LOG_FORMAT)
        if level not in logging.getLevelNamesMapping():
            log.warning("COCKPIT_LOG_LEVEL=%s is not a log level (DEBUG, INFO, WARNING, ERROR): using INFO", level)
    app = dash.Dash(
        __name__,
        title="一网统管驾驶舱",
        update_title=None,
        # Components appear per page (the router puts them in), not in the frame.
        suppress_callback_exceptions=True,
        serve_locally=True,
        # Vendored files (leaflet for map exports) are served, never injected into pages.
        assets_path_ignore=["vendor"],
    )
    server = app.server
    _setup_before_any_request(app)
    # The page asks for plotly.js, and dcc's graph code, only once
    # Dash has booted and the page's components mount; preloading them overlaps
    # those downloads with the boot. zh-CN picks Chinese (not Japanese) glyph
    # forms from CJK fonts.
    prefix = app.config.requests_pathname_prefix
    preloads = [prefix + PLOTLY_URL.lstrip("/"),
                *(f"{prefix}_dash-component-suites/dash/dcc/{chunk}.js" for chunk in DCC_CHUNKS)]
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">').replace(
        "{%css%}", "{%css%}" + "".join(f'\n        <link rel="preload" href="{u}" as="script">' for u in preloads))
    _without_babel_polyfill(app)
    cache_config = {"CACHE_TYPE": settings.cache_type, "CACHE_DEFAULT_TIMEOUT": 0}
    if settings.cache_type == "FileSystemCache":
        cache_config.update(CACHE_DIR=str(settings.cache_dir), CACHE_THRESHOLD=20000)
    elif settings.cache_type == "RedisCache":
        cache_config.update(CACHE_REDIS_URL=settings.cache_redis_url)
    cache = Cache(server, config=cache_config)
    server.config["COMPRESS_MIMETYPES"] = ["text/html", "text/css", "application/javascript", "application/json",
                                           "text/javascript", "application/geo+json", "text/csv", "image/svg+xml"]
    server.config["COMPRESS_ALGORITHM"] = ["gzip"]
    Compress(server)
    server.config["COCKPIT_SETTINGS"] = settings
    server.config["COCKPIT_DB"] = Database(SnapshotStore(settings.snapshot_dir), cache, settings.root_adcode)
    server.config["COCKPIT_GEO_URL"] = lambda level: f"/geo/{settings.root_adcode}/{level}.geojson?v={_geo_version(settings)}"

    import pages  # noqa: F401  (registers every screen and panel)
    from components.shell import app_layout

    app.layout = app_layout
    _routes(app, settings)
    return app


def _geo_version(settings) -> str:
    manifest = settings.geo_dir / "manifest.json"
    try:
        return hashlib.blake2b(manifest.read_bytes(), digest_size=6).hexdigest()
    except FileNotFoundError:
        return "0"


def _routes(app: dash.Dash, settings) -> None:
    server = app.server

    @server.get("/api/snapshot")
    def api_snapshot():
        """The browser's heartbeat: a few dozen bytes, never cached."""
        db = server.config["COCKPIT_DB"]
        now = datetime.now(timezone.utc)
        try:
            snap = db.snapshot_id()
            meta = db.meta(snapshot=snap)
        except NoSnapshot:
            return jsonify(id=None, now=now.isoformat()), 503
        resp = jsonify(id=snap, built=meta["built_at"].isoformat(), now=now.isoformat(),
                       demo=bool(meta.get("demo")), stale=settings.stale_after_seconds)
        resp.headers["Cache-Control"] = "no-store"
        return resp

    # dcc.Graph loads plotly.js on demand from this fixed URL. The full build is
    # 4.8 MB (1.5 MB gzipped) of ~50 trace types; the cockpit draws five, and
    # parsing the rest was most of a first page load (bench/README.md).
    server.add_url_rule(PLOTLY_URL, "plotly_min_js", _vendored(PLOTLY_BUNDLE))
    server.add_url_rule(REGENERATOR_URL, "regenerator_runtime", _vendored(REGENERATOR))
    # Where the figures' config (components/panels.py TOPOJSON_URL) sends
    # plotly; a page from before an upgrade, asking an older version, is answered too.
    server.add_url_rule(f"/geo/world/<version>/{TOPOJSON_FILE.name}", "world_topojson",
                        _vendored(TOPOJSON_FILE, "application/json", TOPOJSON_VERSION))

    @server.get("/geo/<int:root>/<level>.geojson")
    def geo(root: int, level: str):
        if root != settings.root_adcode or level not in ("province", "city", "county"):
            abort(404)
        path = settings.geo_dir / f"{level}.geojson"
        if not path.exists():
            abort(404)
        # Read, not streamed: flask-compress only compresses buffered bodies (a
        # county file is ~450 KB, ~100 KB gzipped). The URL carries a version
        # (?v=), so browsers may keep the file for good.
        resp = Response(path.read_bytes(), mimetype="application/geo+json")
        resp.cache_control.public = True
        resp.cache_control.max_age = 365 * 86400
        resp.add_etag()
        return resp.make_conditional(request)

    @server.get("/export/<panel_id>.<fmt>")
    def export(panel_id: str, fmt: str):
        from components import context, export as ex
        from components.panels import REGISTRY
        from components.shell import PAGES

        panel = REGISTRY.get(panel_id)
        if panel is None or not panel.exportable or fmt not in ("csv", "xlsx", "html") or \
                (fmt == "html" and not panel.map):
            abort(404)
        db = server.config["COCKPIT_DB"]
        try:
            snap = db.snapshot_id()
        except NoSnapshot:
            abort(503)
        search = request.query_string.decode("utf-8")
        c = context.Ctx(state=context.read_state(search, pages=tuple(PAGES)), snapshot=snap)
        df = panel.data(c)
        title = panel.title(c) or panel_id
        stamp = c.stamp()
        name = f"{panel_id}-{snap}"
        if fmt == "csv":
            return Response(ex.to_csv(df, title, stamp), mimetype="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
        if fmt == "xlsx":
            return Response(ex.to_xlsx(df, title, stamp),
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
        level = str(df["level"].iloc[0]) if not df.empty else "city"
        ind = c.indicators.get(str(df["indicator"].iloc[0])) if "indicator" in df and not df.empty else None
        body = ex.to_map_html(df, settings.geo_dir / f"{level}.geojson", title=title, stamp=stamp,
                              unit=ind["unit"] if ind else "", decimals=int(ind["decimals"]) if ind else 1)
        return Response(body, mimetype="text/html; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.html"'})


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that contends for the heap its own arena (up to
    8 per core); a gthread worker's threads then fragment memory across them
    and its RSS creeps up with every snapshot though nothing leaks (measured:
    +40 MB over 24 snapshots, flat with two arenas). MALLOC_ARENA_MAX in the
    environment wins; other C libraries have no mallopt and are left alone."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        ctypes.CDLL(None).mallopt(-8, arenas)      # -8 = M_ARENA_MAX (malloc.h)
    except (OSError, AttributeError):
        pass


_limit_malloc_arenas()
app = create_app()
server = app.server
# Everything built so far (Dash's registry, plotly's validators, the catalog)
# lives as long as the worker: keeping it out of the collector's generations
# makes every collection during a request cheaper.
gc.freeze()
# ...and back in at exit, so interpreter shutdown frees them as usual (native
# extensions report frozen objects of theirs as leaks).
atexit.register(gc.unfreeze)


def main() -> None:
    from pipeline.build import run_pipeline
    from pipeline.scheduler import start_background

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    settings = get_settings()
    store = SnapshotStore(settings.snapshot_dir)
    built_now = False
    if store.current_id() is None:
        log.info("no snapshot yet: building the demo snapshot (first start takes a little while)")
        run_pipeline(settings, wait=600)
        built_now = True
    from components.prerender import prerenderer

    start_background(settings, first_run_now=not built_now, before_publish=prerenderer(app))
    host = os.environ.get("COCKPIT_HOST", "127.0.0.1")
    port = int(os.environ.get("COCKPIT_PORT", "8050"))
    log.info("serving on http://%s:%d", host, port)
    app.run(host=host, port=port, debug=False)


if __name__ == "__main__":
    main()
